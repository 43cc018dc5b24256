import BallastCore
import Foundation

/// An arbitrage opportunity as a tick saw it: what the service records each tick, so an analyst
/// can see afterwards what was on offer and when.
public struct SeenOpportunity: Sendable, Hashable {
    public var seenAt: Date
    public var token: String
    public var buyChain: String
    public var sellChain: String
    public var bridge: String
    public var amount: Amount
    public var profitUSD: Double
    public var roiBps: Double

    public init(seenAt: Date, token: String, buyChain: String, sellChain: String, bridge: String, amount: Amount,
                profitUSD: Double, roiBps: Double) {
        self.seenAt = seenAt
        self.token = token
        self.buyChain = buyChain
        self.sellChain = sellChain
        self.bridge = bridge
        self.amount = amount
        self.profitUSD = profitUSD
        self.roiBps = roiBps
    }

    public init(_ o: Opportunity, seenAt: Date) {
        self.init(seenAt: seenAt, token: o.token, buyChain: o.buyChain, sellChain: o.sellChain, bridge: o.bridge, amount: o.amount,
                  profitUSD: o.profitUSD, roiBps: o.roiBps)
    }
}
