import BallastCore
import Foundation

/// A deterministic multi-chain market: chains, tokens, prices, pools, feeds, bridge fees
/// and a treasury, with every figure derived from the indices so tests can state the
/// expected snapshot. It writes the chain files that point Ballast at it and answers the
/// wire formats Ballast reads (see `SimulatedMarket+Wire`).
///
/// Sources per (chain, token): token 0 (`USDC`, $1) has Chainlink and DefiLlama; odd
/// tokens a Uniswap V2 pair against USDC and Chainlink; even tokens from 2 a Uniswap V3
/// pool against USDC and CoinGecko. Every chain bridges every token to the next
/// `bridgeFanout` chains through `across`; the first chain also quotes USDC to the second
/// through `lifi`.
public struct SimulatedMarket: Sendable {
    public let chainCount: Int
    public let tokenCount: Int
    public let bridgeFanout: Int
    public let treasury = "0x00000000000000000000000000000000000b411a"
    /// Pools hold this much USD on each side.
    public static let poolDepthUSD = 5_000_000.0
    public static let acrossFeeBps = 5.0
    public static let lifiFeeBps = 8.0
    /// Scenarios bridge each chain to the next two only: many pairs have no direct route, so a
    /// plan must relay, as real networks make it.
    public static let scenarioFanout = 2
    /// Across's `estimatedFillTimeSec`.
    public var fillSeconds = 60
    /// The Chainlink feeds' heartbeat in the chain files.
    public var feedHeartbeatSeconds = 3600

    public init(chains: Int, tokens: Int, bridgeFanout: Int? = nil) {
        precondition(chains >= 2 && chains <= 0xFFFF && tokens >= 1 && tokens <= 0xFFFF)
        chainCount = chains
        tokenCount = tokens
        self.bridgeFanout = min(bridgeFanout ?? chains - 1, chains - 1)
    }

    // MARK: Names and figures

    public func chainName(_ c: Int) -> String { "chain\(c < 10 ? "0" : "")\(c)" }
    public func chainID(_ c: Int) -> Int { 1000 + c }
    public func symbol(_ t: Int) -> String { t == 0 ? "USDC" : t == 1 ? "WETH" : t == 2 ? "WBTC" : "TK\(t)" }
    public func decimals(_ t: Int) -> Int { t == 0 ? 6 : t == 2 ? 8 : 18 }
    public func chainIndex(named name: String) -> Int? { (0..<chainCount).first { chainName($0) == name } }
    public func tokenIndex(symbol s: String) -> Int? { (0..<tokenCount).first { symbol($0) == s } }

    /// The token's USD price on a chain: a base price with a small per-chain spread, so
    /// arbitrage exists between chains.
    public func priceUSD(_ t: Int, chain c: Int) -> Double {
        guard t > 0 else { return 1 }
        let base = t == 1 ? 3000.0 : t == 2 ? 60_000.0 : 10.0 * Double(t)
        return base * (1 + Double(c % 5 - 2) * 0.0015)
    }

    /// The market's contracts; their addresses encode what they are: kind, chain, token.
    public enum Kind: Int, Sendable { case token = 1, pairV2 = 2, poolV3 = 3, feed = 4 }

    public func address(_ kind: Kind, chain c: Int, token t: Int) -> String {
        "0x" + Self.hex(kind.rawValue, 2) + Self.hex(c, 6) + Self.hex(t, 6) + String(repeating: "0", count: 26)
    }

    public func tokenAddress(_ t: Int, chain c: Int) -> String { address(.token, chain: c, token: t) }

