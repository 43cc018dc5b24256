import Foundation

/// One transfer of a plan: an amount of a token over one bridge route.
public struct Transfer: Sendable, Hashable {
    public var from: String
    public var to: String
    public var token: String
    public var bridge: String
    /// Exact, in token units, at most the token's decimals.
    public var amount: Amount
    /// What arrives after the route's fees, rounded down.
    public var expectedReceived: Amount
    /// Proportional fee, fixed fee (at the sending chain's price) and gas, in USD.
    public var feeUSD: Double
    public var etaSeconds: Int
}

/// Where one chain stands for a token, before and after a plan.
public struct ChainPosition: Sendable, Hashable {
    public var chain: String
    /// Amount plus in-flight: what counts toward the chain's share.
    public var balance: Amount
    public var target: Amount
    /// The chain is short when its balance is below `target − band`.
    public var band: Amount
    public var after: Amount
    public var isShort: Bool { balance < target - band }
}

/// The transfers that bring one token back to its target distribution.
public struct TransferPlan: Sendable, Hashable {
    public enum Status: String, Sendable {
        /// No chain is short: nothing to do.
        case withinBand = "within_band"
        /// Every short chain is brought up to its target.
        case rebalance
        /// Some shortfall cannot be met; `unmet` says how much, per chain.
        case partial
    }

    public var token: String
    public var status: Status
    /// In an order that can be executed: a chain sends on only what it has or has received.
    public var transfers: [Transfer]
    public var totalFeeUSD: Double
    /// Per short chain, what no allowed route can bring.
    public var unmet: [String: Amount]
    /// Per chain in `unmet`, the main reason, in words for the operator.
    public var unmetReasons: [String: String]
    public var positions: [ChainPosition]
}

/// Plans for every targeted token of a strategy, from one snapshot.
public struct PlanReport: Sendable {
    public var takenAt: Date
    public var plans: [TransferPlan]
    public var priceIssues: [PriceIssue]
}
