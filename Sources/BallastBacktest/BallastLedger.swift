import BallastCore
import BallastExecution
import BallastStore
import Foundation

/// Ballast's side of a backtest: the live rebalancing cycle, as `serve --live` runs it, on a
/// real SQLite journal, submitting to a ledger that carries the orders out.
final class BallastLedger {
    private let journal: SQLiteJournal
    private let cycle: RebalanceCycle
    private let submitter: LedgerSubmitter
    private let time: ManualTime
    private let cooldownSeconds: Double
    private var lastActed: [String: Date] = [:]

    /// What one step did.
    struct Step {
        var sent: [LedgerSubmitter.Sent]
        /// Token plans that went to the solver.
        var solves: Int
        var cycled: Bool
    }

    init(strategy: Strategy, strategyText: String, balances: [String: Amount], first: FeedStep, journalPath: String) throws {
        journal = try SQLiteJournal(path: journalPath)
        time = ManualTime(date: first.date)
        let submitter = LedgerSubmitter(treasury: Treasury(balances), market: first.market, at: first.date)
        self.submitter = submitter
        cooldownSeconds = strategy.rebalance?.cooldownSeconds ?? 0
        cycle = try RebalanceCycle(
            configuration: .init(strategy: Self.live(strategy), strategyText: strategyText, mode: .live,
                                 custody: Self.custody(first.market), actor: "backtest"),
            journal: journal, readMarket: { submitter.read() }, submitter: submitter, time: time)
    }

    var treasury: Treasury { submitter.withTreasury { $0 } }

    func receive(_ amount: Amount, at place: String) { submitter.withTreasury { $0.receive(amount, at: place) } }

    /// Lands what is due and confirms it in the journal, settles and submits what may go, then
    /// decides as a tick does and runs a cycle when a token out of its band may act.
    func step(_ step: FeedStep, prices: [String: Double], scan: ScanReport?) async throws -> Step {
        let date = step.date
        if date > time.date { time.advance(by: .milliseconds(Int64((date.timeIntervalSince(time.date) * 1000).rounded()))) }
        for landed in submitter.withTreasury({ $0.land(by: date) }) {
            _ = try journal.transition(landed.key, to: .confirmed, by: "ledger", note: nil,
                                       update: ActionUpdate(received: landed.received, deliveredAt: landed.landsAt), at: date)
        }
        submitter.use(step, prices: prices)
        _ = try await cycle.advance()
        var decision = try cycle.decide(submitter.read(), scan: scan)
        decision.rest(lastActed: lastActed, cooldownSeconds: cooldownSeconds, at: date)
        let solves = decision.report.plans.filter { $0.status != .withinBand && $0.status != .error }.count
        let acting = decision.acting
        if !acting.isEmpty {
            _ = try await cycle.run(decision, startedAt: date)
            for token in acting { lastActed[token] = date }
        }
        return Step(sent: submitter.takeSent(), solves: solves, cycled: !acting.isEmpty)
    }

    /// The strategy as live mode needs it: its own execution limits, or none, with a webhook
    /// that is never called (the ledger takes the orders).
    static func live(_ strategy: Strategy) -> Strategy {
        var live = strategy
        if live.execution == nil {
            live.execution = ExecutionRules(webhook: WebhookSettings(url: "http://127.0.0.1:9/backtest-ledger", secret: .environment("BALLAST_BACKTEST")))
        }
        return live
    }

    /// Every chain and token of the market, at placeholder addresses the ledger never reads.
    static func custody(_ market: Snapshot) -> CustodyDirectory {
        CustodyDirectory(chains: Dictionary(market.chains.map { chain in
            (chain.name, CustodyDirectory.Chain(chainID: chain.chainID, treasury: "backtest-treasury",
                                                tokens: Dictionary(market.tokens.map { ($0.symbol, "backtest-\($0.symbol)") }, uniquingKeysWith: { a, _ in a })))
        }, uniquingKeysWith: { a, _ in a }))
    }
}
