import Foundation

/// A snapshot's prices reduced to one per (chain, token) and its routes compiled to
/// integer slots and plain numbers, so the per-route work is array reads, not string
/// lookups.
struct MarketIndex {
    /// One route as the detector needs it.
    struct CompiledRoute {
        var routeIndex: Int32
        var buy: Int32
        var sell: Int32
        var token: Int32
        /// Identifies (token, buy chain, sell chain).
        var pairKey: Int
        var bridge: BridgeTerms
        /// The route's `max_amount` as a number; infinity for none.
        var maxAmount: Double
        var ageSeconds: Double
    }

    private let chainNames: [String]
    private let tokenDecimals: [Int]
    private let prices: [MarketPrice?]
    /// The same prices as trade sides, computed once per slot rather than once per route.
    private let buySides: [TradeSide?]
    private let sellSides: [TradeSide?]
    let issues: [PriceIssue]
    // Each route field keeps its own cursor: origins repeat, destinations walk the chain list.
    private let origins: NameLookup
    private let destinations: NameLookup
    private let routeTokens: NameLookup
    private let takenAt: TimeInterval

    init(snapshot: Snapshot, tokens: [String], consensus: PriceConsensus) {
        chainNames = snapshot.chains.map(\.name)
        let listed = tokens.compactMap { snapshot.token($0) }
        tokenDecimals = listed.map(\.decimals)
        let market = consensus.reduce(snapshot, tokens: listed)
        prices = market.prices
        buySides = prices.map { $0.map(TradeSide.buying) }
        sellSides = prices.map { $0.map(TradeSide.selling) }
        issues = market.issues

        origins = NameLookup(chainNames)
        destinations = NameLookup(chainNames)
        routeTokens = NameLookup(listed.map(\.symbol))
        takenAt = snapshot.takenAt.timeIntervalSinceReferenceDate
    }

    /// Resolves one route to slots and numbers; nil for a token the strategy does not trade.
    /// Done as the routes stream past, so no array the size of the market is built per scan.
    @inline(__always) func compile(_ route: UnsafePointer<Route>, at index: Int) -> CompiledRoute? {
        guard let t = routeTokens.index(of: route.pointee.token), let a = origins.index(of: route.pointee.from),
              let b = destinations.index(of: route.pointee.to) else { return nil }
        let chainCount = chainNames.count
        return CompiledRoute(
            routeIndex: Int32(index), buy: Int32(t * chainCount + a), sell: Int32(t * chainCount + b), token: Int32(t),
            pairKey: (t * chainCount + a) * chainCount + b, bridge: BridgeTerms(route.pointee),
            maxAmount: route.pointee.maxAmount?.doubleValue ?? .infinity,
            ageSeconds: takenAt - route.pointee.observedAt.timeIntervalSinceReferenceDate)
    }

    @inline(__always) func price(_ slot: Int32) -> MarketPrice? { prices[Int(slot)] }
    @inline(__always) func buySide(_ slot: Int32) -> TradeSide? { buySides[Int(slot)] }
    @inline(__always) func sellSide(_ slot: Int32) -> TradeSide? { sellSides[Int(slot)] }
    func decimals(ofToken t: Int32) -> Int { tokenDecimals[Int(t)] }
}
