import BallastCore
import Foundation
import Synchronization

/// Slows guessing at the login form: after `limit` failed sign-ins within `window`, the form
/// refuses every attempt until the oldest of them leaves the window. Bearer requests are not
/// throttled (a guess there gains nothing the form would not), so an operator locked out of the
/// form still reaches the API.
final class LoginThrottle: Sendable {
    static let limit = 10
    static let window = 60.0

    private let failures = Mutex<[Date]>([])
    private let time: any TimeSource

    init(time: any TimeSource) { self.time = time }

    /// Seconds until the form takes attempts again; nil when it takes them now.
    func retryAfter() -> Int? {
        let now = time.date
        return failures.withLock { failures in
            failures.removeAll { now.timeIntervalSince($0) >= Self.window }
            guard failures.count >= Self.limit, let oldest = failures.first else { return nil }
            return max(1, Int((Self.window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    func failed() {
        let now = time.date
        failures.withLock { $0.append(now) }
    }
}
