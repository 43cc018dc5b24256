import Foundation

/// A planned transfer priced again on a fresher market, as live mode does just before sending.
public struct TransferRequote: Sendable, Hashable {
    public var feeUSD: Double
    public var amountUSD: Double
    public var expectedReceived: Amount

    /// The all-in fee in basis points of the amount's value.
    public var feeBps: Double { amountUSD > 0 ? feeUSD / amountUSD * 10_000 : .infinity }
}

extension Rebalancer {
    /// Prices sending `amount` of `token` over `bridge` from `from` to `to` on `snapshot`, under
    /// the same rules the plan was made with; the reason in words when the route can no longer
    /// be used (gone, stale, no trusted price, above `max_fee_bps`, below its smallest transfer).
    public func requote(token symbol: String, from: String, to: String, bridge: String, amount: Amount,
                        on snapshot: Snapshot) -> Result<TransferRequote, RequoteFailure> {
        guard let token = snapshot.token(symbol),
              let f = snapshot.chains.firstIndex(where: { $0.name == from }),
              let t = snapshot.chains.firstIndex(where: { $0.name == to }),
              let r = snapshot.routes.firstIndex(where: { $0.token == symbol && $0.from == from && $0.to == to && $0.bridge == bridge })
        else { return .failure(RequoteFailure(reason: "the route \(from) → \(to) over \(bridge) is no longer quoted")) }
        let market = consensus.reduce(snapshot, tokens: [token])
        let price = market[token: 0, chain: f]?.spotPrice
        switch RebalanceLane.lane(snapshot.routes[r], index: r, from: f, to: t, price: price, takenAt: snapshot.takenAt,
                                  decimals: token.decimals, rules: rules) {
        case .failure(let why): return .failure(RequoteFailure(reason: why.description))
        case .success(let lane):
            guard !(amount < lane.minimumAmount) else {
                return .failure(RequoteFailure(reason: "below the route's smallest allowed transfer at the fresh quote (\(lane.minimumAmount))"))
            }
            guard let received = snapshot.routes[r].received(sending: amount, decimals: token.decimals), received.isPositive else {
                return .failure(RequoteFailure(reason: "nothing would arrive at the fresh quote"))
            }
            return .success(TransferRequote(feeUSD: lane.feeUSD(sending: amount), amountUSD: amount.doubleValue * lane.price,
                                            expectedReceived: received))
        }
    }
}

/// Why a transfer cannot be sent at the fresh quote.
public struct RequoteFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
