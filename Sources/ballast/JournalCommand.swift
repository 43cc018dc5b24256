import ArgumentParser
import BallastCore
import BallastReports
import BallastExecution
import BallastStore
import Foundation

struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "What was intended, submitted and confirmed; record what the desk reports; replay a cycle; prune.",
        subcommands: [List.self, Show.self, SetStatus.self, Replay.self, Prune.self],
        defaultSubcommand: List.self)

    enum ListFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List actions, newest first.")

        @OptionGroup var journal: JournalOptions

        @Option(help: "Only actions with this status (\(ActionStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
        var status: String?

        @Option(help: "Only actions recorded at or after this time (RFC 3339).")
        var since: String?

        @Option(help: "Only actions of this token.")
        var token: String?

        @Option(help: "At most this many actions.")
        var limit: Int = 100

        @Option(help: "Output: a table for people, JSON or CSV for programs.")
        var format: ListFormat = .table

        func validate() throws {
            if let status, ActionStatus(rawValue: status) == nil {
                throw ValidationError("--status must be one of \(ActionStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let since, Timestamp.parse(since) == nil { throw ValidationError("--since must be an RFC 3339 time, such as 2026-11-25T09:00:00Z") }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
        }

        func run() async throws {
            try await reportingFailures {
                let store = try journal.open(.readOnly)
                let query = ActionQuery(status: status.flatMap(ActionStatus.init), since: since.flatMap(Timestamp.parse), token: token, limit: limit)
                let actions: [JournalAction]
                do { actions = try store.actions(query) } catch let error as JournalError { throw InputFailure(journal: error) }
                switch format {
                case .json: print(try JSONOutput.string(["actions": actions.map(ActionRow.init)]))
                case .csv: print(ActionRow.csv(actions), terminator: "")
                case .table:
                    var table = Table([("KEY", .left), ("STATUS", .left), ("TOKEN", .left), ("FROM → TO", .left), ("BRIDGE", .left),
                                       ("AMOUNT", .right), ("RECEIVED", .right), ("FEE $", .right), ("UPDATED", .left)])
                    for a in actions {
                        table.add([a.idempotencyKey, a.status.rawValue, a.token, "\(a.from) → \(a.to)", a.bridge, Figures.tokens(a.amount),
                                   Figures.tokens(a.received ?? a.expectedReceived), Figures.usd(a.feeUSD), Timestamp.format(a.updatedAt)])
                    }
                    print(actions.isEmpty ? "no actions" : table.render())
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One action: its figures, its status history, and the body sent.")

        @OptionGroup var journal: JournalOptions

        @Argument(help: "The action's idempotency key.")
        var key: String

        func run() async throws {
            try await reportingFailures {
                let store = try journal.open(.readOnly)
                // Notes and references may carry text from a receiver: printed without control characters.
                func say(_ line: String) { print(DocumentValue.printable(line)) }
                do {
                    guard let a = try store.action(key) else {
                        throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(journal.path): no action with key \(key)"])
                    }
                    say("\(a.idempotencyKey): \(a.status.rawValue) — cycle \(a.cycle), \(a.token) leg \(a.leg), \(a.from) → \(a.to) over \(a.bridge)")
                    say("amount \(a.amount), expected \(a.expectedReceived)\(a.received.map { ", received \($0)" } ?? ""), fee $\(Figures.usd(a.feeUSD))"
                          + (a.dependsOn.map { ", after \($0)" } ?? "") + (a.reference.map { ", reference \($0)" } ?? ""))
                    for change in try store.history(key) {
                        say("  \(Timestamp.format(change.at))  \(change.status.rawValue)  \(change.actor)\(change.note.map { "  \($0)" } ?? "")")
                    }
                    if let body = a.body { print("body: " + String(decoding: body, as: UTF8.self)) }
                } catch let error as JournalError { throw InputFailure(journal: error) }
            }
        }
    }

    struct SetStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-status",
            abstract: "Record what the desk reports about an action: confirmed (delivered) or failed.")

        @OptionGroup var journal: JournalOptions

        @Argument(help: "The action's idempotency key.")
        var key: String

        @Argument(help: "confirmed or failed.")
        var status: String

        @Option(help: "With confirmed: the amount that arrived, in token units.")
        var received: String?

        @Option(help: "With confirmed: when it arrived (RFC 3339); default now. It counts in flight until a balance read at or after this.")
        var at: String?

        @Option(help: "A note for the history (at most 500 characters).")
        var note: String?

        func validate() throws {
            guard status == "confirmed" || status == "failed" else { throw ValidationError("status must be confirmed or failed") }
            if status == "confirmed" {
                guard let received else { throw ValidationError("confirmed needs --received AMOUNT: what arrived, in token units") }
                guard let amount = Amount(received), !amount.isNegative else { throw ValidationError("--received must be a non-negative decimal amount") }
            } else if received != nil || at != nil {
                throw ValidationError("--received and --at go with confirmed")
            }
            if let at, Timestamp.parse(at) == nil { throw ValidationError("--at must be an RFC 3339 time") }
            try JournalOptions.checkNote(note, option: "--note")
        }

        func run() async throws {
            try await reportingFailures {
                let store = try journal.open()
                let now = Date()
                let update = status == "confirmed"
                    ? ActionUpdate(received: received.flatMap { Amount($0) }, deliveredAt: at.flatMap(Timestamp.parse) ?? now) : ActionUpdate()
                do {
                    let action = try store.transition(key, to: ActionStatus(rawValue: status)!, by: JournalOptions.actor, note: note.flatMap(JournalNote.kept),
                                                      update: update, at: now)
                    print("\(action.idempotencyKey): \(action.status.rawValue)")
                } catch let error as JournalError { throw InputFailure(journal: error) }
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a recorded cycle's decision again from the snapshot and strategy it stored, and compare.")

        @OptionGroup var journal: JournalOptions

        @Argument(help: "The cycle number.")
        var cycle: Int64

        @Option(help: "Output: a table for people, or JSON for programs.")
        var format: OutputFormat = .table

        func run() async throws {
            try await reportingFailures {
                let store = try journal.open(.readOnly)
                let record: CycleRecord
                do {
                    guard let found = try store.cycle(cycle) else {
                        throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(journal.path): no cycle \(cycle) (pruned, or never recorded)"])
                    }
                    record = found
                } catch let error as JournalError { throw InputFailure(journal: error) }
                let replay: CycleReplay
                do { replay = try CycleReplay(record) } catch let error as InvalidInput { throw InputFailure(validation: error) }
                switch format {
                case .json: print(try JSONOutput.string(replay.report))
                case .table: print(PlanTable.render(replay.report, strategy: replay.strategy))
                }
                guard replay.identical else {
                    Terminal.error("the replayed plan differs from the one cycle \(cycle) recorded: planning is not deterministic here, report this as a bug")
                    throw ExitStatus.internalError
                }
                FileHandle.standardError.write(Data("identical to the plan cycle \(cycle) recorded (\(record.mode.rawValue), \(Timestamp.format(record.startedAt)))\n".utf8))
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove cycles recorded before a date whose actions are all final, and snapshots no cycle uses any more.")

        @OptionGroup var journal: JournalOptions

        @Option(help: "A date (2026-11-01, midnight UTC) or an RFC 3339 time.")
        var before: String

        func validate() throws {
            guard Self.date(before) != nil else { throw ValidationError("--before must be a date (2026-11-01) or an RFC 3339 time") }
        }

        static func date(_ text: String) -> Date? {
            Timestamp.parse(text) ?? Timestamp.parse(text + "T00:00:00Z")
        }

        func run() async throws {
            try await reportingFailures {
                let store = try journal.open()
                do {
                    let report = try store.prune(before: Self.date(before)!)
                    print("pruned \(report.cycles) cycles, \(report.actions) actions, \(report.snapshots) snapshots, \(report.opportunities) opportunities recorded before \(before); actions still moving are kept")
                } catch let error as JournalError { throw InputFailure(journal: error) }
            }
        }
    }
}
