import ArgumentParser
import BallastCore
import BallastStore
import Foundation

struct BenchJournal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Time recording a cycle of actions and listing the newest, in a journal filled with many actions.")

    @Option(help: "Actions in the journal before timing.") var actions = 1_000_000
    @Option(help: "Actions per recorded cycle.") var cycleActions = 100
    @Option(help: "Timed repetitions; the median is reported.") var runs = 21
    @Option(help: "A journal file to create (on the disk to measure); a temporary one, removed afterwards, when absent.")
    var journal: String?

    func validate() throws {
        guard (0...100_000_000).contains(actions), (1...100_000).contains(cycleActions), (1...1_000).contains(runs) else {
            throw ValidationError("need 0–100,000,000 actions, 1–100,000 cycle actions and 1–1,000 runs")
        }
        // The timed cycles record made-up live transfers as planned: in a desk's journal, a live
        // service would submit them.
        if let journal, FileManager.default.fileExists(atPath: journal) {
            throw ValidationError("--journal must name a file that does not exist yet: the benchmark fills it with made-up live actions")
        }
    }

    func run() async throws {
        try await reportingFailures {
            do { try await measure() } catch let error as JournalError { throw InputFailure(journal: error) }
        }
    }

    private func measure() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteJournal(path: journal ?? directory.appendingPathComponent("bench.db").path)
        let snapshot = Data(String(repeating: #"{"chain": "ethereum", "token": "WETH", "price_usd": 3012.5}"#, count: 200).utf8)
        // The history is mostly finished actions; the timed cycles add live, planned ones.
        func cycle(_ count: Int, status: ActionStatus = .planned) -> (CycleDraft, [ActionDraft]) {
            let draft = CycleDraft(startedAt: Date(), mode: .live, strategyText: "name: bench\n", snapshotJSON: snapshot,
                                   opportunitiesJSON: Data("{}".utf8), planJSON: Data("{}".utf8))
            let actions = (0..<count).map { i in
                ActionDraft(PlannedTransfer(token: i % 2 == 0 ? "USDC" : "WETH", leg: i + 1, from: "ethereum", to: "base", bridge: "across",
                                            amount: Amount("1234.567891")!, expectedReceived: Amount("1234.1")!, feeUSD: 1.25,
                                            amountUSD: 1234.57, feeBps: 4, feeFixed: .zero, etaSeconds: 90, dependsOn: nil),
                            status: status, body: Data(repeating: 0x7B, count: 600), validUntil: Date().addingTimeInterval(600))
            }
            return (draft, actions)
        }
        let fillStart = ContinuousClock.now
        var filled = 0
        while filled < actions {
            let (draft, batch) = cycle(min(1_000, actions - filled), status: .dryRun)
            _ = try store.recordCycle(draft, by: "bench") { _ in batch }
            filled += batch.count
        }
        let fill = ((ContinuousClock.now - fillStart) / .seconds(1))
        var failure: (any Error)?
        let record = Stopwatch.median(runs) {
            let (draft, batch) = cycle(cycleActions)
            do { _ = try store.recordCycle(draft, by: "bench") { _ in batch } } catch { failure = error }
        }
        let list = Stopwatch.median(runs) {
            do { _ = try store.actions(ActionQuery(limit: 100)) } catch { failure = error }
        }
        let listToken = Stopwatch.median(runs) {
            do { _ = try store.actions(ActionQuery(token: "WETH", limit: 100)) } catch { failure = error }
        }
        let inFlight = Stopwatch.median(runs) {
            do { _ = try store.inFlight(balancesReadAt: Date()) } catch { failure = error }
        }
        if let failure { throw failure }
        print("""
            journal          \(filled + runs * cycleActions) actions (filled in \(String(format: "%.1f", fill)) s), synchronous = FULL
            record cycle     \(Stopwatch.format(record)) median of \(runs)  (\(cycleActions) actions, one transaction)
            list newest 100  \(Stopwatch.format(list)) median of \(runs)
            … of one token   \(Stopwatch.format(listToken)) median of \(runs)
            in flight        \(Stopwatch.format(inFlight)) median of \(runs)  (the \(runs * cycleActions) planned actions the timed cycles added)
            """)
    }
}
