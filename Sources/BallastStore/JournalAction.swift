import BallastCore
import Foundation

/// One intended transfer, as the journal holds it.
///
/// Its idempotency key is assigned when it is recorded and never changes; its request body,
/// once frozen, is what every attempt sends, byte for byte.
public struct JournalAction: Sendable, Hashable {
    public var idempotencyKey: String
    public var cycle: Int64
    public var token: String
    /// Position in the cycle's plan for this token, from 1: the order the plan executes in.
    public var leg: Int
    public var from: String
    public var to: String
    public var bridge: String
    /// Exact, in token units.
    public var amount: Amount
    public var expectedReceived: Amount
    public var feeUSD: Double
    /// The amount's value when planned: what the daily limit counts.
    public var amountUSD: Double
    /// The route's fees when planned: what a relay leg's smaller amount would deliver is worked out from them.
    public var feeBps: Double
    public var feeFixed: Amount
    public var etaSeconds: Int
    /// The earlier leg that feeds this one's source: sent only after that one is confirmed.
    public var dependsOn: String?
    public var status: ActionStatus
    /// The request body, frozen; nil in dry-run, and for a relay leg until its feeder is confirmed.
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

    public init(idempotencyKey: String, cycle: Int64, token: String, leg: Int, from: String, to: String, bridge: String,
                amount: Amount, expectedReceived: Amount, feeUSD: Double, amountUSD: Double, feeBps: Double, feeFixed: Amount, etaSeconds: Int,
                dependsOn: String?, status: ActionStatus, body: Data?, validUntil: Date?, reference: String? = nil,
                received: Amount? = nil, deliveredAt: Date? = nil, attempts: Int = 0, sourceBalanceAtSend: Amount? = nil, createdAt: Date, updatedAt: Date) {
        self.idempotencyKey = idempotencyKey
        self.cycle = cycle
        self.token = token
        self.leg = leg
        self.from = from
        self.to = to
        self.bridge = bridge
        self.amount = amount
        self.expectedReceived = expectedReceived
        self.feeUSD = feeUSD
        self.amountUSD = amountUSD
        self.feeBps = feeBps
        self.feeFixed = feeFixed
        self.etaSeconds = etaSeconds
        self.dependsOn = dependsOn
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
