import Foundation

/// A snapshot's prices reduced to one per (chain, token) and laid out by integer slot,
/// so the per-route work is array reads rather than string lookups.
struct MarketIndex {
    struct RouteSlots {
        var buy: Int
        var sell: Int
        /// Identifies (token, buy chain, sell chain).
        var pairKey: Int
    }

    private let chainIndex: [String: Int]
    private let tokenIndex: [String: Int]
    private let tokenDecimals: [Int]
    private let prices: [MarketPrice?]
    let issues: [PriceIssue]

    init(snapshot: Snapshot, tokens: [String], consensus: PriceConsensus) {
        chainIndex = Dictionary(snapshot.chains.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let listed = tokens.compactMap { snapshot.token($0) }
        tokenIndex = Dictionary(listed.enumerated().map { ($1.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        tokenDecimals = listed.map(\.decimals)

        let chainCount = snapshot.chains.count
        var grouped = [[PriceQuote]](repeating: [], count: listed.count * chainCount)
        for quote in snapshot.prices {
            guard let t = tokenIndex[quote.token], let c = chainIndex[quote.chain] else { continue }
            grouped[t * chainCount + c].append(quote)
        }
        var issues: [PriceIssue] = []
        prices = grouped.map { $0.isEmpty ? nil : consensus.reduce($0, takenAt: snapshot.takenAt, issues: &issues) }
        self.issues = issues
    }

    private var chainCount: Int { chainIndex.count }

    /// Nil for a route of a token the strategy does not trade.
    @inline(__always) func slots(of route: Route) -> RouteSlots? {
        guard let t = tokenIndex[route.token], let a = chainIndex[route.from], let b = chainIndex[route.to] else { return nil }
        return RouteSlots(buy: t * chainCount + a, sell: t * chainCount + b, pairKey: (t * chainCount + a) * chainCount + b)
    }

    @inline(__always) func price(_ slot: Int) -> MarketPrice? { prices[slot] }

    func decimals(of route: Route) -> Int {
        tokenIndex[route.token].map { tokenDecimals[$0] } ?? Amount.maxScale
    }
}
