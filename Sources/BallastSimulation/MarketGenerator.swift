import BallastCore
import Foundation

/// Generates a synthetic market of a given size: every token priced on every chain
/// (half of the prices with pools), one bridge route on every ordered chain pair for
/// every token, and balances. Prices scatter ±0.3% around each token's base price, so a
/// realistic share of routes is worth a look.
public struct MarketGenerator: Sendable {
    public var chains: Int
    public var tokens: Int
    /// Bridges on every ordered chain pair, for every token.
    public var bridgesPerPair: Int
    public var seed: UInt64

    public init(chains: Int, tokens: Int, bridgesPerPair: Int = 1, seed: UInt64 = 1) {
        self.chains = chains
        self.tokens = tokens
        self.bridgesPerPair = bridgesPerPair
        self.seed = seed
    }

    static let bridgeNames = ["across", "stargate", "cctp", "hop", "synapse", "celer"]

    public static let takenAt = Timestamp.parse("2026-11-24T12:00:00Z")!

    public var chainNames: [String] { (0..<chains).map { "chain\($0)" } }
    public var tokenSymbols: [String] { (0..<tokens).map { "TK\($0)" } }

    public func snapshot() -> Snapshot {
        var rng = SplitMix64(seed: seed)
        let chainNames = chainNames, symbols = tokenSymbols
        let observed = Self.takenAt.addingTimeInterval(-5)
        var prices: [PriceQuote] = []
        prices.reserveCapacity(chains * tokens)
        var routes: [Route] = []
        routes.reserveCapacity(chains * (chains - 1) * tokens * bridgesPerPair)
        var balances: [Balance] = []
        for (t, symbol) in symbols.enumerated() {
            let base = Double(Int.random(in: 1...5000, using: &rng))
            for chain in chainNames {
                // Feeds quote a handful of significant digits, not seventeen.
                let price = (base * Double.random(in: 0.997...1.003, using: &rng) * 10_000).rounded() / 10_000
                if Bool.random(using: &rng) {
                    let x = Amount(Int.random(in: 100...100_000, using: &rng))
                    let y = Amount(flooring: x.doubleValue * price, decimals: 2)!
                    prices.append(PriceQuote(chain: chain, token: symbol, priceUSD: y.doubleValue / x.doubleValue,
                                             observedAt: observed, source: "amm",
                                             pool: Pool(tokenReserve: x, usdReserve: y, feeBps: 30)))
                } else {
                    prices.append(PriceQuote(chain: chain, token: symbol, priceUSD: price, observedAt: observed,
                                             source: "oracle", swapFeeBps: 5))
                }
                balances.append(Balance(chain: chain, token: symbol, amount: Amount(Int.random(in: 0...10_000, using: &rng))))
            }
            for from in chainNames {
                for to in chainNames where from != to {
                    for b in 0..<bridgesPerPair {
                        routes.append(Route(from: from, to: to, token: symbol,
                                            bridge: Self.bridgeNames[(t + b) % Self.bridgeNames.count],
                                            feeBps: Double(Int.random(in: 1...20, using: &rng)), feeFixed: .zero,
                                            gasUSD: Double(Int.random(in: 1...300, using: &rng)) / 100, etaSeconds: 90,
                                            maxAmount: nil, observedAt: observed))
                    }
                }
            }
        }
        return Snapshot(takenAt: Self.takenAt, tokens: symbols.map { Token(symbol: $0, decimals: 18) },
                        chains: chainNames.enumerated().map { Chain(name: $1, chainID: $0 + 1) },
                        prices: prices, routes: routes, balances: balances)
    }

    /// A strategy that trades every generated token and targets an even spread across chains,
    /// with a band of a fifth of each chain's share.
    public func strategy() -> Strategy {
        let even = 1.0 / Double(chains)
        var weights = Dictionary(uniqueKeysWithValues: chainNames.map { ($0, even) })
        // Fractions must sum to 1 within 1e-9: give the rounding remainder to the first chain.
        weights[chainNames[0]]! += 1 - weights.values.reduce(0, +)
        return Strategy(name: "bench", tokens: tokenSymbols,
                        arbitrage: ArbitrageRules(minProfitUSD: 10, minROIBps: 5, maxTradeUSD: 100_000, maxPriceAgeSeconds: 60),
                        rebalance: RebalanceRules(threshold: 0.2 / Double(chains), minTransferUSD: 500, maxFeeBps: 50,
                                                  targets: Dictionary(uniqueKeysWithValues: tokenSymbols.map { ($0, weights.mapValues { TargetShare($0) }) })))
    }
}
