import ArgumentParser
import BallastStore
import Foundation

/// Which journal file a command uses: `--journal`, else `$BALLAST_JOURNAL`, else `ballast.db` here.
/// Cron and the service must name the same file.
struct JournalOptions: ParsableArguments {
    @Option(help: "The journal file (SQLite). Default: $BALLAST_JOURNAL, else ./ballast.db.")
    var journal: String?

    var path: String {
        journal ?? ProcessInfo.processInfo.environment["BALLAST_JOURNAL"].flatMap { $0.isEmpty ? nil : $0 } ?? "ballast.db"
    }

    func open(_ access: SQLiteJournal.Access = .readWrite) throws -> SQLiteJournal {
        do {
            return try SQLiteJournal(path: path, access: access)
        } catch {
            throw InputFailure(journal: error)
        }
    }

    /// Refuses a reason or note the journal would not keep (see ``JournalNote``).
    static func checkNote(_ text: String?, option: String) throws {
        if let text, JournalNote.kept(text) == nil {
            throw ValidationError("\(option) must be at most \(JournalNote.maxCharacters) characters")
        }
    }

    /// Who the journal names for changes made from this command line.
    static var actor: String {
        "cli:" + (ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown")
    }
}

extension InputFailure {
    init(journal error: JournalError) {
        switch error.kind {
        case .busy: self.init(exit: ExitStatus.tryLater, lines: [error.description])
        case .unknownAction, .invalidTransition, .implausibleDelivery: self.init(exit: ExitStatus.badInput, lines: [error.description])
        case .cannotOpen, .readOnly, .corrupt, .newerSchema, .unreadable: self.init(exit: ExitStatus.journalUnusable, lines: [error.description])
        }
    }
}
