import ArgumentParser
import BallastChains
import BallastCore
import BallastReports
import BallastExecution
import BallastHTTP
import BallastStore
import Foundation

struct Rebalance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one rebalancing cycle: read the market, plan, record in the journal, and with --live submit.",
        discussion: """
            Dry-run is the default: every intended transfer is recorded as dry_run and nothing is sent. \
            --live needs an execution section in the strategy and --chains (live always acts on a fresh read). \
            Exit codes: 0 the cycle ran as designed (acted, nothing to do, partial, blocked or paused: the \
            summary says which); 65 bad input; 69 no data, or no token could be planned; 70 a bug (a receiver \
            saw a key reused with a different body); 74 the journal cannot be used; 75 try later (another \
            cycle holds the journal, or the receiver is unreachable; unsent actions stay planned).
            """)

    @Flag(help: "Run one cycle and exit (for cron). The loop is `ballast serve`.")
    var once = false

    @OptionGroup var market: MarketOptions

    @Option(help: "A strategy file (YAML) with a rebalance section; - reads standard input.")
    var strategy: String

    @OptionGroup var journal: JournalOptions

    @Flag(help: "Submit transfers through the strategy's execution webhook (default: dry-run).")
    var live = false

    @Option(help: "Output: one summary line for people, or JSON for programs.")
    var format: OutputFormat = .table

    @Flag(help: "Print nothing unless the cycle recorded an action or something failed (for cron mail).")
    var quiet = false

    func validate() throws {
        guard once else { throw ValidationError("give --once: `rebalance` runs one cycle; the loop is `ballast serve`") }
        if live, market.chains == nil { throw ValidationError("--live needs --chains: a saved snapshot may be stale and has no token addresses") }
    }

    func run() async throws {
        try await reportingFailures {
            // Everything local is checked before the network or the journal is touched.
            let (strategyText, strategy) = try Inputs.strategyFile(self.strategy)
            guard strategy.rebalance != nil else {
                throw InputFailure(exit: ExitStatus.badInput, lines: ["\(self.strategy): strategy \(strategy.name) has no rebalance section"])
            }
            // The chain files are read once, before anything else: the cycle pulls with them twice.
            let config = try market.chains.map(Inputs.market)
            var submitter: (any TransferSubmitter)?
            var custody: CustodyDirectory?
            if live, let config {
                guard let execution = strategy.execution else {
                    throw InputFailure(exit: ExitStatus.badInput, lines: ["\(self.strategy): --live needs an execution section (see docs/execution.md)"])
                }
                let secret: WebhookSecret
                do { secret = try WebhookSecret(execution.webhook.secret, environment: ProcessInfo.processInfo.environment) } catch {
                    throw InputFailure(exit: ExitStatus.badInput, lines: ["\(self.strategy): \(error)"])
                }
                submitter = WebhookSubmitter(settings: execution.webhook, secret: secret, client: HTTPClient())
                custody = CustodyDirectory(market: config)
            }

            let store = try journal.open()
            let lock: JournalLock
            do throws(JournalLock.Failure) { lock = try JournalLock(journal: journal.path) } catch {
                switch error {
                case .held(let holder):
                    throw InputFailure(exit: ExitStatus.tryLater, lines: ["\(journal.path): another cycle holds the journal (\(holder)); try later"])
                case .unusable(let why):
                    throw InputFailure(exit: ExitStatus.journalUnusable, lines: [why])
                }
            }
            defer { lock.release() }

            let market = self.market
            let cycle: RebalanceCycle
            do {
                cycle = try RebalanceCycle(
                    configuration: .init(strategy: strategy, strategyText: strategyText, mode: live ? .live : .dryRun, custody: custody),
                    journal: store, readMarket: { try await market.load(config: config) }, submitter: submitter)
            } catch {
                throw InputFailure(exit: ExitStatus.badInput, lines: ["\(self.strategy): \(error)"])
            }
            let outcome: CycleOutcome
            do { outcome = try await cycle.run() } catch let error as JournalError { throw InputFailure(journal: error) }

            let exit = Self.exitCode(outcome)
            if !quiet || outcome.acted || exit != .success {
                switch format {
                case .json: print(try JSONOutput.string(CycleSummary(outcome: outcome, exitCode: exit.rawValue)))
                case .table: print(CycleSummary.line(outcome))
                }
                for event in outcome.events where event.status != .dryRun && event.status != .planned && event.status != .submitted {
                    FileHandle.standardError.write(Data((DocumentValue.printable("! \(event.key) \(event.status.rawValue): \(event.note ?? "")") + "\n").utf8))
                }
                if let why = outcome.receiverUnreachable { Terminal.error(why) }
                if outcome.keyReused { Terminal.error("the receiver saw an idempotency key reused with a different body: report this as a bug") }
            }
            if exit != .success { throw exit }
        }
    }

    static func exitCode(_ outcome: CycleOutcome) -> ExitCode {
        if outcome.keyReused { return ExitStatus.internalError }
        if outcome.receiverUnreachable != nil { return ExitStatus.tryLater }
        if outcome.nothingPlanned { return ExitStatus.unavailable }
        return .success
    }
}

