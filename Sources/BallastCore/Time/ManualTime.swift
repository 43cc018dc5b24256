import Foundation
import Synchronization

/// Time that moves only when told: by `advance(by:)`, or by a sleeper, which never waits but
/// moves the time on by what it asked to sleep (as a simulation's clock does).
///
/// Sleepers that would overlap in real time are taken one after the other, so time runs
/// ahead of a real clock's, never behind it: a deadline is met no later than it would be.
public final class ManualTime: TimeSource {
    private struct State {
        var date: Date
        var elapsed: Duration = .zero
        var sleeps = 0
    }

    private let state: Mutex<State>

    public init(date: Date) {
        state = Mutex(State(date: date))
    }

    public var date: Date { state.withLock { $0.date } }
    public var elapsed: Duration { state.withLock { $0.elapsed } }
    /// How many sleeps have been asked for: a test's proof that something waited.
    public var sleeps: Int { state.withLock { $0.sleeps } }

    /// Moves both readings forward.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "time does not go back")
        state.withLock { s in
            s.elapsed += duration
            s.date += duration / .seconds(1)
        }
    }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock { $0.sleeps += 1 }
        advance(by: max(duration, .zero))
    }
}
