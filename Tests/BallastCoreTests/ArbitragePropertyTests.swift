@testable import BallastCore
import Foundation
import Testing

/// The detector's size and profit against a brute-force search, on thousands of random
/// small universes. The reference below is written from DESIGN.md's formulas directly and
/// shares no code with the detector.
@Suite struct ArbitragePropertyTests {
    struct Side {
        var price: Double
        var swapFee: Double
        var pool: (x: Double, y: Double, fee: Double)?

        func cost(_ q: Double) -> Double {
            guard let p = pool else { return q * price * (1 + swapFee) }
            return q < p.x ? p.y * q / ((p.x - q) * (1 - p.fee)) : .infinity
        }

        func proceeds(_ r: Double) -> Double {
            guard r > 0 else { return 0 }
            guard let p = pool else { return r * price * (1 - swapFee) }
            return r * (1 - p.fee) * p.y / (p.x + r * (1 - p.fee))
        }

        var spot: Double { pool.map { $0.y / $0.x } ?? price }
    }

    /// The best profit over (0, qMax]: a fine grid, then a finer grid around the best point, twice.
    static func bruteForce(buy: Side, sell: Side, a: Double, fixed: Double, gas: Double, qMax: Double) -> (q: Double, profit: Double) {
        func profit(_ q: Double) -> Double { sell.proceeds(a * q - fixed) - buy.cost(q) - gas }
        var lo = 0.0, hi = qMax
        var best = (q: qMax, profit: profit(qMax))
        for _ in 0..<4 {
            let steps = 400
            let width = (hi - lo) / Double(steps)
            for i in 1...steps {
                let q = lo + Double(i) * width
                let p = profit(q)
                if p > best.profit { best = (q, p) }
            }
            lo = max(0, best.q - width)
            hi = min(qMax, best.q + width)
        }
        return best
    }

    @Test func matchesBruteForceOnRandomUniverses() throws {
        var rng = SplitMix64(seed: 20_261_124)
        var compared = 0, found = 0
        for _ in 0..<2_000 {
            var market = MarketBuilder()
            market.snapshot.chains = Array(market.snapshot.chains.prefix(3))
            var sides: [String: Side] = [:]
            for chain in ["a", "b", "c"] {
                let price = Double.random(in: 900...1100, using: &rng)
                if Bool.random(using: &rng) {
                    let x = Double(Int.random(in: 5...5000, using: &rng))
                    let y = (x * price).rounded()
                    let fee = Double(Int.random(in: 0...100, using: &rng))
                    market.pool(chain, x: "\(Int(x))", y: "\(Int(y))", feeBps: fee)
                    sides[chain] = Side(price: y / x, swapFee: 0, pool: (x, y, fee / 10_000))
                } else {
                    let fee = Double(Int.random(in: 0...30, using: &rng))
                    market.price(chain, price, swapFeeBps: fee)
                    sides[chain] = Side(price: price, swapFee: fee / 10_000, pool: nil)
                }
            }
            var routes: [(from: String, to: String, a: Double, fixed: Double, gas: Double, max: Double?)] = []
            for from in ["a", "b", "c"] {
                for to in ["a", "b", "c"] where from != to {
                    let bps = Double(Int.random(in: 0...50, using: &rng))
                    let fixed = Double(Int.random(in: 0...2000, using: &rng)) / 1000
                    let gas = Double(Int.random(in: 0...500, using: &rng)) / 100
                    let max: Double? = Bool.random(using: &rng) ? Double(Int.random(in: 1...200, using: &rng)) : nil
                    market.route(from, to, feeBps: bps, fixed: String(fixed), gas: gas, max: max.map { "\(Int($0))" })
                    routes.append((from, to, 1 - bps / 10_000, fixed, gas, max))
                }
            }
            let maxTrade = Double(Int.random(in: 1_000...500_000, using: &rng))
            let report = market.scan(MarketBuilder.strategy(minProfit: 0.01, maxTrade: maxTrade))
            for route in routes {
                let buy = sides[route.from]!, sell = sides[route.to]!
                var qMax = maxTrade / buy.spot
                if let cap = route.max { qMax = min(qMax, cap) }
                let reference = Self.bruteForce(buy: buy, sell: sell, a: route.a, fixed: route.fixed, gas: route.gas, qMax: qMax)
                let detected = report.opportunities.first { $0.buyChain == route.from && $0.sellChain == route.to }
                compared += 1
                if let detected {
                    found += 1
                    // The detector is never worse than the search, and the search never finds more.
                    let slack = 1e-7 * max(1, abs(reference.profit))
                    #expect(detected.profitUSD >= reference.profit - slack, "\(route) detector \(detected.profitUSD) vs search \(reference.profit)")
                    #expect(detected.profitUSD <= reference.profit + slack + 1e-9 * detected.costUSD)
                    #expect(abs(detected.amount.doubleValue - reference.q) <= 1e-3 * max(1, reference.q) || reference.profit - detected.profitUSD < slack,
                            "\(route) size \(detected.amount) vs \(reference.q)")
                    #expect(detected.amount.doubleValue <= qMax * (1 + 1e-12))
                } else {
                    // Nothing reported: the search must not find a profit worth the minimum either.
                    #expect(reference.profit < 0.01 + 1e-7 * max(1, abs(reference.profit)), "\(route) missed a profit of \(reference.profit)")
                }
            }
        }
        #expect(compared == 12_000)
        #expect(found > 1_000)  // the universes must exercise the interesting branch, not only rejections
    }
}
