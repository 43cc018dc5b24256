@testable import BallastChains
import BallastCore
import BigInt
import Foundation
import Testing

/// Decoding of real recorded responses. Expected figures were computed independently with
/// Python's exact `fractions`/`decimal` from the raw integers, never with the code under test.
@Suite struct OnChainDecodingTests {
    static let wbnb = ChainToken(symbol: "WBNB", address: "0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c", decimals: 18)
    static let busd = ChainToken(symbol: "BUSD", address: "0xe9e7cea3dedca5984780bafc599bd69add087d56", decimals: 18)
    static let usdc = ChainToken(symbol: "USDC", address: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", decimals: 6)
    static let weth = ChainToken(symbol: "WETH", address: "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", decimals: 18)
    static let usdt = ChainToken(symbol: "USDT", address: "0xdac17f958d2ee523a2206206994597c13d831ec7", decimals: 6)

    static func addressWord(_ token: ChainToken) -> String { "0x" + String(repeating: "0", count: 24) + token.address.dropFirst(2) }

    /// PancakeSwap's WBNB/BUSD pair on BSC mainnet (0x1b96…774f): reserves 3306559496062120878084
    /// and 878923281701700934205705 as recorded in Moralis's integration test, ABI-encoded with
    /// blockTimestampLast 1617235200.
    static let getReserves = "0x0000000000000000000000000000000000000000000000b33fbb26c3f559e00400000000000000000000000000000000000000000000ba1e86cd8492671a81090000000000000000000000000000000000000000000000000000000060650d00"

    @Test func uniswapV2ReservesFollowToken0() throws {
        let reserves = try UniswapV2.reserves(token0: Self.addressWord(Self.wbnb), getReserves: Self.getReserves, base: Self.wbnb, quote: Self.busd)
        #expect(reserves.base == Amount("3306.559496062120878084"))
        #expect(reserves.quote == Amount("878923.281701700934205705"))
        // 265.8120268963666207352631528910307716537 (Python, 40 digits)
        #expect(abs(reserves.quote.doubleValue / reserves.base.doubleValue - 265.81202689636662) < 1e-10)
        // Pricing the other token of the same pair swaps the reserves.
        let flipped = try UniswapV2.reserves(token0: Self.addressWord(Self.wbnb), getReserves: Self.getReserves, base: Self.busd, quote: Self.wbnb)
        #expect(flipped.base == Amount("878923.281701700934205705"))
    }

    @Test func uniswapV2RefusesWhatIsNotAUint112OrAPairOfTheseTokens() {
        // A reserve word with a bit set above 112 bits.
        let wide = "0x" + "0000000000000000000000000000000100000000000000000000000000000001" + String(Self.getReserves.dropFirst(66))
        #expect(throws: SourceError("getReserves: word 0 does not fit uint112")) {
            try UniswapV2.reserves(token0: Self.addressWord(Self.wbnb), getReserves: wide, base: Self.wbnb, quote: Self.busd)
        }
        #expect(throws: SourceError("getReserves: returned 2 words, expected 3")) {
            try UniswapV2.reserves(token0: Self.addressWord(Self.wbnb), getReserves: String(Self.getReserves.prefix(130)), base: Self.wbnb, quote: Self.busd)
        }
        #expect(throws: SourceError("getReserves: empty return data (no contract at that address?)")) {
            try UniswapV2.reserves(token0: Self.addressWord(Self.wbnb), getReserves: "0x", base: Self.wbnb, quote: Self.busd)
        }
        let error = #expect(throws: SourceError.self) {
            try UniswapV2.reserves(token0: Self.addressWord(Self.usdc), getReserves: Self.getReserves, base: Self.wbnb, quote: Self.busd)
        }
        #expect(error?.reason.contains("neither WBNB") == true)
        let zero = "0x" + String(repeating: "0", count: 64) + String(Self.getReserves.dropFirst(66))
        #expect(throws: SourceError("getReserves: the pair has no liquidity (a reserve is 0)")) {
            try UniswapV2.reserves(token0: Self.addressWord(Self.wbnb), getReserves: zero, base: Self.wbnb, quote: Self.busd)
        }
    }

    /// USDC/WETH 0.05% pool (0x88e6…5640), sqrtPriceX96 1506673274302120988651364689808458:
    /// WETH = 2765.164661604670924587 USDC; tick 197071.
    static let slot0 = "0x0000000000000000000000000000000000004a48e3e9f45a65511b5168aa8c4a00000000000000000000000000000000000000000000000000000000000301cf000000000000000000000000000000000000000000000000000000000000000c00000000000000000000000000000000000000000000000000000000000002d300000000000000000000000000000000000000000000000000000000000002d300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"

    @Test func uniswapV3PriceUsesTokenOrderAndDecimals() throws {
        let price = try UniswapV3.price(token0: Self.addressWord(Self.usdc), slot0: Self.slot0, base: Self.weth, quote: Self.usdc)
        #expect(abs(price - 2765.164661604671) / 2765.16 < 1e-12)
        let inverse = try UniswapV3.price(token0: Self.addressWord(Self.usdc), slot0: Self.slot0, base: Self.usdc, quote: Self.weth)
        #expect(abs(inverse * 2765.164661604671 - 1) < 1e-12)
    }

    /// WETH/USDT (token0 WETH): sqrtPriceX96 4467232491834074285419943 with the negative tick
    /// -195677, sign-extended over the word: WETH = 3179.200684863320417087 USDT.
    @Test func uniswapV3ReadsANegativeTick() throws {
        let slot0 = "0x00000000000000000000000000000000000000000003b1f9289c1ef76ab72da7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd03a300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"
        let price = try UniswapV3.price(token0: Self.addressWord(Self.weth), slot0: slot0, base: Self.weth, quote: Self.usdt)
        #expect(abs(price - 3179.2006848633204) / 3179.2 < 1e-12)
        // The same tick without sign extension is not an int24.
        let broken = slot0.replacingOccurrences(of: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd03a3", with: "0000000000000000000000000000000000000000000000000000000000fd03a3")
        #expect(throws: SourceError("slot0: word 1 does not fit int24")) {
            try UniswapV3.price(token0: Self.addressWord(Self.weth), slot0: broken, base: Self.weth, quote: Self.usdt)
        }
    }

    /// An ETH/USD round: roundId 110680464442257320247 (phase 6), answer 301250000000 at 8
    /// decimals = 3012.5, updatedAt 1732449587.
    static let round = "0x00000000000000000000000000000000000000000000000600000000000029370000000000000000000000000000000000000000000000000000004623e63480000000000000000000000000000000000000000000000000000000006743153300000000000000000000000000000000000000000000000000000000674315330000000000000000000000000000000000000000000000060000000000002937"
    static let eight = "0x0000000000000000000000000000000000000000000000000000000000000008"

    @Test func chainlinkRound() throws {
        let round = try Chainlink.round(decimals: Self.eight, latestRoundData: Self.round)
        #expect(round == Chainlink.Round(price: 3012.5, updatedAt: Date(timeIntervalSince1970: 1_732_449_587)))
    }

    @Test func chainlinkRefusesNegativeAndIncompleteRounds() {
        let negative = "0x0000000000000000000000000000000000000000000000060000000000002937fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffb000000000000000000000000000000000000000000000000000000006743153300000000000000000000000000000000000000000000000000000000674315330000000000000000000000000000000000000000000000060000000000002937"
        #expect(throws: SourceError("chainlink: answer is -5; a price must be positive")) {
            try Chainlink.round(decimals: Self.eight, latestRoundData: negative)
        }
        let unfinished = Self.round.replacingOccurrences(of: "0000000000000000000000000000000000000000000000000000000067431533000000000000000000000000000000000000000000000006", with: "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006")
        #expect(throws: SourceError("chainlink: updatedAt is 0; the round is incomplete")) {
            try Chainlink.round(decimals: Self.eight, latestRoundData: unfinished)
        }
        #expect(throws: SourceError("chainlink: return data is not 0x-prefixed hex")) {
            try Chainlink.round(decimals: Self.eight, latestRoundData: "0xzz")
        }
    }

    @Test func calldataPadsTheAddressArgument() {
        #expect(ContractFunction.balanceOf.calldata(address: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2")
            == "0x70a08231000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2")
        #expect(ContractFunction.getReserves.calldata() == "0x0902f1ac")
    }
}

