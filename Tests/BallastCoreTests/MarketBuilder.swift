@testable import BallastCore
import Foundation

/// Builds small snapshots for tests, one price or route at a time.
struct MarketBuilder {
    static let takenAt = Timestamp.parse("2026-11-24T12:00:00Z")!

    var snapshot = Snapshot(takenAt: takenAt, tokens: [Token(symbol: "WETH", decimals: 18)],
                            chains: ["a", "b", "c", "d", "e", "f"].enumerated().map { Chain(name: $1, chainID: $0 + 1) })

    mutating func price(_ chain: String, _ price: Double, swapFeeBps: Double? = nil, source: String = "feed",
                        ageSeconds: Double = 1, token: String = "WETH") {
        snapshot.prices.append(PriceQuote(chain: chain, token: token, priceUSD: price,
                                          observedAt: Self.takenAt.addingTimeInterval(-ageSeconds), source: source,
                                          swapFeeBps: swapFeeBps))
    }

    mutating func pool(_ chain: String, x: String, y: String, feeBps: Double, source: String = "amm",
                       ageSeconds: Double = 1, token: String = "WETH") {
        let pool = Pool(tokenReserve: Amount(x)!, usdReserve: Amount(y)!, feeBps: feeBps)
        snapshot.prices.append(PriceQuote(chain: chain, token: token, priceUSD: pool.spotPrice,
                                          observedAt: Self.takenAt.addingTimeInterval(-ageSeconds), source: source, pool: pool))
    }

    mutating func route(_ from: String, _ to: String, bridge: String = "across", feeBps: Double = 0, fixed: String = "0",
                        gas: Double = 0, eta: Int = 60, max: String? = nil, ageSeconds: Double = 1, token: String = "WETH") {
        snapshot.routes.append(Route(from: from, to: to, token: token, bridge: bridge, feeBps: feeBps,
                                     feeFixed: Amount(fixed)!, gasUSD: gas, etaSeconds: eta,
                                     maxAmount: max.map { Amount($0)! },
                                     observedAt: Self.takenAt.addingTimeInterval(-ageSeconds)))
    }

    static func strategy(minProfit: Double = 0, minROIBps: Double = 0, maxTrade: Double = 1e12, maxAge: Double = 60,
                         tokens: [String] = ["WETH"]) -> Strategy {
        Strategy(name: "test", tokens: tokens,
                 arbitrage: ArbitrageRules(minProfitUSD: minProfit, minROIBps: minROIBps, maxTradeUSD: maxTrade,
                                           maxPriceAgeSeconds: maxAge))
    }

    func scan(_ strategy: Strategy = MarketBuilder.strategy(), explain: Int = 0) -> ScanReport {
        ArbitrageDetector(strategy: strategy)!.scan(snapshot, explain: explain)
    }
}

func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300)
}
