import Foundation

/// A bridge route as the planner sees it: figures in whole tokens and USD, and the least
/// a transfer over it may carry.
struct RebalanceLane {
    /// Index into the snapshot's routes.
    let routeIndex: Int
    let from: Int
    let to: Int
    /// Proportional fee, as a fraction of the amount sent.
    let rate: Double
    /// Fixed fee in tokens, taken from what arrives.
    let fixedTokens: Double
    /// USD paid whenever the lane is used: the fixed fee at the sending price, plus gas.
    let fixedUSD: Double
    /// USD per token at the sending chain.
    let price: Double
    /// The least a transfer may carry, in tokens (`min_transfer_usd`, and `max_fee_bps` with the fixed part).
    let minimum: Double
    /// The exact least, in the token's smallest units, for settlement.
    let minimumAmount: Amount
    /// The most one transfer may carry, in tokens; infinity for no limit.
    let capacity: Double

    /// USD the proportional fee takes per token sent.
    var unitFeeUSD: Double { price * rate }

    /// What sending `amount` costs, all in, in USD.
    func feeUSD(sending amount: Amount) -> Double { amount.doubleValue * price * rate + fixedUSD }

    /// True when using the lane at all is a decision with a price: a fixed cost or a minimum size.
    var isCharged: Bool { fixedUSD > 0 || minimum > 0 }

    /// Why a route was not offered to the planner.
    enum Exclusion: Error, CustomStringConvertible {
        case staleQuote, noPrice, feeAboveCap, minimumAboveCapacity, tooLarge

        var description: String {
            switch self {
            case .staleQuote: "quote older than max_price_age_seconds"
            case .noPrice: "no trusted price on the sending chain"
            case .feeAboveCap: "fee above max_fee_bps"
            case .minimumAboveCapacity: "smallest allowed transfer exceeds the route's max_amount"
            case .tooLarge: "figures too large to settle exactly"
            }
        }
    }

    /// The token's usable lanes, and per destination chain why other routes into it were left out.
    struct Catalogue {
        var usable: [RebalanceLane]
        var excluded: [[String]]
    }

    static func lanes(for book: TokenBook, snapshot: Snapshot, rules: RebalanceRules) -> Catalogue {
        let index = Dictionary(book.chains.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var catalogue = Catalogue(usable: [], excluded: Array(repeating: [], count: book.chains.count))
        for (r, route) in snapshot.routes.enumerated() where route.token == book.token.symbol {
            guard let from = index[route.from], let to = index[route.to], from != to else { continue }
            switch lane(route, index: r, from: from, to: to, price: book.prices[from], takenAt: snapshot.takenAt,
                        decimals: book.token.decimals, rules: rules) {
            case .success(let lane): catalogue.usable.append(lane)
            case .failure(let why): catalogue.excluded[to].append(why.description)
            }
        }
        return catalogue
    }

    static func lane(_ route: Route, index: Int, from: Int, to: Int, price: Double?, takenAt: Date, decimals: Int,
                             rules: RebalanceRules) -> Result<RebalanceLane, Exclusion> {
        guard takenAt.timeIntervalSince(route.observedAt) <= rules.maxPriceAgeSeconds else { return .failure(.staleQuote) }
        guard let price else { return .failure(.noPrice) }
        let rate = route.feeBps / 10_000, ceiling = rules.maxFeeBps / 10_000
        let fixedTokens = route.feeFixed.doubleValue
        let fixedUSD = fixedTokens * price + route.gasUSD
        guard fixedUSD.isFinite else { return .failure(.tooLarge) }
        guard rate <= ceiling, fixedUSD == 0 || rate < ceiling else { return .failure(.feeAboveCap) }
        // All-in fee ≤ ceiling ⇔ x·P·rate + fixed ≤ x·P·ceiling ⇔ x·P ≥ fixed / (ceiling − rate).
        let minimumUSD = max(rules.minTransferUSD, fixedUSD == 0 ? 0 : fixedUSD / (ceiling - rate))
        let minimum = minimumUSD / price
        // A transfer must also deliver something once the fixed fee is taken.
        let least = max(minimum, fixedTokens)
        guard least.isFinite, let minimumAmount = Amount(ceiling: least, decimals: decimals) else { return .failure(.tooLarge) }
        let capacity = route.maxAmount?.doubleValue ?? .infinity
        guard least <= capacity else { return .failure(.minimumAboveCapacity) }
        return .success(RebalanceLane(routeIndex: index, from: from, to: to, rate: rate, fixedTokens: fixedTokens,
                                      fixedUSD: fixedUSD, price: price, minimum: least, minimumAmount: minimumAmount,
                                      capacity: capacity))
    }
}