@Suite struct APIDecodingTests {
    static let weth = OnChainDecodingTests.weth
    static let wethArbitrum = ChainToken(symbol: "WETH", address: "0x82af49447d8a07e3bd95bd0d56f35241523fbab1", decimals: 18)
    static let usdc = OnChainDecodingTests.usdc
    static let usdcArbitrum = ChainToken(symbol: "USDC", address: "0xaf88d065e77c8cc2239327c5edb3a432268e5831", decimals: 6)

    @Test func defiLlamaPrices() throws {
        let body = #"{"coins":{"ethereum:0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2":{"decimals":18,"symbol":"WETH","price":3012.44,"timestamp":1732449598,"confidence":0.99},"arbitrum:0xaf88d065e77c8cc2239327c5edb3a432268e5831":{"decimals":6,"symbol":"USDC","price":0,"timestamp":1732449598,"confidence":0.99}}}"#
        let keys = ["ethereum:0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", "arbitrum:0xaf88d065e77c8cc2239327c5edb3a432268e5831", "base:0x4200000000000000000000000000000000000006"]
        let prices = try DefiLlama.decode(Data(body.utf8), keys: keys)
        #expect(try prices[keys[0]]?.get() == APIPrice(priceUSD: 3012.44, observedAt: Date(timeIntervalSince1970: 1_732_449_598)))
        #expect(throws: SourceError("coins.arbitrum:0xaf88d065e77c8cc2239327c5edb3a432268e5831.price: expected a positive number, got number 0")) { try prices[keys[1]]?.get() }
        #expect(throws: SourceError("base:0x4200000000000000000000000000000000000006 is not in the response")) { try prices[keys[2]]?.get() }
    }

