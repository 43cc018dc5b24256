import BallastCore
@testable import BallastExecution
import BallastStore
import Foundation
import Testing

@Suite struct RebalanceCycleTests {
    /// a holds everything; b and c should hold a quarter each.
    static let skewed = ["a": "100", "b": "0", "c": "0"]
    static let quarters = "{a: 0.5, b: 0.25, c: 0.25}"

    @Test func dryRunRecordsExactlyThePlanAndSendsNothing() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        let outcome = try await h.run(.dryRun)
        let plan = try #require(Rebalancer(strategy: Strategy.decode(yaml: h.strategyText, source: "s"))?.plan(try h.market.read()).plans.first)
        #expect(plan.status == .rebalance)
        let actions = try h.actions()
        #expect(actions.map { [$0.from, $0.to, $0.amount.description, $0.expectedReceived.description] }
                == plan.transfers.map { [$0.from, $0.to, $0.amount.description, $0.expectedReceived.description] })
        #expect(actions.allSatisfy { $0.status == .dryRun && $0.body == nil })
        #expect(outcome.count(.dryRun) == plan.transfers.count)
        #expect(h.submitter.calls.isEmpty)
        // The cycle replays to the identical plan from what the journal stored.
        #expect(try CycleReplay(#require(try h.journal.cycle(outcome.cycle))).identical)
        // Dry-run reserves nothing: the next dry-run plans the same transfers again.
        _ = try await h.run(.dryRun)
        #expect(try h.actions().count == 2 * plan.transfers.count)
    }

    @Test func liveSubmitsOnceAndTheNextCycleAddsNothingWhileTheyArePending() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        let first = try await h.run()
        #expect(first.count(.planned) == 2)
        #expect(first.count(.submitted) == 2)
        #expect(h.submitter.calls.count == 2)
        let submitted = try h.actions(.submitted)
        #expect(submitted.map(\.reference) == ["ref-1", "ref-2"])
        // Signed bodies name the whole transfer, amounts as exact decimals.
        let body = try JSONSerialization.jsonObject(with: h.submitter.calls[0].body) as! [String: Any]
        #expect(body["idempotency_key"] as? String == submitted[0].idempotencyKey)
        #expect(body["amount"] as? String == submitted[0].amount.description)
        #expect(body["min_received"] as? String == submitted[0].expectedReceived.description)
        #expect((body["from"] as? [String: Any])?["chain_id"] as? Int == 1)
        #expect(body["depends_on"] is NSNull)

        h.clock.advance(by: .seconds(60))
        let second = try await h.run()
        #expect(second.events.isEmpty, "\(second.events)")
        #expect(second.tokens.first?.status == "within_band")
        #expect(second.pendingFromEarlier == 2)
        #expect(h.submitter.calls.count == 2)
    }

    @Test func aPausedJournalRecordsBlockedActionsAndSendsNothing() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        try h.journal.setPaused(PauseState(paused: true, by: "cli:ops", at: CycleHarness.start, reason: "incident"))
        let outcome = try await h.run()
        #expect(outcome.paused)
        #expect(try h.actions().map(\.status) == [.blocked, .blocked])
        #expect(try h.journal.history(h.actions()[0].idempotencyKey).first?.note == "paused by cli:ops: incident")
        #expect(h.submitter.calls.isEmpty)
    }

    @Test func limitsAndAllowlistsBlockWhatTheyRefuse() async throws {
        // 100 WETH at $2,000: each leg is worth $50,000.
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters, limits: "{max_transfer_usd: 40000}")
        defer { h.remove() }
        _ = try await h.run()
        let blocked = try h.actions(.blocked)
        #expect(blocked.count == 2)
        #expect(try h.journal.history(blocked[0].idempotencyKey)[0].note?.contains("max_transfer_usd") == true)
        #expect(h.submitter.calls.isEmpty)

        let daily = try CycleHarness(balances: Self.skewed, targets: Self.quarters, limits: "{max_daily_usd: 60000, bridges: [across]}")
        defer { daily.remove() }
        _ = try await daily.run()
        #expect(try daily.actions().map(\.status) == [.submitted, .blocked])
        #expect(daily.submitter.calls.count == 1)

        let allow = try CycleHarness(balances: Self.skewed, targets: Self.quarters, limits: "{chains: [a, b]}")
        defer { allow.remove() }
        _ = try await allow.run()
        #expect(try allow.actions().map { "\($0.to):\($0.status.rawValue)" }.sorted() == ["b:submitted", "c:blocked"])
    }

    @Test func anUnreachableReceiverLeavesActionsPlannedAndTheNextRunResendsTheSameBytes() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        h.submitter.answer(.unreachable("connection refused"))
        let first = try await h.run()
        #expect(first.receiverUnreachable != nil)
        #expect(h.submitter.calls.count == 1)  // the rest waits rather than time out too
        #expect(try h.actions().map(\.status) == [.planned, .planned])

        h.clock.advance(by: .seconds(30))
        let second = try await h.run()
        #expect(second.receiverUnreachable == nil)
        #expect(second.count(.planned) == 0, "no new actions: the planned ones are in flight")
        let calls = h.submitter.calls
        #expect(calls.count == 3)
        #expect(calls[1].key == calls[0].key && calls[1].body == calls[0].body)
        #expect(Set(calls.map(\.key)).count == 2)
        #expect(try h.actions().map(\.status) == [.submitted, .submitted])
    }

    /// Runs a live cycle whose re-read just before sending fails, as if the process died there:
    /// everything is recorded, nothing is sent.
    func runDyingBeforeSending(_ h: CycleHarness) async throws {
        let market = h.market, clock = h.clock
        let cycle = try RebalanceCycle(
            configuration: h.cycle().configuration, journal: h.journal,
            readMarket: {
                let snapshot = try market.read()
                market.failReads(1)
                return snapshot
            }, submitter: h.submitter, time: clock)
        await #expect(throws: TestMarket.Failure.self) { try await cycle.run() }
    }

    @Test func aRunKilledAfterRecordingIsResumedWithTheSameKeys() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        try await runDyingBeforeSending(h)
        let recorded = try h.actions()
        #expect(recorded.map(\.status) == [.planned, .planned])
        #expect(h.submitter.calls.isEmpty)

        h.clock.advance(by: .seconds(10))
        let resumed = try await h.run()
        #expect(resumed.count(.planned) == 0, "nothing planned again")
        #expect(h.submitter.calls.map(\.key) == recorded.map(\.idempotencyKey))
        #expect(h.submitter.calls.map(\.body) == recorded.map { $0.body! })
    }

    @Test func aSourceThatNoLongerHoldsTheAmountIsNotAskedToSendIt() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        try await runDyingBeforeSending(h)
        let recorded = try h.actions()
        // Meanwhile something else took 60 of a's 100: enough for one leg, not for both.
        h.market.change { s in s.balances[0].amount = Amount("40")! }
        h.clock.advance(by: .seconds(10))
        _ = try await h.run()
        let statuses = try recorded.map { try h.journal.action($0.idempotencyKey)!.status }
        #expect(statuses == [.submitted, .blocked])
        #expect(try h.journal.history(recorded[1].idempotencyKey).last?.note?.contains("a holds 40 WETH at the fresh read") == true)
        #expect(h.submitter.calls.map(\.key) == [recorded[0].idempotencyKey])
    }

    @Test func aRelayLegWaitsForItsFeederAndForwardsWhatArrived() async throws {
        // Only a → b → c exists: c's share must travel through b.
        let h = try CycleHarness(balances: ["a": "100", "b": "0", "c": "0"], targets: "{a: 0.5, c: 0.5}", routes: [("a", "b"), ("b", "c")])
        defer { h.remove() }
        _ = try await h.run()
        var actions = try h.actions()
        #expect(actions.map(\.status) == [.submitted, .planned])
        let (feeder, relay) = (actions[0], actions[1])
        #expect(relay.dependsOn == feeder.idempotencyKey)
        #expect(relay.body == nil)
        #expect(h.submitter.calls.count == 1)

        // Past the feeder's expiry and past valid_seconds: the feeder expires, the relay keeps waiting.
        h.clock.advance(by: .seconds(700))
        let waiting = try await h.run()
        #expect(h.submitter.calls.count == 1, "the relay waits while its feeder is only submitted")
        #expect(waiting.tokens.first?.status == "waiting")
        #expect(try h.actions().map(\.status) == [.expired, .planned])

        // The feeder delivers 0.5 less than expected; the relay forwards that much less.
        let received = feeder.expectedReceived - Amount("0.5")!
        try h.journal.transition(feeder.idempotencyKey, to: .confirmed, by: "cli:desk", note: nil,
                                 update: ActionUpdate(received: received, deliveredAt: h.clock.date), at: h.clock.date)
        h.market.change { s in
            s.balances[0].amount = s.balances[0].amount - feeder.amount
            s.balances[1].amount = received
        }
        h.clock.advance(by: .seconds(60))
        _ = try await h.run()
        actions = try h.actions()
        #expect(actions.count == 2, "no new plan while the relay is in flight")
        #expect(actions[1].status == .submitted)
        #expect(actions[1].amount == relay.amount - Amount("0.5")!)
        let body = try JSONSerialization.jsonObject(with: h.submitter.calls[1].body) as! [String: Any]
        #expect(body["amount"] as? String == actions[1].amount.description)
        #expect(body["depends_on"] as? String == feeder.idempotencyKey)
        #expect(body["min_received"] as? String == actions[1].expectedReceived.description)
    }

    @Test func actionsExpireWaitForAHumanAndPlannedOnesLapseAtValidUntil() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        h.submitter.answer(.accepted(reference: nil), .unreachable("down"))
        _ = try await h.run()
        #expect(try h.actions().map(\.status) == [.submitted, .planned])
        // The unanswered one may be at the receiver: it counts as attempted, and is resent.
        #expect(try h.actions()[1].attempts == 1)

        // ETA 120 s × expire_factor 3 = 360 s.
        h.clock.advance(by: .seconds(361))
        let later = try await h.run()
        let statuses = try h.actions().map(\.status)
        #expect(statuses[0] == .expired)
        #expect(later.tokens.first?.status == "waiting")
        #expect(later.events.contains { $0.status == .expired })

        // A human says it arrived: the token plans again once a balance read shows it.
        let key = try h.actions()[0].idempotencyKey
        try h.journal.transition(key, to: .confirmed, by: "cli:desk", note: nil,
                                 update: ActionUpdate(received: h.actions()[0].expectedReceived, deliveredAt: h.clock.date), at: h.clock.date)
        h.clock.advance(by: .seconds(10))
        let resolved = try await h.run()
        #expect(resolved.tokens.first?.status != "waiting")
    }

    @Test func aPlannedActionNeverSentLapsesAtItsValidUntil() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        try await runDyingBeforeSending(h)
        let lapsed = try h.actions()
        h.clock.advance(by: .seconds(601))  // valid_seconds defaults to 600
        let outcome = try await h.run()
        for action in lapsed {
            #expect(try h.journal.action(action.idempotencyKey)?.status == .failed)
            #expect(outcome.events.contains { $0.key == action.idempotencyKey && $0.note?.contains("valid_until") == true })
        }
        // Its funds no longer count in flight: the cycle planned anew, under new keys.
        #expect(h.submitter.calls.count == 2)
        #expect(Set(h.submitter.calls.map(\.key)).isDisjoint(with: lapsed.map(\.idempotencyKey)))
    }

    @Test func aReceiverThatSawTheKeyWithAnotherBodyFailsTheActionLoudly() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        h.submitter.answer(.keyReused("different body"), .refused(status: 400, reason: "unknown chain"))
        let outcome = try await h.run()
        #expect(outcome.keyReused)
        let actions = try h.actions()
        #expect(actions.map(\.status) == [.failed, .failed])
        #expect(try h.journal.history(actions[0].idempotencyKey).last?.note?.contains("422") == true)
        #expect(try h.journal.history(actions[1].idempotencyKey).last?.note?.contains("HTTP 400") == true)
    }

    @Test func aFresherQuoteAboveTheFeeCapBlocksTheTransfer() async throws {
        let h = try CycleHarness(balances: Self.skewed, targets: Self.quarters)
        defer { h.remove() }
        // The re-read just before sending sees every route at 80 bps, above max_fee_bps 50.
        let market = h.market
        let cycle = try h.cycle()
        let outcome = try await RebalanceCycle(
            configuration: cycle.configuration, journal: h.journal,
            readMarket: {
                let snapshot = try market.read()
                market.change { s in for i in s.routes.indices { s.routes[i].feeBps = 80 } }
                return snapshot
            }, submitter: h.submitter, time: h.clock).run()
        #expect(outcome.count(.blocked) == 2)
        #expect(try h.journal.history(h.actions()[0].idempotencyKey).last?.note?.contains("fee above max_fee_bps") == true)
        #expect(h.submitter.calls.isEmpty)
    }
}
