import Foundation

/// One transfer of a plan: an amount of a token over one bridge route.
public struct Transfer: Sendable, Hashable {
    public var from: String
    public var to: String
    public var token: String
    public var bridge: String
    /// Exact, in token units, at most the token's decimals.
    public var amount: Amount
    /// What arrives after the route's fees (proportional fee rounded up, fixed fee taken, rounded down).
    public var expectedReceived: Amount
    /// Proportional fee, fixed fee (both at the sending chain's price) and gas, in USD.
    public var feeUSD: Double
    /// The amount's value at the sending chain's price, in USD: what transfer limits compare.
    public var amountUSD: Double
    public var etaSeconds: Int
}

/// Where one chain stands for a token, before and after a plan.
public struct ChainPosition: Sendable, Hashable {
    public var chain: String
    /// Amount plus in-flight: what counts toward the chain's share.
    public var balance: Amount
    /// The chain's share of what the treasury holds after the plan (`τ'_i = w_i·B'`), rounded down.
    public var target: Amount
    /// How far below its share (of the total before the plan) the chain may fall before it is short.
    public var band: Amount
    /// Balance after every transfer of the plan has arrived.
    public var after: Amount
    /// The chain was below its band before the plan.
    public var isShort: Bool
}

/// How close a plan's cost is to the cheapest possible.
public struct PlanOptimality: Sendable, Hashable {
    /// No plan that leaves no more shortfall unmet costs less than this (USD), proven by the solver.
    public var lowerBoundUSD: Double
    /// `(cost − lower bound) / cost`; 0 when the plan is proven optimal.
    public var gap: Double
    /// Branch-and-bound nodes spent.
    public var nodes: Int
    /// The wall-clock safety cap ended the search: this plan may differ on another machine.
    public var stoppedByTimeCap: Bool
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
        /// No plan could be made (balances unknown, a target on a chain the market does not
        /// list, figures beyond what can be settled exactly); `error` says why.
        case error
    }

    public var token: String
    public var status: Status
    /// In an order that can be executed: a chain sends only what it holds on-chain plus what
    /// earlier transfers delivered to it.
    public var transfers: [Transfer]
    public var totalFeeUSD: Double
    /// Per short chain, what the plan cannot bring it up to its target.
    public var unmet: [String: Amount]
    /// Per chain in `unmet`, the main reason, in words for the operator.
    public var unmetReasons: [String: String]
    public var positions: [ChainPosition]
    /// Nil for plans with nothing to move.
    public var optimality: PlanOptimality?
    /// Why no plan could be made, for `status == .error`.
    public var error: String?

    /// A plan that could not be made, with the reason.
    static func failed(_ token: String, _ reason: String) -> TransferPlan {
        TransferPlan(token: token, status: .error, transfers: [], totalFeeUSD: 0, unmet: [:], unmetReasons: [:],
                     positions: [], optimality: nil, error: reason)
    }

    /// A plan not made because the task planning it was cancelled (the service is stopping).
    static func cancelled(_ token: String) -> TransferPlan {
        failed(token, "not planned: planning was cancelled")
    }
}

/// Plans for every targeted token of a strategy, from one snapshot.
public struct PlanReport: Sendable {
    public var takenAt: Date
    public var plans: [TransferPlan]
    public var priceIssues: [PriceIssue]

    /// True when at least one token was targeted and none of them could be planned.
    public var nothingPlanned: Bool { !plans.isEmpty && plans.allSatisfy { $0.status == .error } }
}