    @Test func coinGeckoPrices() throws {
        let body = #"{"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2":{"usd":3011.82,"last_updated_at":1732449590},"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48":{"usd":"1.0"}}"#
        let prices = try CoinGecko.decode(Data(body.utf8), addresses: [Self.weth.address, Self.usdc.address])
        #expect(try prices[Self.weth.address]?.get() == APIPrice(priceUSD: 3011.82, observedAt: Date(timeIntervalSince1970: 1_732_449_590)))
        #expect(throws: SourceError("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48.usd: expected a number, got string \"1.0\"")) { try prices[Self.usdc.address]?.get() }
    }

    @Test func malformedBodiesNameTheProblem() {
        #expect(throws: SourceError.self) { try DefiLlama.decode(Data(#"{"coins": {"a": {"price": NaN}}}"#.utf8), keys: ["a"]) }
        #expect(throws: SourceError("coins: expected an object, got a list")) { try DefiLlama.decode(Data(#"{"coins": []}"#.utf8), keys: ["a"]) }
        #expect(throws: SourceError.self) { try CoinGecko.decode(Data(#"{"0xab": {"usd": 1, "#.utf8), addresses: ["0xab"]) }
    }

    static func question(_ from: ChainToken, _ to: ChainToken, units: BigUInt) -> FeeQuestion {
        FeeQuestion(fromChainID: 1, toChainID: 42161, fromToken: from, toToken: to, units: units, sender: "0x000000000000000000000000000000000000dead")
    }

