import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One actor at a time on a journal: an exclusive `flock` on `JOURNAL.lock`, held for the
/// whole cycle.
///
/// The kernel releases the lock when its holder exits, however it exits, so a lock left by a
/// killed process is never in the way; the file's text only says who holds it, for the message.
public final class JournalLock: Sendable {
    /// Who holds the lock, as its holder wrote it.
    public struct Holder: Sendable, CustomStringConvertible {
        public var text: String
        public var description: String { text.isEmpty ? "another process" : text }
    }

    public enum Failure: Error, Sendable {
        /// Another process holds it.
        case held(Holder)
        /// The lock file cannot be created or locked.
        case unusable(String)
    }

    private let descriptor: Int32

    /// Takes the lock without waiting.
    public init(journal path: String, now: Date = Date()) throws(Failure) {
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unusable("\(lockPath): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let text = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let reason = String(cString: strerror(errno))
            close(fd)
            throw busy ? .held(Holder(text: text)) : .unusable("\(lockPath): \(reason)")
        }
        let host = ProcessInfo.processInfo.hostName
        let text = "pid \(getpid()) on \(host), started \(ISO8601DateFormatter().string(from: now))\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = fd
    }

    /// Releases the lock (also released when the process ends).
    public func release() {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
    }

    deinit { close(descriptor) }
}
