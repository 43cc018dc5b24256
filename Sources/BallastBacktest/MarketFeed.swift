import BallastCore
import BallastSandbox
import Foundation

/// One step of the market a backtest decides from.
struct FeedStep {
    var date: Date
    /// Prices and routes; balances are each ledger's own.
    var market: Snapshot
    /// Chains whose balances cannot be read this step (a node down).
    var unreadable: Set<String>
    /// Sources that failed this step, as the puller would report them.
    var failures: [String]
    var events: [ScenarioEvent]
    /// Deposits (positive) and payouts (negative) this step, by `chain/token`; a payout takes at
    /// most what the chain holds.
    var inflows: [String: Amount]
}

/// Where a backtest's market comes from: a scenario of the simulated market moving in simulated
/// time, or saved snapshots replayed in time order.
public enum BacktestSource: Sendable {
    case scenario(Scenario, steps: Int, seed: UInt64, chains: Int, tokens: Int)
    case snapshots([Snapshot])

    public var name: String {
        switch self {
        case .scenario(let scenario, _, _, _, _): scenario.rawValue
        case .snapshots: "replay"
        }
    }
}

/// Produces the steps of a ``BacktestSource``.
struct MarketFeed {
    private enum Kind {
        case scenario(ScenarioPath, steps: Int, start: Date)
        case replay([Snapshot], next: Int)
    }

    private var kind: Kind
    /// The treasury both ledgers start from, by `chain/token`.
    let startingBalances: [String: Amount]
    let stepCount: Int
    /// Simulated seconds between scenario steps.
    static let stepSeconds = 60.0
    /// A scenario's simulated time starts here, so the same seed gives the same report.
    static let scenarioStart = Date(timeIntervalSince1970: 1_798_761_600)

    init(_ source: BacktestSource) {
        switch source {
        case .scenario(let scenario, let steps, let seed, let chains, let tokens):
            let market = SimulatedMarket(chains: chains, tokens: tokens, bridgeFanout: SimulatedMarket.scenarioFanout)
            let path = ScenarioPath(scenario, market: market, seed: seed, horizon: steps)
            kind = .scenario(path, steps: steps, start: Self.scenarioStart)
            var balances: [String: Amount] = [:]
            for c in 0..<market.chainCount {
                for t in 0..<market.tokenCount {
                    balances["\(market.chainName(c))/\(market.symbol(t))"] = Amount(units: path.start.balances[c][t], scale: market.decimals(t))
                }
            }
            startingBalances = balances
            stepCount = steps
        case .snapshots(let snapshots):
            let ordered = snapshots.sorted { $0.takenAt < $1.takenAt }
            kind = .replay(ordered, next: 0)
            startingBalances = Dictionary(ordered.first?.balances.map { ("\($0.chain)/\($0.token)", $0.amount) } ?? [],
                                          uniquingKeysWith: { a, _ in a })
            stepCount = ordered.count
        }
    }

    mutating func next() -> FeedStep? {
        switch kind {
        case .scenario(var path, let steps, let start):
            guard path.step < steps else { return nil }
            let market = path.market
            let date = start.addingTimeInterval(Double(path.step + 1) * Self.stepSeconds)
            let taken = path.advance(at: date)
            let state = path.current
            var inflows: [String: Amount] = [:]
            for c in 0..<market.chainCount {
                for t in 0..<market.tokenCount where taken.flows[c][t] != 0 {
                    inflows["\(market.chainName(c))/\(market.symbol(t))"] = Amount(units: taken.flows[c][t], scale: market.decimals(t))
                }
            }
            let built = MarketSnapshot(market, state: state, at: date)
            var snapshot = built.snapshot
            snapshot.balances = []
            kind = .scenario(path, steps: steps, start: start)
            return FeedStep(date: date, market: snapshot, unreadable: Set(state.rpcDown.map(market.chainName)),
                            failures: built.failures, events: taken.events, inflows: inflows)
        case .replay(let snapshots, let next):
            guard next < snapshots.count else { return nil }
            var snapshot = snapshots[next]
            snapshot.balances = []
            kind = .replay(snapshots, next: next + 1)
            return FeedStep(date: snapshot.takenAt, market: snapshot, unreadable: [], failures: [], events: [], inflows: [:])
        }
    }
}
