@testable import BallastStore
import BallastSandbox
import Foundation
import GRDB
import Testing

/// A journal that cannot be used says why, in terms an operator can act on.
@Suite struct JournalFailureTests {
    @Test func aJournalFromANewerBallastIsRefused() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        _ = try t.open()
        try DatabaseQueue(path: t.path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-from-the-future')")
        }
        for access in [SQLiteJournal.Access.readWrite, .readOnly] {
            let error = #expect(throws: JournalError.self) { try t.open(access) }
            #expect(error?.kind == .newerSchema)
            #expect(error?.description.contains("newer Ballast") == true)
        }
    }

    @Test func aDamagedFileIsRefused() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: t.path))
        let error = #expect(throws: JournalError.self) { try t.open() }
        #expect(error?.kind == .corrupt)
    }

    @Test func anUnrelatedDatabaseIsNotAJournal() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        try DatabaseQueue(path: t.path).write { db in try db.execute(sql: "CREATE TABLE other (x)") }
        let error = #expect(throws: JournalError.self) { try t.open(.readOnly) }
        #expect(error?.kind == .corrupt)
    }

    @Test func aMissingJournalIsNotCreatedByReaders() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let error = #expect(throws: JournalError.self) { try t.open(.readOnly) }
        #expect(error?.kind == .cannotOpen)
        #expect(!FileManager.default.fileExists(atPath: t.path))
    }

    @Test func aJournalInAnUnwritablePlaceIsRefused() throws {
        // /proc refuses new files even to root.
        let error = #expect(throws: JournalError.self) { try SQLiteJournal(path: "/proc/ballast-\(UUID().uuidString).db") }
        #expect(error?.kind == .cannotOpen || error?.kind == .readOnly)
    }

    @Test func readOnlyFailuresAreNamedAsSuch() {
        let error = SQLiteJournal.classify(DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database"), path: "j.db")
        #expect(error.kind == .readOnly)
        #expect(error.description.hasPrefix("j.db: the journal is read-only"))
        #expect(SQLiteJournal.classify(DatabaseError(resultCode: .SQLITE_BUSY), path: "j.db").kind == .busy)
    }
}

/// One actor at a time: the lock is exclusive, says who holds it, and dies with its holder.
@Suite struct JournalLockTests {
    @Test func aSecondHolderIsToldWhoHoldsIt() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        let first = try JournalLock(journal: t.path, now: TemporaryJournal.start)
        let error = #expect(throws: JournalLock.Failure.self) { try JournalLock(journal: t.path) }
        guard case .held(let holder) = error else { Issue.record("expected .held, got \(String(describing: error))"); return }
        #expect(holder.description.contains("pid \(getpid())"))
        #expect(holder.description.contains("started 2026-"))
        first.release()
        _ = try JournalLock(journal: t.path)
    }

    @Test func aLockLeftByAKilledProcessIsRecovered() throws {
        let t = try TemporaryJournal()
        defer { t.remove() }
        // util-linux flock(1) takes the same kind of lock and keeps it (--close: its command does not
        // inherit it); the command prints its pid once the lock is held, then waits.
        let holder = try ChildProcess("/usr/bin/flock", ["--exclusive", "--close", t.path + ".lock", "sh", "-c", "echo $$; exec sleep 3600"],
                                      stderr: .discard)
        let line = String(decoding: holder.readSomeOutput(), as: UTF8.self)  // blocks until the pid
        let waiter = try #require(Int32(line.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(waiter, SIGKILL) }
        #expect(throws: JournalLock.Failure.self) { try JournalLock(journal: t.path) }
        kill(holder.pid, SIGKILL)
        // Reaped without reading to the end: the command inherited the pipe and still holds it.
        #expect(holder.wait() == SIGKILL)
        let lock = try JournalLock(journal: t.path)
        lock.release()
    }
}