/// A cycle's outcome in one line for people, or as JSON for programs.
struct CycleSummary: Encodable {
    let outcome: CycleOutcome
    let exitCode: Int32

    static func line(_ o: CycleOutcome) -> String {
        var parts: [String] = []
        for t in o.tokens {
            var text = "\(t.token) \(t.status.replacingOccurrences(of: "_", with: " "))"
            if t.actions > 0 { text += " (\(t.actions) transfer\(t.actions == 1 ? "" : "s"))" }
            if t.status == "error" || t.status == "waiting", let note = t.note { text += ": \(note)" }
            parts.append(text)
        }
        var counts: [String] = []
        for status in ActionStatus.allCases {
            let n = o.count(status)
            if n > 0 { counts.append("\(n) \(status.rawValue)") }
        }
        var line = "cycle \(o.cycle) (\(o.mode == .live ? "live" : "dry-run")\(o.paused ? ", PAUSED" : "")): " + parts.joined(separator: "; ")
        if !counts.isEmpty { line += " — actions: " + counts.joined(separator: ", ") }
        if o.pendingFromEarlier > 0 { line += "; \(o.pendingFromEarlier) from earlier cycles still in flight" }
        if o.receiverUnreachable != nil { line += "; receiver unreachable, unsent actions stay planned" }
        return line
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(outcome.cycle, forKey: "cycle")
        try c.encode(outcome.mode.rawValue, forKey: "mode")
        try c.encode(outcome.paused, forKey: "paused")
        try c.encode(exitCode, forKey: "exit_code")
        try c.encode(outcome.tokens.map(TokenRow.init), forKey: "tokens")
        try c.encode(outcome.events.map(EventRow.init), forKey: "events")
        try c.encode(outcome.pendingFromEarlier, forKey: "pending_from_earlier")
        try c.encodeIfPresent(outcome.receiverUnreachable, forKey: "receiver_unreachable")
        try c.encode(outcome.keyReused, forKey: "key_reused")
    }

    private struct TokenRow: Encodable {
        let token: String, status: String, actions: Int, note: String?
        init(_ t: CycleOutcome.TokenOutcome) { (token, status, actions, note) = (t.token, t.status, t.actions, t.note) }
    }

    private struct EventRow: Encodable {
        let idempotencyKey: String, token: String, status: String, note: String?
        init(_ e: CycleOutcome.ActionEvent) { (idempotencyKey, token, status, note) = (e.key, e.token, e.status.rawValue, e.note) }
        enum CodingKeys: String, CodingKey { case idempotencyKey = "idempotency_key", token, status, note }
    }
}