    /// Recorded from a suggested-fees answer for 1 WETH (Feb 2024): totalRelayFee 376607094864283
    /// = capital 100200000000000 + relayer gas 276407094864283, with lpFee 4552495218411721 apart.
    /// Fee = 4929102313276004 wei; fixed part 0.000276407094864283 WETH; proportional
    /// (4929102313276004 − 276407094864283) / 1e18 · 1e4 = 46.52695218411721 bps.
    @Test func acrossSuggestedFees() throws {
        let body = #"{"totalRelayFee":{"pct":"376607094864283","total":"376607094864283"},"relayerCapitalFee":{"pct":"100200000000000","total":"100200000000000"},"relayerGasFee":{"pct":"276407094864283","total":"276407094864283"},"lpFee":{"pct":"4552495218411721","total":"4552495218411721"},"timestamp":"1708047000","isAmountTooLow":false,"quoteBlock":"19237525","spokePoolAddress":"0xe35e9842fceaCA96570B734083f4a58e8F7C5f2A","exclusiveRelayer":"0x428AB2BA90Eba0a4Be7aF34C9Ac451ab061AC010","exclusivityDeadline":"10"}"#
        let quote = try Across.decode(Data(body.utf8), Self.question(Self.weth, Self.wethArbitrum, units: BigUInt(10).power(18)), gasUSD: 1.5)
        #expect(abs(quote.feeBps - 46.52695218411721) < 1e-9)
        #expect(quote.feeFixed == Amount("0.000276407094864283"))
        #expect(quote.gasUSD == 1.5)
        #expect(quote.maxAmount == nil)
        #expect(quote.observedAt == Date(timeIntervalSince1970: 1_708_047_000))
    }

    /// The newer shape: totalRelayFee includes the LP fee; limits and fill time given.
    @Test func acrossWithLimitsAndIncludedLPFee() throws {
        let body = #"{"estimatedFillTimeSec":4,"totalRelayFee":{"pct":"1620000000000000","total":"16200000"},"relayerCapitalFee":{"pct":"100000000000000","total":"1000000"},"relayerGasFee":{"pct":"20000000000000","total":"200000"},"lpFee":{"pct":"1500000000000000","total":"15000000"},"timestamp":"1732449590","isAmountTooLow":false,"limits":{"minDeposit":"1000000","maxDeposit":"1500000000000","maxDepositInstant":"250000000000","maxDepositShortDelay":"1500000000000","recommendedDepositInstant":"250000000000"}}"#
        let quote = try Across.decode(Data(body.utf8), Self.question(Self.usdc, Self.usdcArbitrum, units: 10_000_000_000), gasUSD: 0)
        // (16200000 − 200000) / 1e10 · 1e4 = 16 bps; fixed 0.2 USDC; max 1,500,000 USDC.
        #expect(abs(quote.feeBps - 16) < 1e-12)
        #expect(quote.feeFixed == Amount("0.2"))
        #expect(quote.maxAmount == Amount("1500000"))
        #expect(quote.etaSeconds == 4)
    }

