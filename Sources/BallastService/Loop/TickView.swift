import BallastChains
import BallastCore
import BallastExecution
import Foundation

/// What one tick found and did: written once by the loop, read by the API, the dashboard and
/// readiness. Requests never solve anything; they show the last tick.
public struct TickView: Sendable {
    public var number: Int
    public var startedAt: Date
    /// The kill switch was on: no cycle ran.
    public var paused: Bool
    public var duration: Duration
    /// The part of `duration` spent pulling the market.
    public var pullDuration: Duration
    public var snapshot: Snapshot
    public var scan: ScanReport?
    public var plan: PlanReport?
    public var failures: [SourceFailure]
    public var health: [SourceHealth]
    /// The cycle this tick ran, if a token had to act.
    public var cycle: CycleOutcome?
    /// Live actions whose status this tick changed outside a cycle (sent, expired, failed).
    public var events: [CycleOutcome.ActionEvent]
    /// Stage (`pull`, `journal`, `cycle`) and what went wrong there.
    public var errors: [(stage: String, message: String)]

    /// A tick that read something and hit no error in its own stages.
    public var succeeded: Bool {
        errors.isEmpty && !(snapshot.prices.isEmpty && snapshot.routes.isEmpty && snapshot.balances.isEmpty)
    }
}
