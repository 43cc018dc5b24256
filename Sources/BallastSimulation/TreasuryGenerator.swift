import BallastCore
import Foundation

/// Generates treasuries to rebalance, shaped like real bridge networks: a hub chain linked to
/// every other chain, further links between other chains with a set probability, one or two
/// bridges per link, proportional fees of 0.5–30 bps, $1–60 of gas per transfer, $0–40k of
/// each token per chain, one to three tokens, random targets. Deterministic for a seed.
public struct TreasuryGenerator: Sendable {
    public var chains: Int
    public var seed: UInt64
    /// Probability that two non-hub chains are linked.
    public var linkProbability = 0.35
    /// Fixed costs (gas, fixed fees) on; off gives a linear program.
    public var fixedCosts = true
    /// Draw a `min_transfer_usd`, capacities and fixed fees in tokens at random (for tests).
    public var randomLimits = false
    /// Tokens are drawn from 1 up to this many.
    public var maxTokens = 3

    public init(chains: Int, seed: UInt64) {
        self.chains = chains
        self.seed = seed
    }

    static let catalogue: [(symbol: String, decimals: Int, price: Double)] = [("USDC", 6, 1), ("WETH", 18, 3000), ("WBTC", 8, 90_000)]

    public func market() -> (snapshot: Snapshot, strategy: Strategy) {
        var rng = SplitMix64(seed: seed)
        let names = (0..<chains).map { String(format: "chain%02d", $0) }
        let tokens = Array(Self.catalogue.prefix(Int.random(in: 1...max(1, min(3, maxTokens)), using: &rng)))
        let takenAt = MarketGenerator.takenAt, observed = takenAt.addingTimeInterval(-5)
        var links: [(Int, Int)] = (1..<chains).map { (0, $0) }
        for a in 1..<max(1, chains) {
            for b in (a + 1)..<max(a + 1, chains) where Double.random(in: 0..<1, using: &rng) < linkProbability { links.append((a, b)) }
        }
        var prices: [PriceQuote] = [], routes: [Route] = [], balances: [Balance] = []
        var targets: [String: [String: TargetShare]] = [:]
        for token in tokens {
            for chain in names {
                let price = token.price * Double.random(in: 0.999...1.001, using: &rng)
                prices.append(PriceQuote(chain: chain, token: token.symbol, priceUSD: (price * 1e4).rounded() / 1e4,
                                         observedAt: observed, source: "feed"))
                let usd = Double.random(in: 0...40_000, using: &rng)
                balances.append(Balance(chain: chain, token: token.symbol,
                                        amount: Amount(flooring: usd / token.price, decimals: min(token.decimals, 6))!))
            }
            for (a, b) in links {
                for bridge in 0..<Int.random(in: 1...2, using: &rng) {
                    for (from, to) in [(a, b), (b, a)] {
                        let fixedTokens = randomLimits && Bool.random(using: &rng)
                            ? Amount(flooring: Double.random(in: 0...5, using: &rng) / token.price, decimals: min(token.decimals, 6))! : .zero
                        let cap = randomLimits && Int.random(in: 0..<4, using: &rng) == 0
                            ? Amount(flooring: Double.random(in: 2_000...30_000, using: &rng) / token.price, decimals: min(token.decimals, 6)) : nil
                        routes.append(Route(from: names[from], to: names[to], token: token.symbol, bridge: "bridge\(bridge)",
                                            feeBps: (Double.random(in: 0.5...30, using: &rng) * 100).rounded() / 100,
                                            feeFixed: fixedCosts ? fixedTokens : .zero,
                                            gasUSD: fixedCosts ? Double(Int.random(in: 100...6_000, using: &rng)) / 100 : 0,
                                            etaSeconds: 60, maxAmount: cap, observedAt: observed))
                    }
                }
            }
            targets[token.symbol] = Self.randomWeights(names, &rng)
        }
        let minTransfer = randomLimits ? [0, 100, 500, 2_000].randomElement(using: &rng)! : 0
        let rules = RebalanceRules(threshold: 0.05, minTransferUSD: fixedCosts ? Double(minTransfer) : 0, maxFeeBps: 100,
                                   targets: targets)
        let snapshot = Snapshot(takenAt: takenAt, tokens: tokens.map { Token(symbol: $0.symbol, decimals: $0.decimals) },
                                chains: names.enumerated().map { Chain(name: $1, chainID: $0 + 1) },
                                prices: prices, routes: routes, balances: balances)
        return (snapshot, Strategy(name: "generated", tokens: tokens.map(\.symbol), rebalance: rules))
    }

    /// Target fractions of four decimals summing exactly to 1; a chain in four gets none. Each
    /// target has its own band (short below 75% of it): a band of θ·B would vanish on many chains.
    static func randomWeights(_ names: [String], _ rng: inout SplitMix64) -> [String: TargetShare] {
        let raw = names.map { _ in Int.random(in: 0..<4, using: &rng) == 0 ? 0 : Int.random(in: 1...100, using: &rng) }
        let total = max(1, raw.reduce(0, +))
        var parts = raw.map { $0 * 10_000 / total }
        parts[raw.firstIndex { $0 > 0 } ?? 0] += 10_000 - parts.reduce(0, +)
        return Dictionary(uniqueKeysWithValues: zip(names, parts).filter { $0.1 > 0 }.map { ($0.0, TargetShare(Double($0.1) / 10_000, band: 0.25)) })
    }
}
