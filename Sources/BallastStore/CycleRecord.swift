import BallastCore
import Foundation

/// Whether a cycle only recorded what it would do, or acted.
public enum CycleMode: String, Sendable, Codable {
    case dryRun = "dry_run"
    case live
}

/// What a cycle saw and decided, as it is recorded: enough to replay the decision exactly.
public struct CycleDraft: Sendable {
    public var startedAt: Date
    public var mode: CycleMode
    /// The strategy file as read; stored once per distinct text, named by its SHA-256.
    public var strategyText: String
    /// The snapshot the decision was made from (in-flight accounting applied), as JSON.
    public var snapshotJSON: Data
    /// The opportunities found and the plan, as the commands print them with `--format json`.
    public var opportunitiesJSON: Data
    public var planJSON: Data

    public init(startedAt: Date, mode: CycleMode, strategyText: String, snapshotJSON: Data, opportunitiesJSON: Data, planJSON: Data) {
        self.startedAt = startedAt
        self.mode = mode
        self.strategyText = strategyText
        self.snapshotJSON = snapshotJSON
        self.opportunitiesJSON = opportunitiesJSON
        self.planJSON = planJSON
    }
}

/// A recorded cycle.
public struct CycleRecord: Sendable {
    /// The journal's cycle sequence number, from 1.
    public var sequence: Int64
    public var startedAt: Date
    public var mode: CycleMode
    public var strategyHash: String
    public var strategyText: String
    public var snapshotHash: String
    public var snapshotJSON: Data
    public var opportunitiesJSON: Data
    public var planJSON: Data
}

/// What a cycle is told while its actions are being recorded: its number and the journal's id,
/// from which idempotency keys are made.
public struct CycleStamp: Sendable {
    public var sequence: Int64
    public var journalID: String

    /// `JOURNAL-CYCLE-TOKEN-LEG`: unique to this journal, this cycle, this token and this leg, so a
    /// later transfer of the same amount over the same route gets a new key, and a retry the same one.
    public func idempotencyKey(token: String, leg: Int) -> String {
        "\(journalID)-\(sequence)-\(Self.keySafe(token))-\(leg)"
    }

    /// Token symbols reach HTTP headers: anything beyond letters, digits, `.` and `_` is spelled in hex.
    static func keySafe(_ symbol: String) -> String {
        symbol.unicodeScalars.map { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "." || s == "_")
                ? String(s) : "%" + String(s.value, radix: 16, uppercase: true)
        }.joined()
    }
}

/// An action as a cycle hands it to the journal (the key and cycle number come from the journal).
public struct ActionDraft: Sendable {
    public var transfer: PlannedTransfer
    public var status: ActionStatus
    /// Why it has that status (a blocked action's reason), for its history.
    public var note: String?
    public var body: Data?
    public var validUntil: Date?

    public init(_ transfer: PlannedTransfer, status: ActionStatus, note: String? = nil, body: Data? = nil, validUntil: Date? = nil) {
        self.transfer = transfer
        self.status = status
        self.note = note
        self.body = body
        self.validUntil = validUntil
    }
}
