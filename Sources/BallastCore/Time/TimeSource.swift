import Foundation

/// The time a long-running part of Ballast runs on: the wall clock for what it records, a
/// monotonic reading for deadlines, backoff and expiry, and sleeping.
///
/// `SystemTime` in production. Tests and simulated runs use `ManualTime`, so cache expiry,
/// retries and deadlines are checked without waiting on, or racing, the wall clock.
public protocol TimeSource: Sendable {
    /// Wall-clock time, for what is recorded (snapshots, health, the journal).
    var date: Date { get }
    /// Monotonic time since an arbitrary origin, for deadlines and expiry; never goes back.
    var elapsed: Duration { get }
    /// Waits `duration` of this source's time; throws `CancellationError` when cancelled.
    func sleep(for duration: Duration) async throws
}

/// The machine's clocks.
public struct SystemTime: TimeSource {
    private let origin = ContinuousClock.now

    public init() {}

    public var date: Date { Date() }
    public var elapsed: Duration { ContinuousClock.now - origin }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
