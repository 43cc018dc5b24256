import BallastCore
import Foundation

/// One intended transfer, as the journal holds it: the planned transfer (its fields read as the
/// action's own: `action.amount`), where it stands, and what the receiver and the desk said.
///
/// Its idempotency key is assigned when it is recorded and never changes; its request body,
/// once frozen, is what every attempt sends, byte for byte.
@dynamicMemberLookup
public struct JournalAction: Sendable, Hashable {
    public var idempotencyKey: String
    public var cycle: Int64
    public var transfer: PlannedTransfer
    public var status: ActionStatus
    /// The request body, frozen; nil in dry-run, and for a relay leg until its feeder has delivered.
    public var body: Data?
    /// Past this, a planned action is never sent.
    public var validUntil: Date?
    /// The receiver's reference, once it accepted the action.
    public var reference: String?
    /// What the desk reported as delivered, and when.
    public var received: Amount?
    public var deliveredAt: Date?
    /// Times the body was handed to the receiver (the record comes before each send).
    public var attempts: Int
    /// The source's on-chain balance just before the first send, less what was sent from it
    /// before this one: once a read shows the source at or below this less the amount, the
    /// debit has landed.
    public var sourceBalanceAtSend: Amount?
    public var createdAt: Date
    public var updatedAt: Date

    public init(idempotencyKey: String, cycle: Int64, transfer: PlannedTransfer, status: ActionStatus, body: Data?, validUntil: Date?,
                reference: String? = nil, received: Amount? = nil, deliveredAt: Date? = nil, attempts: Int = 0,
                sourceBalanceAtSend: Amount? = nil, createdAt: Date, updatedAt: Date) {
        self.idempotencyKey = idempotencyKey
        self.cycle = cycle
        self.transfer = transfer
        self.status = status
        self.body = body
        self.validUntil = validUntil
        self.reference = reference
        self.received = received
        self.deliveredAt = deliveredAt
        self.attempts = attempts
        self.sourceBalanceAtSend = sourceBalanceAtSend
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public subscript<Value>(dynamicMember field: KeyPath<PlannedTransfer, Value>) -> Value { transfer[keyPath: field] }
}

/// One entry of an action's status history: who moved it, when, and why.
public struct StatusChange: Sendable, Hashable {
    public var status: ActionStatus
    /// `run` (a cycle), `cli:USER`, `api`, …
    public var actor: String
    public var note: String?
    public var at: Date

    public init(status: ActionStatus, actor: String, note: String?, at: Date) {
        self.status = status
        self.actor = actor
        self.note = note
        self.at = at
    }
}

/// What the journal may change about an action beside its status.
public struct ActionUpdate: Sendable {
    public var reference: String?
    public var received: Amount?
    public var deliveredAt: Date?

    public init(reference: String? = nil, received: Amount? = nil, deliveredAt: Date? = nil) {
        self.reference = reference
        self.received = received
        self.deliveredAt = deliveredAt
    }
}
