import BallastCore

/// The project seed's detector, kept only as the benchmark's baseline: for every token,
/// a double loop over chains that subtracts one flat fee per chain from the price
/// difference and keeps the best ROI. It ignores routes, pools, sizes and freshness,
/// which is why it was replaced; the benchmark reports how the real detector's speed
/// compares with it.
public enum SeedDoubleLoop {
    public struct Best: Sendable {
        public var token: String
        public var buyChain: String
        public var sellChain: String
        public var roi: Double
    }

    public static func scan(_ snapshot: Snapshot, flatFeeUSD: Double = 1, tradeUSD: Double = 10_000) -> [Best] {
        var priceByKey: [String: Double] = [:]
        for quote in snapshot.prices { priceByKey["\(quote.chain)/\(quote.token)"] = quote.priceUSD }
        var results: [Best] = []
        for token in snapshot.tokens {
            var best: Best?
            for a in snapshot.chains {
                for b in snapshot.chains where a.name != b.name {
                    guard let pa = priceByKey["\(a.name)/\(token.symbol)"], let pb = priceByKey["\(b.name)/\(token.symbol)"] else { continue }
                    let size = tradeUSD / pa
                    let profit = (pb - pa) * size - 2 * flatFeeUSD
                    let roi = profit / tradeUSD
                    if roi > (best?.roi ?? 0) { best = Best(token: token.symbol, buyChain: a.name, sellChain: b.name, roi: roi) }
                }
            }
            if let best { results.append(best) }
        }
        return results
    }
}
