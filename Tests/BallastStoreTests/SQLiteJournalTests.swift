import BallastCore
@testable import BallastStore
import Foundation
import GRDB
import Testing

@Suite struct SQLiteJournalTests {
    @Test func recordsACycleWithKeysFromItsNumberTokenAndLeg() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        let (first, actions) = try journal.recordCycle(TemporaryJournal.draft(), by: "run") { _ in
            [TemporaryJournal.action(leg: 1), TemporaryJournal.action(leg: 2), TemporaryJournal.action(leg: 1, token: "WETH")]
        }
        #expect(first.sequence == 1)
        let id = String(actions[0].idempotencyKey.prefix(8))
        #expect(actions.map(\.idempotencyKey) == ["\(id)-1-USDC-1", "\(id)-1-USDC-2", "\(id)-1-WETH-1"])
        // A later, identical transfer gets a new key; the same journal id.
        let (second, again) = try journal.recordCycle(TemporaryJournal.draft(), by: "run") { _ in [TemporaryJournal.action(leg: 1)] }
        #expect(second.sequence == 2)
        #expect(again[0].idempotencyKey == "\(id)-2-USDC-1")
        // Read back from a second connection, as another process would.
        let reopened = try t.open(.readOnly)
        let stored = try #require(try reopened.action("\(id)-1-USDC-2"))
        #expect(stored.amount == Amount("100")!)
        #expect(stored.body == Data("{\"leg\":2}".utf8))
        #expect(stored.status == .planned)
        #expect(try reopened.history(stored.idempotencyKey).map(\.status) == [.planned])
        #expect(try reopened.cycle(1)?.snapshotJSON == Data(#"{"version": 1}"#.utf8))
    }

    @Test func keysSpellUnusualSymbolsSafelyForHeaders() {
        let stamp = CycleStamp(sequence: 7, journalID: "0badc0de")
        #expect(stamp.idempotencyKey(token: "USDC.e", leg: 2) == "0badc0de-7-USDC.e-2")
        #expect(stamp.idempotencyKey(token: "A B\r\n", leg: 1) == "0badc0de-7-A%20B%D%A-1")
    }

    @Test func aFailingActionDraftRecordsNothing() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        struct Boom: Error {}
        #expect(throws: Boom.self) { try journal.recordCycle(TemporaryJournal.draft(), by: "run") { _ in throw Boom() } }
        #expect(try journal.lastCycle()?.sequence == nil)
        #expect(try journal.actions(ActionQuery()).isEmpty)
    }

    @Test func statusesFollowTheStateMachineWithHistory() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        let (_, actions) = try journal.recordCycle(TemporaryJournal.draft(), by: "run") { _ in [TemporaryJournal.action(leg: 1)] }
        let key = actions[0].idempotencyKey
        let at = TemporaryJournal.start.addingTimeInterval(5)
        try journal.recordAttempt(key, sourceBalance: nil, by: "run", at: at)
        try journal.transition(key, to: .submitted, by: "run", note: "accepted", update: ActionUpdate(reference: "r-1"), at: at)
        #expect(throws: JournalError.self) {
            try journal.transition(key, to: .blocked, by: "run", note: nil, update: ActionUpdate(), at: at)
        }
        let delivered = at.addingTimeInterval(30)
        let confirmed = try journal.transition(key, to: .confirmed, by: "cli:desk", note: nil,
                                               update: ActionUpdate(received: Amount("99.5")!, deliveredAt: delivered), at: delivered)
        #expect(confirmed.reference == "r-1")
        #expect(confirmed.received == Amount("99.5")!)
        #expect(throws: JournalError.self) {
            try journal.transition(key, to: .failed, by: "cli:desk", note: nil, update: ActionUpdate(), at: delivered)
        }
        let history = try journal.history(key)
        #expect(history.map(\.status) == [.planned, .planned, .submitted, .confirmed])
        #expect(history.map(\.actor) == ["run", "run", "run", "cli:desk"])
        #expect(try journal.action(key)?.attempts == 1)
        #expect(throws: JournalError.self) {
            try journal.transition("nope", to: .failed, by: "cli:desk", note: nil, update: ActionUpdate(), at: delivered)
        }
    }

    @Test func inFlightHoldsConfirmedActionsUntilABalanceReadAfterDelivery() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        let (_, actions) = try journal.recordCycle(TemporaryJournal.draft(), by: "run") { _ in
            [TemporaryJournal.action(leg: 1), TemporaryJournal.action(leg: 2), TemporaryJournal.action(leg: 3, status: .blocked),
             TemporaryJournal.action(leg: 4, status: .dryRun)]
        }
        let delivered = TemporaryJournal.start.addingTimeInterval(100)
        try journal.transition(actions[1].idempotencyKey, to: .confirmed, by: "cli:desk", note: nil,
                               update: ActionUpdate(received: Amount("100")!, deliveredAt: delivered), at: delivered)
        #expect(try journal.inFlight(balancesReadAt: delivered.addingTimeInterval(-1)).map(\.leg) == [1, 2])
        #expect(try journal.inFlight(balancesReadAt: delivered).map(\.leg) == [1])
    }

    @Test func listsNewestFirstWithFiltersAndPages() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        for cycle in 0..<3 {
            _ = try journal.recordCycle(TemporaryJournal.draft(at: TemporaryJournal.start.addingTimeInterval(Double(cycle) * 60)), by: "run") { _ in
                [TemporaryJournal.action(leg: 1), TemporaryJournal.action(leg: 2, token: "WETH", status: .blocked)]
            }
        }
        let all = try journal.actions(ActionQuery())
        #expect(all.map(\.cycle) == [3, 3, 2, 2, 1, 1])
        #expect(try journal.actions(ActionQuery(status: .blocked)).count == 3)
        #expect(try journal.actions(ActionQuery(token: "USDC")).map(\.cycle) == [3, 2, 1])
        #expect(try journal.actions(ActionQuery(since: TemporaryJournal.start.addingTimeInterval(60))).count == 4)
        let page1 = try journal.actions(ActionQuery(limit: 4))
        let page2 = try journal.actions(ActionQuery(limit: 4, after: page1.last!.idempotencyKey))
        #expect(page1.count == 4 && page2.count == 2)
        #expect(page1.map(\.idempotencyKey) + page2.map(\.idempotencyKey) == all.map(\.idempotencyKey))
    }

    @Test func snapshotsAreStoredOnceCompressedAndReadBackExactly() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        let big = "{\"prices\": [" + Array(repeating: #"{"chain": "ethereum", "price_usd": 3012.5}"#, count: 2_000).joined(separator: ",") + "]}"
        for _ in 0..<3 { _ = try journal.recordCycle(TemporaryJournal.draft(snapshot: big), by: "run") { _ in [] } }
        let (count, stored) = try DatabaseQueue(path: t.path).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM snapshots")!, try Int.fetchOne(db, sql: "SELECT LENGTH(body) FROM snapshots")!)
        }
        #expect(count == 1)
        #expect(stored * 10 < big.utf8.count)
        #expect(try journal.cycle(3)?.snapshotJSON == Data(big.utf8))
    }

    @Test func opportunitiesAreRecordedListedNewestFirstAndPruned() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        func seen(_ minutes: Double, _ token: String, _ profit: Double) -> SeenOpportunity {
            SeenOpportunity(seenAt: TemporaryJournal.start.addingTimeInterval(minutes * 60), token: token, buyChain: "base",
                            sellChain: "arbitrum", bridge: "across", amount: Amount("1.234567890123456789")!, profitUSD: profit, roiBps: 12.5)
        }
        try journal.recordOpportunities([seen(0, "WETH", 10), seen(0, "WBTC", 20)], forgettingBefore: nil)
        try journal.recordOpportunities([], forgettingBefore: nil)
        try journal.recordOpportunities([seen(90, "WETH", 30)], forgettingBefore: nil)
        let all = try journal.opportunities(since: nil, limit: 10)
        #expect(all.map(\.profitUSD) == [30, 20, 10])
        #expect(all.first?.amount.description == "1.234567890123456789", "amounts stay exact")
        #expect(try journal.opportunities(since: TemporaryJournal.start.addingTimeInterval(60), limit: 10).map(\.token) == ["WETH"])
        #expect(try journal.opportunities(since: nil, limit: 2).count == 2)
        let report = try journal.prune(before: TemporaryJournal.start.addingTimeInterval(3_600))
        #expect(report.opportunities == 2)
        #expect(try journal.opportunities(since: nil, limit: 10).map(\.profitUSD) == [30])
        // A service's retention: recording forgets, in the same write, what was seen before the cutoff.
        try journal.recordOpportunities([], forgettingBefore: .distantFuture)
        #expect(try journal.opportunities(since: nil, limit: 10).count == 1, "nothing seen, nothing written")
        try journal.recordOpportunities([seen(200, "WBTC", 40)], forgettingBefore: TemporaryJournal.start.addingTimeInterval(100 * 60))
        #expect(try journal.opportunities(since: nil, limit: 10).map(\.profitUSD) == [40])
    }

    @Test func pruneKeepsWhatIsStillMoving() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        _ = try journal.recordCycle(TemporaryJournal.draft(snapshot: "1"), by: "run") { _ in [TemporaryJournal.action(leg: 1, status: .dryRun)] }
        _ = try journal.recordCycle(TemporaryJournal.draft(snapshot: "2"), by: "run") { _ in [TemporaryJournal.action(leg: 1)] }
        _ = try journal.recordCycle(TemporaryJournal.draft(at: TemporaryJournal.start.addingTimeInterval(86_400), snapshot: "3"), by: "run") { _ in
            [TemporaryJournal.action(leg: 1, status: .dryRun)]
        }
        let report = try journal.prune(before: TemporaryJournal.start.addingTimeInterval(3_600))
        #expect(report == PruneReport(cycles: 1, actions: 1, snapshots: 1, opportunities: 0))
        #expect(try journal.cycle(1)?.sequence == nil)
        #expect(try journal.cycle(2)?.sequence == 2)
        #expect(try journal.actions(ActionQuery()).map(\.cycle) == [3, 2])
    }

    @Test func pauseStateSurvivesReopening() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        try t.open().setPaused(PauseState(paused: true, by: "cli:ops", at: TemporaryJournal.start, reason: "bridge incident"))
        let state = try t.open(.readOnly).pauseState()
        #expect(state == PauseState(paused: true, by: "cli:ops", at: TemporaryJournal.start, reason: "bridge incident"))
        try t.open().setPaused(PauseState(paused: false, by: "cli:ops", at: TemporaryJournal.start))
        #expect(try t.open().pauseState().paused == false)
    }

    @Test func dailyUseCountsEverythingThatMayHaveBeenSent() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let journal = try t.open()
        let (_, a) = try journal.recordCycle(TemporaryJournal.draft(), by: "run") { _ in
            (1...4).map { TemporaryJournal.action(leg: $0, amountUSD: Double($0) * 1_000) } + [TemporaryJournal.action(leg: 5, status: .dryRun, amountUSD: 1e6)]
        }
        let at = TemporaryJournal.start.addingTimeInterval(1)
        for action in a.prefix(3) { try journal.recordAttempt(action.idempotencyKey, sourceBalance: nil, by: "run", at: at) }
        try journal.transition(a[0].idempotencyKey, to: .submitted, by: "run", note: nil, update: ActionUpdate(), at: at)
        // Leg 2 stays planned after its attempt: the receiver may hold it, so it counts.
        try journal.transition(a[2].idempotencyKey, to: .failed, by: "run", note: nil, update: ActionUpdate(), at: at)
        try journal.transition(a[0].idempotencyKey, to: .confirmed, by: "cli:desk", note: nil, update: ActionUpdate(), at: at.addingTimeInterval(90_000))
        // leg 4 never sent, leg 5 dry-run: neither counts.
        #expect(try journal.submittedUSD(since: TemporaryJournal.start) == 3_000)
        #expect(try journal.submittedUSD(since: at.addingTimeInterval(1)) == 0)
    }
}
