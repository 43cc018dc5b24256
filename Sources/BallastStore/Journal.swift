import BallastCore
import Foundation

/// Which actions to list, newest first.
public struct ActionQuery: Sendable {
    public var status: ActionStatus?
    public var since: Date?
    public var token: String?
    public var cycle: Int64?
    public var limit: Int
    /// Continue after this action (a key from an earlier page).
    public var after: String?

    public init(status: ActionStatus? = nil, since: Date? = nil, token: String? = nil, cycle: Int64? = nil,
                limit: Int = 1_000, after: String? = nil) {
        self.status = status
        self.since = since
        self.token = token
        self.cycle = cycle
        self.limit = limit
        self.after = after
    }
}

/// The kill switch's state.
public struct PauseState: Sendable, Hashable {
    public var paused: Bool
    public var by: String?
    public var at: Date?
    public var reason: String?

    public init(paused: Bool, by: String? = nil, at: Date? = nil, reason: String? = nil) {
        self.paused = paused
        self.by = by
        self.at = at
        self.reason = reason
    }
}

/// What a prune removed.
public struct PruneReport: Sendable, Hashable {
    public var cycles: Int
    public var actions: Int
    public var snapshots: Int
    public var opportunities: Int
}

/// Where Ballast remembers what it saw, decided and did.
///
/// One protocol so a PostgreSQL backend can serve several instances later; ``SQLiteJournal``
/// is the one file a cron job and the service share today.
public protocol Journal: Sendable {
    /// Records a cycle and its actions in one transaction; `actions` is given the cycle's
    /// number and the journal's id, from which it makes idempotency keys and frozen bodies.
    func recordCycle(_ cycle: CycleDraft, by actor: String,
                     actions: (CycleStamp) throws -> [ActionDraft]) throws -> (CycleRecord, [JournalAction])
    func cycle(_ sequence: Int64) throws(JournalError) -> CycleRecord?
    /// The most recent cycle, if any.
    func lastCycle() throws(JournalError) -> CycleRecord?

    func actions(_ query: ActionQuery) throws(JournalError) -> [JournalAction]
    func action(_ key: String) throws(JournalError) -> JournalAction?
    /// Actions whose funds are still moving as far as balances read at `balancesReadAt` can
    /// tell: planned, submitted and expired ones, and confirmed ones delivered after that read.
    func inFlight(balancesReadAt: Date) throws(JournalError) -> [JournalAction]
    func history(_ key: String) throws(JournalError) -> [StatusChange]

    /// Moves an action to `status`, appending to its history; refuses moves the state machine does not allow.
    @discardableResult
    func transition(_ key: String, to status: ActionStatus, by actor: String, note: String?, update: ActionUpdate,
                    at: Date) throws(JournalError) -> JournalAction
    /// Notes, before a body is sent, that it is about to be: a crash after this point leaves an
    /// action that may have reached the receiver, which is resent under the same key, never dropped.
    /// `sourceBalance` is the source's on-chain balance as this send leaves it before the debit (kept from the first send).
    func recordAttempt(_ key: String, sourceBalance: Amount?, by actor: String, at: Date) throws(JournalError)
    /// Freezes a relay leg's body once its feeder has delivered, with the amount that arrived.
    func freeze(_ key: String, body: Data, amount: Amount, expectedReceived: Amount, validUntil: Date,
                by actor: String, at: Date) throws(JournalError)

    func pauseState() throws(JournalError) -> PauseState
    func setPaused(_ state: PauseState) throws(JournalError)

    /// Records what a tick saw on offer and, in the same write, forgets what was seen before
    /// `cutoff` (a service's retention; nil keeps everything). Nothing seen, nothing written.
    func recordOpportunities(_ seen: [SeenOpportunity], forgettingBefore cutoff: Date?) throws(JournalError)
    /// Opportunities seen at or after `since`, newest first.
    func opportunities(since: Date?, limit: Int) throws(JournalError) -> [SeenOpportunity]

    /// Sum of `amount_usd` of live actions first sent since `since` and not failed (the daily limit).
    func submittedUSD(since: Date) throws(JournalError) -> Double

    /// Removes cycles recorded before `date` whose actions are all final, and what only they
    /// used, and the opportunities seen before it.
    func prune(before date: Date) throws(JournalError) -> PruneReport
}
