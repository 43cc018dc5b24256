import BallastSandbox
import Foundation
import Synchronization

/// A child's standard output, line by line as it comes: tests wait for a line as their signal,
/// never for time to pass.
final class OutputLines: Sendable {
    private let child: ChildProcess
    /// Output read but not yet taken as lines.
    private let buffer = Mutex("")
    private let seen = Mutex<[String]>([])

    init(_ child: ChildProcess) { self.child = child }

    /// Every line taken so far (for failure messages).
    var log: String { seen.withLock { $0.joined(separator: "\n") } }

    /// The next line; nil once the output ends.
    func next() async -> String? {
        while true {
            let line: String? = buffer.withLock { buffer in
                guard let end = buffer.firstIndex(of: "\n") else { return nil }
                defer { buffer.removeSubrange(...end) }
                return String(buffer[..<end])
            }
            if let line {
                seen.withLock { $0.append(line) }
                return line
            }
            let chunk = await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: self.child.readSomeOutput()) }.start()
            }
            if chunk.isEmpty { return nil }
            buffer.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
        }
    }

    /// The next line that satisfies `predicate`; nil if the output ends first.
    func first(where predicate: (String) -> Bool) async -> String? {
        while let line = await next() { if predicate(line) { return line } }
        return nil
    }
}
