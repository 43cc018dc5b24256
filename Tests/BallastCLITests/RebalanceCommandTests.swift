import BallastSandbox
import BallastStore
import Foundation
import GRDB
import Testing

/// `ballast rebalance --once`, `journal`, `pause`: run as cron and a desk would, against a
/// simulated market and a signed-webhook receiver on 127.0.0.1, with a real journal file.
@Suite struct RebalanceCommandTests {
    static let secret = "s3cr3t-webhook-key-for-tests-only"

    /// `webhookTimeout`: how long one submission may wait on the receiver. A test that holds
    /// a cycle inside a hanging submission makes it long, so the cycle stays there (no resend)
    /// however slowly the rest of the test runs.
    func withDesk(receiver behaviour: WebhookReceiver.Behaviour = .accept, limits: String = "", webhookTimeout: Int = 1,
                  _ body: (TestDesk) async throws -> Void) async throws {
        try await TestDesk.with(secret: Self.secret, receiver: behaviour,
                                strategy: { TestDesk.strategy(webhook: $0, timeoutSeconds: webhookTimeout, limits: limits) }, body)
    }

    @Test func dryRunRecordsThePlanAndTheJournalListsIt() async throws {
        try await withDesk { desk in
            let run = try await desk.rebalance()
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.hasPrefix("cycle 1 (dry-run): USDC rebalance (2 transfers) — actions: 2 dry_run"), "\(run.stdout)")
            #expect(desk.receiver.arrivals.isEmpty)
            let plan = try await CLIRunner.launch(["plan", "--chains", desk.chains, "--strategy", desk.strategy, "--format", "json"])
            let transfers = ((try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])?["plans"] as? [[String: Any]])?
                .first?["transfers"] as? [[String: Any]] ?? []
            let actions = try await desk.actions()
            #expect(actions.map { $0["amount"] as? String } == transfers.map { $0["amount"] as? String })
            #expect(actions.map { $0["expected_received"] as? String } == transfers.map { $0["expected_received"] as? String })
            #expect(actions.allSatisfy { $0["status"] as? String == "dry_run" })
            #expect(Set(actions.first?.keys.map { $0 } ?? []) == ["idempotency_key", "cycle", "token", "from", "to", "bridge", "amount",
                                                                   "expected_received", "fee_usd", "status", "created_at", "updated_at"])
            let replay = try await desk.ballast(["journal", "replay", "1", "--format", "json"])
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(replay.stderr.contains("identical to the plan cycle 1 recorded"))
            let csv = try await desk.ballast(["journal", "--format", "csv"])
            #expect(csv.stdout.hasPrefix("idempotency_key,cycle,token,from,to,bridge,amount,expected_received,fee_usd,status,created_at,updated_at\r\n"))
        }
    }

    @Test func liveSubmitsSignedTransfersOnceAndTheSecretStaysSecret() async throws {
        try await withDesk { desk in
            let first = try await desk.rebalance(["--live"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("actions: 2 planned, 2 submitted"), "\(first.stdout)")
            let arrivals = desk.receiver.arrivals
            #expect(arrivals.count == 2)
            #expect(arrivals.allSatisfy { $0.signatureValid && $0.status == 200 })

            let second = try await desk.rebalance(["--live", "--quiet"])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdout.isEmpty, "quiet: nothing was done, nothing is printed: \(second.stdout)")
            #expect(desk.receiver.arrivals.count == 2, "nothing new while the first cycle's transfers are pending")

            // The desk reports delivery.
            let key = try #require(try await desk.actions().first?["idempotency_key"] as? String)
            let missing = try await desk.ballast(["journal", "set-status", key, "confirmed"])
            #expect(missing.status == 64)
            // A delivery dated ahead would count phantom tokens in flight until then; one dated
            // before the action existed is not this action's.
            for at in ["2099-01-01T00:00:00Z", "2001-01-01T00:00:00Z"] {
                let implausible = try await desk.ballast(["journal", "set-status", key, "confirmed", "--received", "30.5", "--at", at])
                #expect(implausible.status == 65 && implausible.stderr.contains("cannot have been delivered at \(at.dropLast())"), "\(implausible.stderr)")
            }
            // More than was sent: the amount in USDC's base units (6 decimals), not in tokens.
            let baseUnits = try await desk.ballast(["journal", "set-status", key, "confirmed", "--received", "30500000"])
            #expect(baseUnits.status == 65 && baseUnits.stderr.contains("30500000 cannot have arrived"), "\(baseUnits.stderr)")
            let confirmed = try await desk.ballast(["journal", "set-status", key, "confirmed", "--received", "30.5", "--note", "block 123"])
            #expect(confirmed.status == 0, "\(confirmed.stderr)")
            let shown = try await desk.ballast(["journal", "show", key])
            #expect(shown.stdout.contains("received 30.5"))
            #expect(shown.stdout.contains("confirmed  cli:"))

            let journalBytes = try Data(contentsOf: URL(fileURLWithPath: desk.journal))
            #expect(journalBytes.range(of: Data(RebalanceCommandTests.secret.utf8)) == nil)
            for output in [first.stdout, first.stderr, shown.stdout, shown.stderr] {
                #expect(!output.contains(RebalanceCommandTests.secret))
            }
        }
    }

    @Test(arguments: [WebhookReceiver.Behaviour.acceptAndHang, .hang])
    func aRunKilledDuringSubmissionIsResumedUnderTheSameKey(_ behaviour: WebhookReceiver.Behaviour) async throws {
        try await withDesk(receiver: behaviour, webhookTimeout: 120) { desk in
            var arrivals = desk.receiver.arrivalStream.makeAsyncIterator()
            let run = try desk.start(["--live"])
            let first = try #require(await arrivals.next())
            kill(run.pid, SIGKILL)
            let killed = await run.finish()
            #expect(killed.status == SIGKILL)

            desk.receiver.setBehaviour(.accept)
            let rerun = try await desk.rebalance(["--live"])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let all = desk.receiver.arrivals
            // The interrupted key came again, byte for byte; every transfer has one key only.
            let again = all.dropFirst().filter { $0.key == first.key }
            #expect(again.count == 1)
            #expect(again.first?.body == first.body)
            #expect(again.first?.status == (behaviour == .acceptAndHang ? 409 : 200))
            #expect(Set(all.map(\.key)).count == 2)
            #expect(!all.contains { $0.status == 422 })
            let actions = try await desk.actions()
            #expect(actions.count == 2)
            #expect(actions.allSatisfy { $0["status"] as? String == "submitted" })
        }
    }

    @Test func anUnreachableReceiverExits75AndLeavesActionsPlanned() async throws {
        try await withDesk(receiver: .status(503)) { desk in
            let run = try await desk.rebalance(["--live"])
            #expect(run.status == 75, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("receiver unreachable"))
            #expect(try await desk.actions().allSatisfy { $0["status"] as? String == "planned" })
        }
    }

    @Test func aSecondCycleOnTheSameJournalExits75() async throws {
        try await withDesk { desk in
            // Create the journal, then hold its lock as a running cycle would.
            _ = try await desk.rebalance()
            let lock = try JournalLock(journal: desk.journal)
            let blocked = try await desk.rebalance()
            #expect(blocked.status == 75)
            #expect(blocked.stderr.contains("another cycle holds the journal (pid \(getpid())"), "\(blocked.stderr)")
            lock.release()
            #expect(try await desk.rebalance().status == 0)
        }
    }

    @Test func twoCyclesAtOnceOneActsTheOtherExits75() async throws {
        try await withDesk(receiver: .hang, webhookTimeout: 120) { desk in
            var arrivals = desk.receiver.arrivalStream.makeAsyncIterator()
            let first = try desk.start(["--live"])
            _ = await arrivals.next()  // the first cycle is sending: it holds the journal
            let second = try await desk.rebalance(["--live"])
            #expect(second.status == 75)
            #expect(second.stderr.contains("another cycle holds the journal (pid \(first.pid) on "), "\(second.stderr)")
            #expect(second.stderr.contains("started 20"))
            kill(first.pid, SIGKILL)
            _ = await first.finish()
            #expect(desk.receiver.arrivals.count == 1, "the second cycle sent nothing")
        }
    }

    @Test func aPausedJournalBlocksAndSendsNothing() async throws {
        try await withDesk { desk in
            _ = try await desk.rebalance()
            // A reason is kept as the API keeps one: at most 500 characters, without control characters.
            #expect(try await desk.ballast(["pause", "--reason", String(repeating: "x", count: 501)]).status == 64)
            #expect(try await desk.ballast(["pause", "--reason", "bridge\u{1B}[2J incident"]).status == 0)
            #expect(try SQLiteJournal(path: desk.journal, access: .readOnly).pauseState().reason == "bridge[2J incident")
            let paused = try await desk.rebalance(["--live"])
            #expect(paused.status == 0)
            #expect(paused.stdout.contains("PAUSED"))
            #expect(paused.stderr.contains("blocked: paused by cli:"))
            #expect(desk.receiver.arrivals.isEmpty)
            #expect(try await desk.ballast(["resume"]).status == 0)
            #expect(try await desk.rebalance(["--live"]).status == 0)
            #expect(desk.receiver.arrivals.count == 2)
        }
    }

    @Test func unusableJournalsExit74AndSendNothing() async throws {
        try await withDesk { desk in
            try Data(repeating: 0x42, count: 4_096).write(to: URL(fileURLWithPath: desk.journal))
            let corrupt = try await desk.rebalance(["--live"])
            #expect(corrupt.status == 74, "\(corrupt.stderr)")
            #expect(corrupt.stderr.contains("damaged or not a SQLite file"))
            try FileManager.default.removeItem(atPath: desk.journal)

            _ = try await desk.rebalance()
            let database = try DatabaseQueue(path: desk.journal)
            try await database.writeWithoutTransaction { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-a-newer-ballast')")
            }
            try database.close()
            for arguments in [["rebalance", "--once", "--live", "--chains", desk.chains, "--strategy", desk.strategy], ["journal"]] {
                let newer = try await CLIRunner.launch(arguments + ["--journal", desk.journal],
                                                       environment: ["BALLAST_TEST_WEBHOOK_SECRET": RebalanceCommandTests.secret])
                #expect(newer.status == 74, "\(newer.stderr)")
                #expect(newer.stderr.contains("written by a newer Ballast"))
            }
            #expect(desk.receiver.arrivals.isEmpty)
        }
    }

    /// Root ignores permission bits, so the journal is made immutable (`chattr +i`), which binds
    /// root too; where the file system cannot, the test does not run.
    static let immutableFiles: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-chattr-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: probe, contents: Data())
        defer { _ = chattr("-i", probe); try? FileManager.default.removeItem(atPath: probe) }
        return chattr("+i", probe)
    }()

    static func chattr(_ flag: String, _ path: String) -> Bool {
        guard let child = try? ChildProcess("/usr/bin/chattr", [flag, path], stdout: .discard, stderr: .discard) else { return false }
        return child.wait() == 0
    }

    @Test(.enabled(if: RebalanceCommandTests.immutableFiles, "chattr +i is not available here"))
    func aReadOnlyJournalExits74AndSendsNothing() async throws {
        try await withDesk { desk in
            _ = try await desk.rebalance()
            // Checkpointed, so the journal is one file that cannot change.
            _ = try await desk.ballast(["journal", "prune", "--before", "2000-01-01"])
            #expect(Self.chattr("+i", desk.journal))
            defer { _ = Self.chattr("-i", desk.journal) }
            let run = try await desk.rebalance(["--live"])
            #expect(run.status == 74, "\(run.stderr)")
            #expect(run.stderr.contains("the journal is read-only"), "\(run.stderr)")
            #expect(desk.receiver.arrivals.isEmpty)
            // Reading it still works.
            #expect(try await desk.ballast(["journal"]).status == 0)
        }
    }

    @Test func liveNeedsItsSectionItsSecretAndAFreshRead() async throws {
        try await withDesk { desk in
            let noSecret = try await desk.rebalance(["--live"], environment: [:])
            #expect(noSecret.status == 65)
            #expect(noSecret.stderr.contains("BALLAST_TEST_WEBHOOK_SECRET is not set"))
            let fromSnapshot = try await CLIRunner.launch(["rebalance", "--once", "--live", "--snapshot", "examples/snapshot.json",
                                                           "--strategy", desk.strategy, "--journal", desk.journal], environment: [:])
            #expect(fromSnapshot.status == 64)
            #expect(fromSnapshot.stderr.contains("--live needs --chains"))
            let noOnce = try await CLIRunner.launch(["rebalance", "--chains", desk.chains, "--strategy", desk.strategy], environment: [:])
            #expect(noOnce.status == 64)
            #expect(!FileManager.default.fileExists(atPath: desk.journal), "nothing is created before the inputs are checked")
        }
    }
}

extension TestDesk {
    func rebalance(_ extra: [String] = [], environment: [String: String] = [TestDesk.secretVariable: RebalanceCommandTests.secret]) async throws -> CLIRunner.Result {
        try await CLIRunner.launch(["rebalance", "--once", "--chains", chains, "--strategy", strategy, "--journal", journal] + extra,
                                   environment: environment)
    }

    func start(_ extra: [String] = []) throws -> CLIRunner.Running {
        try CLIRunner.start(["rebalance", "--once", "--chains", chains, "--strategy", strategy, "--journal", journal] + extra,
                            environment: [TestDesk.secretVariable: RebalanceCommandTests.secret])
    }
}
