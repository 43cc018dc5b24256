import Foundation

/// Everything one run saw of the market: the seam between I/O and decisions.
///
/// Detection and planning are pure functions of a snapshot and a strategy, so a
/// saved snapshot replays any decision exactly.
public struct Snapshot: Sendable, Hashable {
    /// The only format version this build reads and writes.
    public static let formatVersion = 1

    public var takenAt: Date
    public var tokens: [Token]
    public var chains: [Chain]
    public var prices: [PriceQuote]
    public var routes: [Route]
    public var balances: [Balance]

    public init(takenAt: Date, tokens: [Token], chains: [Chain], prices: [PriceQuote] = [],
                routes: [Route] = [], balances: [Balance] = []) {
        self.takenAt = takenAt
        self.tokens = tokens
        self.chains = chains
        self.prices = prices
        self.routes = routes
        self.balances = balances
    }

    public func token(_ symbol: String) -> Token? {
        tokens.first { $0.symbol == symbol }
    }
}

extension Snapshot {
    /// Each (chain, token)'s median quoted USD price (a pool's at its spot), keyed `chain/token`:
    /// for display and for valuing figures after the fact. Decisions go through
    /// ``PriceConsensus``, which also drops stale and outlying sources.
    public func medianPrices() -> [String: Double] {
        var quotes: [String: [Double]] = [:]
        for q in prices {
            let price = q.pool?.spotPrice ?? q.priceUSD
            if price.isFinite, price > 0 { quotes["\(q.chain)/\(q.token)", default: []].append(price) }
        }
        return quotes.mapValues { values in
            let sorted = values.sorted(), middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
    }
}
