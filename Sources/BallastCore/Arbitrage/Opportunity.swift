/// A qualifying arbitrage: buy on one chain, bridge, sell on another.
///
/// `amount` is the size bought, rounded down to the token's decimals; every USD figure is
/// computed at exactly that amount.
public struct Opportunity: Sendable, Hashable {
    public var token: String
    public var buyChain: String
    public var sellChain: String
    public var bridge: String
    public var amount: Amount
    /// What arrives on the sell chain after the bridge's fees, rounded down.
    public var received: Amount
    public var costUSD: Double
    public var proceedsUSD: Double
    /// Swap fees on both sides, the bridge's fees valued at the sell chain's price, and gas.
    public var feesUSD: Double
    public var profitUSD: Double
    public var roiBps: Double
    public var etaSeconds: Int
}

/// A route the detector looked at and did not keep, with the reason, for `--explain`.
public struct RejectedCandidate: Sendable, Hashable {
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        case staleRoute(ageSeconds: Double)
        case noPrice(chain: String)
        case fixedFeeExceedsTrade
        case unprofitable
        case belowMinProfit
        case belowMinROI
        case outranked(by: String)

        public var description: String {
            switch self {
            case .staleRoute(let age): "route quote is \(age.wholeNumberText) s old"
            case .noPrice(let chain): "no trusted fresh price on \(chain)"
            case .fixedFeeExceedsTrade: "the fixed bridge fee exceeds the largest allowed trade"
            case .unprofitable: "no size makes a profit after fees and gas"
            case .belowMinProfit: "profit below min_profit_usd"
            case .belowMinROI: "ROI below min_roi_bps"
            case .outranked(let bridge): "\(bridge) is better for the same chains"
            }
        }
    }

    public var token: String
    public var buyChain: String
    public var sellChain: String
    public var bridge: String
    public var reason: Reason
    /// The best profit this route could make, when it got as far as sizing.
    public var bestProfitUSD: Double?
    public var amount: Amount?
}

/// What a scan found: opportunities (best first), and what it left out and why.
public struct ScanReport: Sendable {
    public var takenAt: Date
    public var opportunities: [Opportunity]
    /// Sources left out of the prices (stale, or outliers), always reported.
    public var priceIssues: [PriceIssue]
    /// The most promising rejected routes, best profit first; empty unless asked for.
    public var rejected: [RejectedCandidate]
    /// Routes of the strategy's tokens that were considered.
    public var routesConsidered: Int
}

import Foundation
