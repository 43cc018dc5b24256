/// Where an intended transfer stands. Changes are append-only history; see ``JournalAction``.
///
/// Dry-run: `dry_run`, final. Live: `planned → submitted → confirmed | failed | expired`,
/// or `blocked` when a guard rail (a limit, an allowlist, the kill switch) refused it.
public enum ActionStatus: String, Sendable, CaseIterable, Codable {
    case dryRun = "dry_run"
    case planned
    case submitted
    case confirmed
    case failed
    case expired
    case blocked

    /// Statuses no later change may leave.
    public var isFinal: Bool {
        switch self {
        case .dryRun, .confirmed, .failed, .blocked: true
        case .planned, .submitted, .expired: false
        }
    }

    /// The moves the state machine allows. An expired action waits for a human, who says
    /// what happened to it (`confirmed` or `failed`). A planned one may be confirmed too: a run
    /// killed after the receiver accepted it, before the journal heard, leaves it planned.
    public func canMove(to next: ActionStatus) -> Bool {
        switch (self, next) {
        case (.planned, .submitted), (.planned, .confirmed), (.planned, .failed), (.planned, .expired), (.planned, .blocked): true
        case (.submitted, .confirmed), (.submitted, .failed), (.submitted, .expired): true
        case (.expired, .confirmed), (.expired, .failed): true
        default: false
        }
    }
}
