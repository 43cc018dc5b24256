import BallastCore
import Crypto
import Foundation
import GRDB

/// The journal in one SQLite file (WAL mode, synchronous commits), shared by cron runs, the
/// service and the analyst's commands.
///
/// Commits are durable before anything is sent (`synchronous = FULL`): a transfer is never
/// handed to a receiver on the strength of a record a power cut could still undo.
public final class SQLiteJournal: Journal {
    public enum Access: Sendable { case readWrite, readOnly }

    public let path: String
    private let database: any DatabaseWriter
    private let journalID: String

    /// Opens (creating and migrating if needed) the journal at `path`.
    public init(path: String, access: Access = .readWrite) throws(JournalError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.readonly = access == .readOnly
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            if access == .readOnly {
                guard FileManager.default.fileExists(atPath: path) else {
                    throw JournalError(.cannotOpen, path: path, "no journal here (it is created by the first `ballast rebalance`)")
                }
                database = try DatabaseQueue(path: path, configuration: configuration)
            } else {
                database = try DatabasePool(path: path, configuration: configuration)
            }
            let migrator = JournalSchema.migrator
            let superseded = try database.read { db in
                try db.tableExists("grdb_migrations") ? try migrator.hasBeenSuperseded(db) : false
            }
            if superseded {
                throw JournalError(.newerSchema, path: path, "written by a newer Ballast (unknown schema migrations); upgrade Ballast to use it")
            }
            if access == .readWrite {
                try migrator.migrate(database)
                // Proves the file is writable now, not at the first action of a cycle.
                try database.write { db in
                    try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)",
                                   arguments: [String(Date().timeIntervalSince1970)])
                }
            } else if try database.read({ db in try !migrator.hasCompletedMigrations(db) }) {
                throw JournalError(.corrupt, path: path, "not a Ballast journal (its tables are missing)")
            }
            journalID = try database.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'journal_id'")
            } ?? ""
        } catch let error as JournalError {
            throw error
        } catch {
            throw Self.classify(error, path: path)
        }
    }

    /// Maps SQLite's failures to what an operator can act on.
    static func classify(_ error: any Error, path: String) -> JournalError {
        guard let error = error as? DatabaseError else { return JournalError(.cannotOpen, path: path, "\(error)") }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_READONLY, .SQLITE_PERM:
            return JournalError(.readOnly, path: path, "the journal is read-only (\(message)); Ballast records every cycle before acting and needs to write it")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return JournalError(.corrupt, path: path, "the journal is damaged or not a SQLite file (\(message)); keep it for inspection and name a new file")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return JournalError(.busy, path: path, "the journal is locked by another process (\(message)); try again")
        case .SQLITE_CANTOPEN:
            return JournalError(.cannotOpen, path: path, "cannot open the journal (\(message)); check the path and its directory")
        default:
            return JournalError(.cannotOpen, path: path, "SQLite: \(message)")
        }
    }

    private func reading<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try database.read(body) } catch let error as JournalError { throw error } catch { throw Self.classify(error, path: path) }
    }

    private func writing<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try database.write(body) } catch let error as JournalError { throw error } catch { throw Self.classify(error, path: path) }
    }

    // MARK: Cycles

    public func recordCycle(_ cycle: CycleDraft, by actor: String,
                            actions make: (CycleStamp) throws -> [ActionDraft]) throws -> (CycleRecord, [JournalAction]) {
        let strategyHash = Self.sha256(Data(cycle.strategyText.utf8))
        let snapshotHash = Self.sha256(cycle.snapshotJSON)
        do {
            return try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO strategies (hash, text) VALUES (?, ?)", arguments: [strategyHash, cycle.strategyText])
            if try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM snapshots WHERE hash = ?)", arguments: [snapshotHash])! {
                try db.execute(sql: "INSERT INTO snapshots (hash, taken_at, body) VALUES (?, ?, ?)",
                               arguments: [snapshotHash, cycle.startedAt.timeIntervalSince1970, SnapshotCompression.compress(cycle.snapshotJSON)])
            }
            try db.execute(sql: """
                INSERT INTO cycles (started_at, mode, actor, strategy_hash, snapshot_hash, opportunities, plan)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [cycle.startedAt.timeIntervalSince1970, cycle.mode.rawValue, actor, strategyHash, snapshotHash,
                                 cycle.opportunitiesJSON, cycle.planJSON])
            let sequence = db.lastInsertedRowID
            let stamp = CycleStamp(sequence: sequence, journalID: journalID)
            var recorded: [JournalAction] = []
            for draft in try make(stamp) {
                let action = JournalAction(
                    idempotencyKey: stamp.idempotencyKey(token: draft.transfer.token, leg: draft.transfer.leg), cycle: sequence,
                    transfer: draft.transfer, status: draft.status, body: draft.body, validUntil: draft.validUntil,
                    createdAt: cycle.startedAt, updatedAt: cycle.startedAt)
                try insert(action, db: db)
                try appendHistory(action.idempotencyKey, StatusChange(status: draft.status, actor: actor, note: draft.note, at: cycle.startedAt), db: db)
                recorded.append(action)
            }
            let record = CycleRecord(sequence: sequence, startedAt: cycle.startedAt, mode: cycle.mode, strategyHash: strategyHash,
                                     strategyText: cycle.strategyText, snapshotHash: snapshotHash, snapshotJSON: cycle.snapshotJSON,
                                     opportunitiesJSON: cycle.opportunitiesJSON, planJSON: cycle.planJSON)
            return (record, recorded)
            }
        } catch let error as DatabaseError {
            throw Self.classify(error, path: path)
        }
    }

    public func cycle(_ sequence: Int64) throws(JournalError) -> CycleRecord? {
        try fetchCycle(sql: "SELECT * FROM cycles WHERE seq = ?", arguments: [sequence])
    }

    public func lastCycle() throws(JournalError) -> CycleRecord? {
        try fetchCycle(sql: "SELECT * FROM cycles ORDER BY seq DESC LIMIT 1", arguments: [])
    }

    private func fetchCycle(sql: String, arguments: StatementArguments) throws(JournalError) -> CycleRecord? {
        let path = path
        return try reading { db -> CycleRecord? in
            guard let row = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return nil }
            let strategyHash: String = row["strategy_hash"], snapshotHash: String = row["snapshot_hash"]
            guard let text = try String.fetchOne(db, sql: "SELECT text FROM strategies WHERE hash = ?", arguments: [strategyHash]),
                  let stored = try Data.fetchOne(db, sql: "SELECT body FROM snapshots WHERE hash = ?", arguments: [snapshotHash]),
                  let snapshot = SnapshotCompression.decompress(stored),
                  let mode = CycleMode(rawValue: row["mode"])
            else { throw JournalError(.unreadable, path: path, "cycle \(row["seq"] as Int64) cannot be read back (its snapshot or strategy is damaged)") }
            return CycleRecord(sequence: row["seq"], startedAt: Date(timeIntervalSince1970: row["started_at"]), mode: mode,
                               strategyHash: strategyHash, strategyText: text, snapshotHash: snapshotHash, snapshotJSON: snapshot,
                               opportunitiesJSON: row["opportunities"], planJSON: row["plan"])
        }
    }

    // MARK: Actions

    public func actions(_ query: ActionQuery) throws(JournalError) -> [JournalAction] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let status = query.status { clauses.append("status = ?"); arguments += [status.rawValue] }
        if let since = query.since { clauses.append("created_at >= ?"); arguments += [since.timeIntervalSince1970] }
        if let token = query.token { clauses.append("token = ?"); arguments += [token] }
        if let cycle = query.cycle { clauses.append("cycle = ?"); arguments += [cycle] }
        if let after = query.after {
            clauses.append("id < (SELECT id FROM actions WHERE idempotency_key = ?)")
            arguments += [after]
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments += [max(0, query.limit)]
        return try fetchActions(sql: "SELECT * FROM actions \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
    }

    public func action(_ key: String) throws(JournalError) -> JournalAction? {
        try fetchActions(sql: "SELECT * FROM actions WHERE idempotency_key = ?", arguments: [key]).first
    }

    public func inFlight(balancesReadAt: Date) throws(JournalError) -> [JournalAction] {
        try fetchActions(sql: """
            SELECT * FROM actions WHERE status IN ('planned', 'submitted', 'expired')
               OR (status = 'confirmed' AND delivered_at > ?)
            ORDER BY id
            """, arguments: [balancesReadAt.timeIntervalSince1970])
    }

    public func history(_ key: String) throws(JournalError) -> [StatusChange] {
        let path = path
        return try reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM action_history WHERE idempotency_key = ? ORDER BY id", arguments: [key]).map { row in
                guard let status = ActionStatus(rawValue: row["status"]) else {
                    throw JournalError(.unreadable, path: path, "action \(key) has an unknown status in its history")
                }
                return StatusChange(status: status, actor: row["actor"], note: row["note"], at: Date(timeIntervalSince1970: row["at"]))
            }
        }
    }

    @discardableResult
    public func transition(_ key: String, to status: ActionStatus, by actor: String, note: String?, update: ActionUpdate,
                           at: Date) throws(JournalError) -> JournalAction {
        let path = path
        return try writing { db in
            guard var action = try Self.fetchAction(db, key: key, path: path) else {
                throw JournalError(.unknownAction, path: path, "no action with key \(key)")
            }
            guard action.status.canMove(to: status) else {
                throw JournalError(.invalidTransition, path: path, "action \(key) is \(action.status.rawValue); it cannot become \(status.rawValue)")
            }
            try Self.checkDelivery(update, of: action, at: at, path: path)
            action.status = status
            action.updatedAt = at
            action.reference = update.reference ?? action.reference
            action.received = update.received ?? action.received
            action.deliveredAt = update.deliveredAt ?? action.deliveredAt
            try db.execute(sql: """
                UPDATE actions SET status = ?, updated_at = ?, reference = ?, received = ?, delivered_at = ? WHERE idempotency_key = ?
                """, arguments: [status.rawValue, at.timeIntervalSince1970, action.reference, action.received?.description,
                                 action.deliveredAt?.timeIntervalSince1970, key])
            try appendHistory(key, StatusChange(status: status, actor: actor, note: note, at: at), db: db)
            return action
        }
    }

    public func recordAttempt(_ key: String, sourceBalance: Amount?, by actor: String, at: Date) throws(JournalError) {
        let path = path
        try writing { db in
            guard let action = try Self.fetchAction(db, key: key, path: path) else {
                throw JournalError(.unknownAction, path: path, "no action with key \(key)")
            }
            try db.execute(sql: """
                UPDATE actions SET attempts = attempts + 1, first_sent_at = COALESCE(first_sent_at, ?),
                                   source_balance = COALESCE(source_balance, ?), updated_at = ?
                WHERE idempotency_key = ?
                """, arguments: [at.timeIntervalSince1970, sourceBalance?.description, at.timeIntervalSince1970, key])
            try appendHistory(key, StatusChange(status: action.status, actor: actor, note: "sending (attempt \(action.attempts + 1))", at: at), db: db)
        }
    }

    /// Clock difference allowed between the desk's signer and this machine.
    public static let clockSkew: TimeInterval = 300

    /// A reported delivery must be one this action could have made. Its time falls between the
    /// action's creation and now (give or take ``clockSkew``): a confirmed action counts in flight
    /// until a balance read at or after its delivery, so one dated ahead (a typo, a signer's
    /// broken clock) would count phantom tokens at the destination until then, and one dated
    /// before the action existed is not this action's. What arrived is at most what was sent (a
    /// bridge takes fees, it adds nothing): more is an amount in the token's base units.
    private static func checkDelivery(_ update: ActionUpdate, of action: JournalAction, at now: Date, path: String) throws(JournalError) {
        if let received = update.received, received > action.amount {
            throw JournalError(.implausibleDelivery, path: path, "action \(action.idempotencyKey) sent \(action.amount) \(action.token); "
                                + "\(received) cannot have arrived (amounts are in whole tokens, not base units)")
        }
        guard let delivered = update.deliveredAt else { return }
        if delivered > now.addingTimeInterval(clockSkew) {
            throw JournalError(.implausibleDelivery, path: path, "action \(action.idempotencyKey) cannot have been delivered at \(Timestamp.format(delivered)), "
                                + "after now (\(Timestamp.format(now))): it would count in flight until then")
        }
        if delivered < action.createdAt.addingTimeInterval(-clockSkew) {
            throw JournalError(.implausibleDelivery, path: path, "action \(action.idempotencyKey) cannot have been delivered at \(Timestamp.format(delivered)), "
                                + "before it was planned (\(Timestamp.format(action.createdAt)))")
        }
    }

    public func freeze(_ key: String, body: Data, amount: Amount, expectedReceived: Amount, validUntil: Date,
                       by actor: String, at: Date) throws(JournalError) {
        let path = path
        try writing { db in
            guard let action = try Self.fetchAction(db, key: key, path: path) else {
                throw JournalError(.unknownAction, path: path, "no action with key \(key)")
            }
            // A frozen body is never replaced: that is what makes every retry byte-identical.
            guard action.body == nil, action.status == .planned else { return }
            try db.execute(sql: """
                UPDATE actions SET body = ?, amount = ?, expected_received = ?, valid_until = ?, updated_at = ? WHERE idempotency_key = ?
                """, arguments: [body, amount.description, expectedReceived.description, validUntil.timeIntervalSince1970,
                                 at.timeIntervalSince1970, key])
            let note = "feeder delivered; body frozen for \(amount) (planned \(action.amount))"
            try appendHistory(key, StatusChange(status: .planned, actor: actor, note: note, at: at), db: db)
        }
    }

    // MARK: Kill switch, limits, pruning

    public func pauseState() throws(JournalError) -> PauseState {
        try reading { db in
            let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM meta WHERE key LIKE 'pause_%'")
            let values = Dictionary(rows.map { ($0["key"] as String, $0["value"] as String) }, uniquingKeysWith: { a, _ in a })
            return PauseState(paused: values["pause_state"] == "paused", by: values["pause_by"],
                              at: values["pause_at"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
                              reason: values["pause_reason"])
        }
    }

    public func setPaused(_ state: PauseState) throws(JournalError) {
        try writing { db in
            let values: [(String, String?)] = [
                ("pause_state", state.paused ? "paused" : "running"), ("pause_by", state.by),
                ("pause_at", state.at.map { String($0.timeIntervalSince1970) }), ("pause_reason", state.reason),
            ]
            for (key, value) in values {
                if let value {
                    try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
                } else {
                    try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [key])
                }
            }
        }
    }

    public func submittedUSD(since: Date) throws(JournalError) -> Double {
        try reading { db in
            // An action counts from its first send: one the receiver may hold is spent limit.
            try Double.fetchOne(db, sql: """
                SELECT COALESCE(SUM(amount_usd), 0) FROM actions
                WHERE first_sent_at >= ? AND status IN ('planned', 'submitted', 'confirmed', 'expired')
                """, arguments: [since.timeIntervalSince1970]) ?? 0
        }
    }

    public func prune(before date: Date) throws(JournalError) -> PruneReport {
        let report = try writing { db -> PruneReport in
            let cutoff = date.timeIntervalSince1970
            try db.execute(sql: """
                CREATE TEMP TABLE doomed AS SELECT seq FROM cycles c WHERE started_at < ?
                AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.cycle = c.seq AND a.status IN ('planned', 'submitted', 'expired'))
                """, arguments: [cutoff])
            defer { try? db.execute(sql: "DROP TABLE temp.doomed") }
            try db.execute(sql: "DELETE FROM action_history WHERE idempotency_key IN (SELECT idempotency_key FROM actions WHERE cycle IN (SELECT seq FROM doomed))")
            try db.execute(sql: "DELETE FROM actions WHERE cycle IN (SELECT seq FROM doomed)")
            let actions = db.changesCount
            try db.execute(sql: "DELETE FROM cycles WHERE seq IN (SELECT seq FROM doomed)")
            let cycles = db.changesCount
            try db.execute(sql: "DELETE FROM snapshots WHERE hash NOT IN (SELECT snapshot_hash FROM cycles)")
            let snapshots = db.changesCount
            try db.execute(sql: "DELETE FROM strategies WHERE hash NOT IN (SELECT strategy_hash FROM cycles)")
            return PruneReport(cycles: cycles, actions: actions, snapshots: snapshots, opportunities: try Self.forgetOpportunities(db, before: date))
        }
        // Give the space back to the file system; a failure here loses nothing.
        _ = try? database.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        return report
    }

    // MARK: Opportunities

    public func recordOpportunities(_ seen: [SeenOpportunity], forgettingBefore cutoff: Date?) throws(JournalError) {
        guard !seen.isEmpty else { return }
        try writing { db in
            if let cutoff { _ = try Self.forgetOpportunities(db, before: cutoff) }
            for o in seen {
                try db.execute(sql: """
                    INSERT INTO opportunities (seen_at, token, buy_chain, sell_chain, bridge, amount, profit_usd, roi_bps)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [o.seenAt.timeIntervalSince1970, o.token, o.buyChain, o.sellChain, o.bridge, o.amount.description,
                                     o.profitUSD, o.roiBps])
            }
        }
    }

    /// Deletes the opportunities seen before `date`; how many.
    private static func forgetOpportunities(_ db: Database, before date: Date) throws -> Int {
        try db.execute(sql: "DELETE FROM opportunities WHERE seen_at < ?", arguments: [date.timeIntervalSince1970])
        return db.changesCount
    }

    public func opportunities(since: Date?, limit: Int) throws(JournalError) -> [SeenOpportunity] {
        let path = path
        return try reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM opportunities WHERE seen_at >= ? ORDER BY id DESC LIMIT ?",
                             arguments: [since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude, max(0, limit)]).map { row in
                guard let amount = Amount(row["amount"] as String) else {
                    throw JournalError(.unreadable, path: path, "an opportunity's amount is not a decimal")
                }
                return SeenOpportunity(seenAt: Date(timeIntervalSince1970: row["seen_at"]), token: row["token"], buyChain: row["buy_chain"],
                                       sellChain: row["sell_chain"], bridge: row["bridge"], amount: amount, profitUSD: row["profit_usd"],
                                       roiBps: row["roi_bps"])
            }
        }
    }

    // MARK: Rows

    private func insert(_ a: JournalAction, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO actions (idempotency_key, cycle, token, leg, from_chain, to_chain, bridge, amount, expected_received, fee_usd,
                                 amount_usd, fee_bps, fee_fixed, eta_seconds, depends_on, status, body, valid_until, attempts, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            """, arguments: [a.idempotencyKey, a.cycle, a.token, a.leg, a.from, a.to, a.bridge, a.amount.description,
                             a.expectedReceived.description, a.feeUSD, a.amountUSD, a.feeBps, a.feeFixed.description, a.etaSeconds,
                             a.dependsOn, a.status.rawValue, a.body, a.validUntil?.timeIntervalSince1970,
                             a.createdAt.timeIntervalSince1970, a.updatedAt.timeIntervalSince1970])
    }

    private func appendHistory(_ key: String, _ change: StatusChange, db: Database) throws {
        try db.execute(sql: "INSERT INTO action_history (idempotency_key, status, actor, note, at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [key, change.status.rawValue, change.actor, change.note, change.at.timeIntervalSince1970])
    }

    private func fetchActions(sql: String, arguments: StatementArguments) throws(JournalError) -> [JournalAction] {
        let path = path
        return try reading { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map { try Self.action($0, path: path) } }
    }

    private static func fetchAction(_ db: Database, key: String, path: String) throws -> JournalAction? {
        try Row.fetchOne(db, sql: "SELECT * FROM actions WHERE idempotency_key = ?", arguments: [key]).map { try action($0, path: path) }
    }

    private static func action(_ row: Row, path: String) throws -> JournalAction {
        let key: String = row["idempotency_key"]
        func amount(_ column: String) throws -> Amount {
            guard let text: String = row[column], let value = Amount(text) else {
                throw JournalError(.unreadable, path: path, "action \(key): \(column) is not a decimal amount")
            }
            return value
        }
        guard let status = ActionStatus(rawValue: row["status"]) else {
            throw JournalError(.unreadable, path: path, "action \(key): unknown status \(row["status"] as String)")
        }
        let transfer = PlannedTransfer(
            token: row["token"], leg: row["leg"], from: row["from_chain"], to: row["to_chain"], bridge: row["bridge"],
            amount: try amount("amount"), expectedReceived: try amount("expected_received"), feeUSD: row["fee_usd"],
            amountUSD: row["amount_usd"], feeBps: row["fee_bps"], feeFixed: try amount("fee_fixed"), etaSeconds: row["eta_seconds"],
            dependsOn: row["depends_on"])
        return JournalAction(
            idempotencyKey: key, cycle: row["cycle"], transfer: transfer, status: status, body: row["body"],
            validUntil: (row["valid_until"] as Double?).map(Date.init(timeIntervalSince1970:)), reference: row["reference"],
            received: row["received"] == nil ? nil : try amount("received"),
            deliveredAt: (row["delivered_at"] as Double?).map(Date.init(timeIntervalSince1970:)), attempts: row["attempts"],
            sourceBalanceAtSend: row["source_balance"] == nil ? nil : try amount("source_balance"),
            createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
