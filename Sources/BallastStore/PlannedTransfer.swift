import BallastCore

/// One leg of a plan as the journal keeps it: what is to move, over which route, at what cost.
public struct PlannedTransfer: Sendable, Hashable {
    public var token: String
    /// Position in the cycle's plan for this token, from 1: the order the plan executes in.
    public var leg: Int
    public var from: String
    public var to: String
    public var bridge: String
    /// Exact, in token units.
    public var amount: Amount
    public var expectedReceived: Amount
    public var feeUSD: Double
    /// The amount's value when planned: what the limits count.
    public var amountUSD: Double
    /// The route's fees when planned: what a relay leg's smaller amount would deliver is worked out from them.
    public var feeBps: Double
    public var feeFixed: Amount
    public var etaSeconds: Int
    /// The earlier leg that feeds this one's source (its key): sent only after that one is confirmed.
    public var dependsOn: String?

    public init(token: String, leg: Int, from: String, to: String, bridge: String, amount: Amount, expectedReceived: Amount,
                feeUSD: Double, amountUSD: Double, feeBps: Double, feeFixed: Amount, etaSeconds: Int, dependsOn: String?) {
        self.token = token
        self.leg = leg
        self.from = from
        self.to = to
        self.bridge = bridge
        self.amount = amount
        self.expectedReceived = expectedReceived
        self.feeUSD = feeUSD
        self.amountUSD = amountUSD
        self.feeBps = feeBps
        self.feeFixed = feeFixed
        self.etaSeconds = etaSeconds
        self.dependsOn = dependsOn
    }
}