    @Test func acrossRefusals() {
        let tooLow = #"{"isAmountTooLow":true,"totalRelayFee":{"pct":"1","total":"1"}}"#
        #expect(throws: SourceError("isAmountTooLow: the transfer size is below this route's minimum")) {
            try Across.decode(Data(tooLow.utf8), Self.question(Self.usdc, Self.usdcArbitrum, units: 1_000), gasUSD: 0)
        }
        let wrongType = #"{"totalRelayFee":{"pct":"1","total":12.5}}"#
        #expect(throws: SourceError("totalRelayFee.total: expected a whole number of token units as a decimal string, got number 12.5")) {
            try Across.decode(Data(wrongType.utf8), Self.question(Self.usdc, Self.usdcArbitrum, units: 1_000), gasUSD: 0)
        }
        let eatsAll = #"{"totalRelayFee":{"pct":"1","total":"1000"}}"#
        #expect(throws: SourceError("totalRelayFee.total 1000 is not below the amount 1000")) {
            try Across.decode(Data(eatsAll.utf8), Self.question(Self.usdc, Self.usdcArbitrum, units: 1_000), gasUSD: 0)
        }
    }

    /// A /quote answer for 1000 USDC ethereum → arbitrum: 1,000,000,000 in, 998,241,000 out
    /// = 17.59 bps; gas $1.84 plus a $0.50 fee not included in the amount = $2.34; 64.23 s.
    @Test func lifiQuote() throws {
        let body = #"{"type":"lifi","id":"0x2b1c","tool":"across","action":{"fromChainId":1,"toChainId":42161},"estimate":{"tool":"across","fromAmount":"1000000000","toAmount":"998241000","toAmountMin":"998241000","approvalAddress":"0x1231DEB6f5749EF6cE6943a275A1D3E7486F4EaE","executionDuration":64.23,"feeCosts":[{"name":"LIFI Fixed Fee","percentage":"0.0003","amount":"300000","amountUSD":"0.30","included":true},{"name":"Relayer fee","amount":"0","amountUSD":"0.50","included":false}],"gasCosts":[{"type":"SEND","price":"12000000000","estimate":"150000","limit":"200000","amount":"1800000000000000","amountUSD":"1.84"}],"fromAmountUSD":"999.91","toAmountUSD":"998.15"}}"#
        let quote = try LiFi.decode(Data(body.utf8), Self.question(Self.usdc, Self.usdcArbitrum, units: 1_000_000_000))
        #expect(abs(quote.feeBps - 17.59) < 1e-9)
        #expect(abs(quote.gasUSD - 2.34) < 1e-12)
        #expect(quote.etaSeconds == 65)
        #expect(quote.feeFixed == .zero)
        #expect(throws: SourceError("estimate.fromAmount is 1000000000, but 5 was asked for")) {
            try LiFi.decode(Data(body.utf8), Self.question(Self.usdc, Self.usdcArbitrum, units: 5))
        }
    }
}

/// Figures a hostile or broken API could send, refused by name instead of trapping or
/// poisoning the snapshot with an infinity.
@Suite struct HostileFigureTests {
    static let usdc = OnChainDecodingTests.usdc
    static let question = APIDecodingTests.question(usdc, APIDecodingTests.usdcArbitrum, units: 1_000_000_000)

    @Test func anAbsurdFillTimeIsRefused() {
        let body = #"{"estimatedFillTimeSec":1e300,"totalRelayFee":{"pct":"1","total":"1000"}}"#
        #expect(throws: SourceError("estimatedFillTimeSec: expected at most a week of seconds, got number 1e+300")) {
            try Across.decode(Data(body.utf8), Self.question, gasUSD: 0)
        }
        let lifi = #"{"estimate":{"fromAmount":"1000000000","toAmount":"999000000","executionDuration":"1e30"}}"#
        #expect(throws: SourceError.self) { try LiFi.decode(Data(lifi.utf8), Self.question) }
    }

    @Test func costsThatAddUpToInfinityAreRefused() {
        let body = #"{"estimate":{"fromAmount":"1000000000","toAmount":"999000000","gasCosts":[{"amountUSD":"1e308"},{"amountUSD":"1e308"}]}}"#
        #expect(throws: SourceError("estimate: gas and fee costs add up to no finite USD figure")) {
            try LiFi.decode(Data(body.utf8), Self.question)
        }
    }

    /// Escape sequences and newlines in a value or a key never reach a message.
    @Test func messagesQuotingABodyArePrintable() throws {
        let body = #"{"0xab\u001b[2J\nFAKE":{"usd":"1\u001b[31m\r\nFAKE LOG LINE"}}"#
        let results = try CoinGecko.decode(Data(body.utf8), addresses: ["0xab\u{1b}[2j\nfake"])
        let error = #expect(throws: SourceError.self) { try results.values.first?.get() }
        let reason = error?.reason ?? ""
        #expect(!reason.contains("\u{1b}") && !reason.contains("\n") && !reason.contains("\r"), "\(reason)")
        #expect(reason.contains("FAKE LOG LINE"))
    }
}
