import BallastCore
@testable import BallastExecution
import BallastStore
import Foundation
import Synchronization

/// A submitter that records what it was handed and answers from a script (then `accepted`).
final class ScriptedSubmitter: TransferSubmitter {
    private let state = Mutex<(calls: [(key: String, body: Data)], script: [SubmissionOutcome])>(([], []))

    func answer(_ outcomes: SubmissionOutcome...) { state.withLock { $0.script += outcomes } }
    var calls: [(key: String, body: Data)] { state.withLock { $0.calls } }

    func submit(key: String, body: Data) async -> SubmissionOutcome {
        state.withLock { s in
            s.calls.append((key, body))
            return s.script.isEmpty ? .accepted(reference: "ref-\(s.calls.count)") : s.script.removeFirst()
        }
    }
}

/// A market whose balances, routes and prices a test sets, read as of the clock's time.
final class TestMarket: Sendable {
    struct Failure: Error {}
    private let state: Mutex<(snapshot: Snapshot, failNextReads: Int, reads: Int)>
    let clock: ManualTime

    init(clock: ManualTime, balances: [String: String], routes: [(String, String)], feeBps: Double = 4, fixed: String = "0",
         gasUSD: Double = 0, price: Double = 2000) {
        self.clock = clock
        let chains = ["a", "b", "c"].enumerated().map { Chain(name: $1, chainID: $0 + 1) }
        var snapshot = Snapshot(takenAt: clock.date, tokens: [Token(symbol: "WETH", decimals: 18)], chains: chains)
        for chain in chains {
            snapshot.prices.append(PriceQuote(chain: chain.name, token: "WETH", priceUSD: price, observedAt: clock.date, source: "feed"))
        }
        for (from, to) in routes {
            snapshot.routes.append(Route(from: from, to: to, token: "WETH", bridge: "across", feeBps: feeBps, feeFixed: Amount(fixed)!,
                                         gasUSD: gasUSD, etaSeconds: 120, observedAt: clock.date))
        }
        for (chain, amount) in balances.sorted(by: { $0.key < $1.key }) {
            snapshot.balances.append(Balance(chain: chain, token: "WETH", amount: Amount(amount)!))
        }
        state = Mutex((snapshot, 0, 0))
    }

    func change(_ edit: (inout Snapshot) -> Void) { state.withLock { edit(&$0.snapshot) } }
    func failReads(_ n: Int) { state.withLock { $0.failNextReads = n } }
    var reads: Int { state.withLock { $0.reads } }

    /// The market as read now: every quote and balance observed at the clock's time.
    func read() throws -> Snapshot {
        let now = clock.date
        return try state.withLock { s in
            s.reads += 1
            if s.failNextReads > 0 { s.failNextReads -= 1; throw Failure() }
            var snapshot = s.snapshot
            snapshot.takenAt = now
            for i in snapshot.prices.indices { snapshot.prices[i].observedAt = now }
            for i in snapshot.routes.indices { snapshot.routes[i].observedAt = now }
            return snapshot
        }
    }
}

/// One journal, one market, one submitter: cycles run against them as cron would run them.
struct CycleHarness {
    let directory: URL
    let journal: SQLiteJournal
    let clock: ManualTime
    let market: TestMarket
    let submitter = ScriptedSubmitter()
    var strategyText: String

    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    init(balances: [String: String], targets: String, routes: [(String, String)] = [("a", "b"), ("b", "a"), ("a", "c"), ("c", "a"), ("b", "c"), ("c", "b")],
         limits: String = "", feeBps: Double = 4, fixed: String = "0") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-cycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        journal = try SQLiteJournal(path: directory.appendingPathComponent("ballast.db").path)
        clock = ManualTime(date: Self.start)
        market = TestMarket(clock: clock, balances: balances, routes: routes, feeBps: feeBps, fixed: fixed)
        strategyText = """
            name: desk
            tokens: [WETH]
            rebalance:
              threshold: 0.05
              min_transfer_usd: 0
              max_fee_bps: 50
              targets:
                WETH: \(targets)
            execution:
              webhook:
                url: https://signer.example/transfers
                secret: ${SECRET}
              expire_factor: 3
            \(limits.isEmpty ? "" : "  limits: " + limits)
            """
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    var custody: CustodyDirectory {
        CustodyDirectory(chains: Dictionary(uniqueKeysWithValues: ["a", "b", "c"].enumerated().map { i, name in
            (name, CustodyDirectory.Chain(chainID: i + 1, treasury: "0x00000000000000000000000000000000000b411a",
                                          tokens: ["WETH": "0x\(String(repeating: String(i + 1), count: 40))"]))
        }))
    }

    func cycle(_ mode: CycleMode = .live) throws -> RebalanceCycle {
        let strategy = try Strategy.decode(yaml: strategyText, source: "strategy")
        let market = market, clock = clock
        return try RebalanceCycle(
            configuration: .init(strategy: strategy, strategyText: strategyText, mode: mode, custody: custody),
            journal: journal, readMarket: { try market.read() }, submitter: submitter, time: clock)
    }

    func run(_ mode: CycleMode = .live) async throws -> CycleOutcome { try await cycle(mode).run() }

    func actions(_ status: ActionStatus? = nil) throws -> [JournalAction] {
        try journal.actions(ActionQuery(status: status)).reversed()
    }
}
