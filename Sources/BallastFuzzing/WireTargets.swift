import BallastChains
import BallastCore
import BigInt
import Foundation

/// Answers from nodes and APIs, each through its decoder, for the tokens the recorded seed
/// bodies name (so the fuzzer starts deep in each decoder).
enum WireTargets {
    static let weth = ChainToken(symbol: "WETH", address: "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", decimals: 18)
    static let usdc = ChainToken(symbol: "USDC", address: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", decimals: 6)
    static let wethArbitrum = ChainToken(symbol: "WETH", address: "0x82af49447d8a07e3bd95bd0d56f35241523fbab1", decimals: 18)
    static let usdcArbitrum = ChainToken(symbol: "USDC", address: "0xaf88d065e77c8cc2239327c5edb3a432268e5831", decimals: 6)

    static func rpcBatch(_ input: Data) -> Bool {
        let parts = FuzzTarget.parts(input)
        guard parts.count == 2, let count = Int(String(decoding: parts[0], as: UTF8.self)), (1...500).contains(count) else { return false }
        return (try? JSONRPC.decodeBatch(parts[1], count: count)) != nil
    }

    /// Two answers, as the hex text an `eth_call` returns.
    private static func answers(_ input: Data) -> (String, String)? {
        let parts = FuzzTarget.parts(input).map { String(decoding: $0, as: UTF8.self) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    static func uniswapV2(_ input: Data) -> Bool {
        guard let (token0, reserves) = answers(input) else { return false }
        let direct = try? UniswapV2.reserves(token0: token0, getReserves: reserves, base: weth, quote: usdc)
        let inverse = try? UniswapV2.reserves(token0: token0, getReserves: reserves, base: usdc, quote: weth)
        return direct != nil && inverse != nil
    }

    static func uniswapV3(_ input: Data) -> Bool {
        guard let (token0, slot0) = answers(input) else { return false }
        let direct = try? UniswapV3.price(token0: token0, slot0: slot0, base: weth, quote: usdc)
        let inverse = try? UniswapV3.price(token0: token0, slot0: slot0, base: usdc, quote: weth)
        return direct != nil && inverse != nil
    }

    static func chainlink(_ input: Data) -> Bool {
        guard let (decimals, round) = answers(input) else { return false }
        return (try? Chainlink.round(decimals: decimals, latestRoundData: round)) != nil
    }

    /// A body is accepted when it decodes and prices at least one of the keys asked.
    static func defiLlama(_ input: Data) -> Bool {
        let prices = try? DefiLlama.decode(input, keys: ["ethereum:\(weth.address)", "arbitrum:\(usdcArbitrum.address)", "base:0x4200000000000000000000000000000000000006"])
        return prices?.values.contains { (try? $0.get()) != nil } == true
    }

    static func coinGecko(_ input: Data) -> Bool {
        let prices = try? CoinGecko.decode(input, addresses: [weth.address, usdc.address])
        return prices?.values.contains { (try? $0.get()) != nil } == true
    }

    /// Read for a WETH and a USDC route: a body is accepted when either reads.
    static func across(_ input: Data) -> Bool {
        let weth = try? Across.decode(input, question(weth, wethArbitrum, units: BigUInt(10).power(18)), gasUSD: 1.5)
        let usdc = try? Across.decode(input, question(usdc, usdcArbitrum, units: 10_000_000_000), gasUSD: 0)
        return weth != nil || usdc != nil
    }

    static func lifi(_ input: Data) -> Bool {
        (try? LiFi.decode(input, question(usdc, usdcArbitrum, units: 1_000_000_000))) != nil
    }

    private static func question(_ from: ChainToken, _ to: ChainToken, units: BigUInt) -> FeeQuestion {
        FeeQuestion(fromChainID: 1, toChainID: 42161, fromToken: from, toToken: to, units: units,
                    sender: "0x00000000000000000000000000000000000b411a")
    }
}