    static func hex(_ value: Int, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Which contract an address is, if it is one of this market's.
    func decode(address: String) -> (kind: Kind, chain: Int, token: Int)? {
        let digits = Array(address.lowercased().utf8.dropFirst(2))
        guard digits.count == 40, let k = Int(String(decoding: digits[0..<2], as: UTF8.self), radix: 16), let kind = Kind(rawValue: k),
              let c = Int(String(decoding: digits[2..<8], as: UTF8.self), radix: 16),
              let t = Int(String(decoding: digits[8..<14], as: UTF8.self), radix: 16), c < chainCount, t < tokenCount else { return nil }
        return (kind, c, t)
    }

    /// A treasury's balance: a different amount on every chain.
    public func balanceUnits(_ t: Int, chain c: Int) -> Int128 {
        Int128(100 + 37 * c) * Self.power(decimals(t)) / (t == 2 ? 100 : 1)
    }

    /// The size fee quotes are asked at: about $10,000, to four decimals at most.
    public func transferSize(_ t: Int) -> Amount {
        Amount(flooring: 10_000 / priceUSD(t, chain: 0), decimals: min(decimals(t), 4))!
    }

    static func power(_ n: Int) -> Int128 { (0..<n).reduce(Int128(1)) { r, _ in r * 10 } }

    // MARK: Sources

    public enum PriceKind: String, Sendable { case chainlink, defillama, coingecko, uniswapV2 = "uniswap-v2", uniswapV3 = "uniswap-v3" }

    public func priceKinds(_ t: Int) -> [PriceKind] {
        t == 0 ? [.chainlink, .defillama] : t % 2 == 1 ? [.uniswapV2, .chainlink] : [.uniswapV3, .coingecko]
    }

    public func destinations(_ c: Int) -> [Int] { (1...max(1, bridgeFanout)).map { (c + $0) % chainCount } }

    /// Every route the market quotes: (bridge, from, to, token).
    public var routes: [(bridge: String, from: Int, to: Int, token: Int)] {
        var all: [(String, Int, Int, Int)] = []
        for c in 0..<chainCount {
            for d in destinations(c) { for t in 0..<tokenCount { all.append(("across", c, d, t)) } }
        }
        if chainCount >= 2 { all.append(("lifi", 0, 1, 0)) }
        return all
    }

    // MARK: Chain files

    /// `chains/NAME.yaml` texts pointing at `baseURL`; `rpcOverride` replaces a chain's RPC URL
    /// (a closed port, to test a refused connection).
    public func chainFiles(baseURL: String, rpcOverride: [String: String] = [:]) -> [String: String] {
        var files: [String: String] = [:]
        for c in 0..<chainCount {
            let name = chainName(c)
            var y = ["# Generated by the simulated market.", "name: \(name)", "chain_id: \(chainID(c))",
                     "rpc: \(rpcOverride[name] ?? "\(baseURL)/rpc/\(name)")", "treasury: \"\(treasury)\"", "tokens:"]
            for t in 0..<tokenCount {
                y.append("  \(symbol(t)): {address: \"\(tokenAddress(t, chain: c))\", decimals: \(decimals(t)), transfer_size: \"\(transferSize(t))\"}")
            }
            y.append("prices:")
            for t in 0..<tokenCount {
                y.append("  \(symbol(t)):")
                for kind in priceKinds(t) {
                    switch kind {
                    case .chainlink:
                        y.append("    - {source: chainlink, feed: \"\(address(.feed, chain: c, token: t))\", heartbeat_seconds: \(feedHeartbeatSeconds)}")
                    case .defillama:
                        y.append("    - {source: defillama, url: \"\(baseURL)/llama\", chain: \(name)}")
                    case .coingecko:
                        y.append("    - {source: coingecko, url: \"\(baseURL)/gecko\", platform: \(name)}")
                    case .uniswapV2:
                        y.append("    - {source: uniswap-v2, pair: \"\(address(.pairV2, chain: c, token: t))\", quote: USDC, fee_bps: 30}")
                    case .uniswapV3:
                        y.append("    - {source: uniswap-v3, pool: \"\(address(.poolV3, chain: c, token: t))\", quote: USDC, fee_bps: 5}")
                    }
                }
            }
            let everyToken = (0..<tokenCount).map(symbol).joined(separator: ", ")
            y.append("bridges:")
            y.append("  - {bridge: across, url: \"\(baseURL)/across\", to: [\(destinations(c).map(chainName).joined(separator: ", "))], tokens: [\(everyToken)], gas_usd: 0.8}")
            if c == 0 {
                y.append("  - {bridge: lifi, url: \"\(baseURL)/lifi\", to: [\(chainName(1))], tokens: [USDC]}")
            }
            files["\(name).yaml"] = y.joined(separator: "\n") + "\n"
        }
        return files
    }

    /// Writes the chain files into a new temporary directory and returns its path.
    public func writeChainFiles(baseURL: String, rpcOverride: [String: String] = [:]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-market-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in chainFiles(baseURL: baseURL, rpcOverride: rpcOverride) {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }
        return directory.path
    }

    /// A strategy for this market: every token, even targets over `chains` (each with a band of a
    /// quarter of it), and, given `custody` (its URL and the variable naming the webhook secret),
    /// live execution through it.
    public func strategyText(name: String, chains: [Int], cooldownSeconds: Int = 60,
                             custody: (url: String, secretVariable: String)? = nil) -> String {
        let names = chains.map(chainName)
        let tokens = (0..<tokenCount).map(symbol)
        // Fractions with four decimals summing exactly to 1: the first chain takes the remainder.
        let each = 10_000 / max(1, names.count)
        let first = 10_000 - (names.count - 1) * each
        // Each chain's band a quarter of its own target: a band of the token's total would vanish on many chains.
        let targets = names.enumerated().map { i, name in "\(name): {target: \(Double(i == 0 ? first : each) / 10_000), band: 0.25}" }
            .joined(separator: ", ")
        var lines = [
            "# A strategy for the simulated market (\(chainCount) chains × \(tokenCount) tokens).",
            "name: \(name)",
            "tokens: [\(tokens.joined(separator: ", "))]",
            "arbitrage: {min_profit_usd: 5, min_roi_bps: 2, max_trade_usd: 50000, max_price_age_seconds: 300}",
            "rebalance:",
            "  threshold: 0.05",
            "  min_transfer_usd: 10",
            "  max_fee_bps: 50",
            "  cooldown_seconds: \(cooldownSeconds)",
            "  targets:",
        ]
        lines += tokens.map { "    \($0): {\(targets)}" }
        if let custody {
            lines += ["execution:", "  webhook:", "    url: \(custody.url)", "    secret: ${\(custody.secretVariable)}", "    timeout_seconds: 5"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
