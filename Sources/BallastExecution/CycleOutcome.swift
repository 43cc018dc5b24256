import BallastCore
import BallastStore

/// What one rebalancing cycle did, for the summary line and `--format json`.
public struct CycleOutcome: Sendable {
    public struct TokenOutcome: Sendable {
        public var token: String
        /// The plan's status (`within_band`, `rebalance`, `partial`, `error`), `waiting` when an
        /// expired action holds the token until a human resolves it, or `cooldown` when it rests.
        public var status: String
        public var actions: Int
        public var note: String?
    }

    /// One action's fate in this run.
    public struct ActionEvent: Sendable {
        public var key: String
        public var token: String
        public var status: ActionStatus
        public var note: String?
    }

    public var cycle: Int64
    public var mode: CycleMode
    public var paused: Bool
    public var tokens: [TokenOutcome]
    /// Every status change this run made, in order (recording included).
    public var events: [ActionEvent]
    /// Live actions of earlier cycles still moving when this one ended.
    public var pendingFromEarlier: Int
    /// Set when the receiver could not be reached: actions stay planned for the next run.
    public var receiverUnreachable: String?
    /// Set when the receiver said a key was reused with a different body: a bug to report.
    public var keyReused: Bool
    /// True when at least one token was targeted and none could be planned.
    public var nothingPlanned: Bool

    /// True when this run recorded, sent, blocked or failed anything.
    public var acted: Bool { !events.isEmpty }

    public func count(_ status: ActionStatus) -> Int { events.filter { $0.status == status }.count }
}
