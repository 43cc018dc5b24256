import BallastSandbox
import Foundation

/// What one rebalancer did over a backtest.
public struct LedgerFigures: Sendable, Equatable {
    /// Bridge fees (what did not arrive, at the sending chain's price) and gas, in USD.
    public var feesUSD = 0.0
    public var transfers = 0
    /// Per chain, simulated seconds during which at least one token held there was short
    /// (below its target less its band, counting only what had landed), from the second step
    /// on (righting the starting treasury is the first step's work).
    public var outOfBandSeconds: [String: Double] = [:]
    /// The largest USD amount below the bands, summed over chains and tokens, at any step from
    /// the second.
    public var worstExposureUSD = 0.0
    /// The part of the detected profit this inventory could have captured: each opportunity's
    /// profit times the share of its size the ledger held on the selling chain when it appeared.
    public var capturedProfitUSD = 0.0

    public var totalOutOfBandSeconds: Double { outOfBandSeconds.values.reduce(0, +) }
}

/// A transfer either rebalancer made.
public struct BacktestTransfer: Sendable, Equatable {
    public enum Ledger: String, Sendable { case ballast, greedy }
    public var ledger: Ledger
    public var step: Int
    public var from: String
    public var to: String
    public var token: String
    public var bridge: String
    public var amountUSD: Double
    public var feeUSD: Double
}

/// Something worth an operator's attention during the run, as the service would alert it.
public struct BacktestAlert: Sendable, Equatable {
    public var step: Int
    public var text: String
}

/// The run at one step, for the report's charts.
public struct BacktestSample: Sendable, Equatable {
    /// Where a token stood on a chain, in token units.
    public struct Standing: Sendable, Equatable {
        public var ballast: Double
        public var greedy: Double
        public var target: Double
        public var band: Double
    }

    public var step: Int
    public var date: Date
    public var opportunities: Int
    public var ballastFeesUSD: Double
    public var greedyFeesUSD: Double
    /// `[token][chain]`.
    public var standings: [String: [String: Standing]]
}

/// Everything a backtest measured: the same for the same inputs on any machine.
public struct BacktestResult: Sendable, Equatable {
    public var source: String
    public var seed: UInt64?
    public var steps: Int
    public var start: Date
    public var end: Date
    public var ballast = LedgerFigures()
    public var greedy = LedgerFigures()
    /// Opportunities counted once per appearance (present at a step, absent at the one before).
    public var opportunities = 0
    public var detectedProfitUSD = 0.0
    /// Token plans that went to the solver (a token out of its band).
    public var solves = 0
    /// Rebalancing cycles Ballast ran.
    public var cycles = 0
    public var events: [ScenarioEvent] = []
    public var alerts: [BacktestAlert] = []
    public var transfers: [BacktestTransfer] = []
    public var samples: [BacktestSample] = []
    public var chains: [String] = []
    public var tokens: [String] = []
}

extension BacktestResult {
    /// Counts a ledger's transfers of one step in its figures and the transfer list.
    mutating func record(_ sent: [LedgerSubmitter.Sent], by ledger: BacktestTransfer.Ledger, step: Int, prices: [String: Double]) {
        for s in sent {
            let route = s.route
            switch ledger {
            case .ballast: ballast.add(s)
            case .greedy: greedy.add(s)
            }
            transfers.append(BacktestTransfer(ledger: ledger, step: step, from: route.from, to: route.to, token: route.token, bridge: route.bridge,
                                              amountUSD: s.amount.doubleValue * (prices["\(route.from)/\(route.token)"] ?? 0), feeUSD: s.feeUSD))
        }
    }
}

extension LedgerFigures {
    mutating func add(_ sent: LedgerSubmitter.Sent) {
        transfers += 1
        feesUSD += sent.feeUSD
    }
}
