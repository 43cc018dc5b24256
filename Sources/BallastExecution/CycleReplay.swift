import BallastCore
import BallastStore
import Foundation

/// A recorded cycle's decision made again from what the journal stored: the strategy text
/// and the snapshot the decision saw. Planning is a pure function of the two, so the plan must
/// come out byte-identical; a difference is a bug.
public struct CycleReplay: Sendable {
    public var strategy: Strategy
    public var report: PlanReport
    /// The replayed plan's JSON is the recorded one, byte for byte.
    public var identical: Bool

    public init(_ record: CycleRecord) throws {
        strategy = try Strategy.decode(yaml: record.strategyText, source: "cycle \(record.sequence)'s strategy")
        let snapshot = try Snapshot.decode(json: record.snapshotJSON, source: "cycle \(record.sequence)'s snapshot")
        guard let rebalancer = Rebalancer(strategy: strategy) else {
            throw ExecutionSetupError("cycle \(record.sequence)'s strategy has no rebalance section")
        }
        report = rebalancer.plan(snapshot)
        identical = try StoredJSON.encode(report) == record.planJSON
    }
}
