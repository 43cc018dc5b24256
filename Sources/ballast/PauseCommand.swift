import ArgumentParser
import BallastStore
import Foundation

/// The kill switch: a paused journal records live actions as `blocked` and sends nothing.
struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop live execution: every cycle on this journal records its actions as blocked and sends nothing.")

    @OptionGroup var journal: JournalOptions

    @Option(help: "Why, for whoever reads the journal next (at most 500 characters).")
    var reason: String?

    func validate() throws { try JournalOptions.checkNote(reason, option: "--reason") }

    func run() async throws {
        try await reportingFailures {
            let store = try journal.open()
            try Self.set(store, PauseState(paused: true, by: JournalOptions.actor, at: Date(), reason: reason.flatMap(JournalNote.kept)))
            print("paused \(journal.path): live cycles now record actions as blocked and send nothing")
        }
    }

    static func set(_ store: SQLiteJournal, _ state: PauseState) throws {
        do { try store.setPaused(state) } catch { throw InputFailure(journal: error) }
    }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Lift the kill switch set by `ballast pause`.")

    @OptionGroup var journal: JournalOptions

    func run() async throws {
        try await reportingFailures {
            let store = try journal.open()
            try Pause.set(store, PauseState(paused: false, by: JournalOptions.actor, at: Date()))
            print("resumed \(journal.path): live cycles send again")
        }
    }
}
