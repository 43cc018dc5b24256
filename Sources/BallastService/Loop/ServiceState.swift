import BallastChains
import BallastCore
import BallastStore
import Foundation
import Synchronization

/// The service's shared memory: the last tick, readiness inputs, the last reload's fate.
/// The loop writes it; requests read a copy. (The configuration in force is the engine's.)
final class ServiceState: Sendable {
    struct Contents: Sendable {
        var startedAt: Date
        var lastTick: TickView?
        var lastSuccessAt: Date?
        /// Set when the last reload failed: the old configuration stays in force.
        var reloadError: String?
        var reloadedAt: Date?
        /// When each token last had a cycle act on it (its cooldown starts there).
        var lastActed: [String: Date]
    }

    private let state: Mutex<Contents>

    init(startedAt: Date, lastActed: [String: Date] = [:]) {
        state = Mutex(Contents(startedAt: startedAt, lastActed: lastActed))
    }

    var current: Contents { state.withLock { $0 } }

    func update(_ change: (inout Contents) -> Void) { state.withLock { change(&$0) } }
}

/// Why the service is not ready, if it is not: the tick is late, the journal cannot be
/// written, or no price source answers.
struct Readiness: Sendable {
    var reasons: [String]
    var ready: Bool { reasons.isEmpty }

    init(state: ServiceState.Contents, interval: Duration, now: Date, journalPath: String) {
        var reasons: [String] = []
        let allowed = (interval * 3) / .seconds(1)
        if let tick = state.lastTick {
            let age = now.timeIntervalSince(tick.startedAt.addingTimeInterval(tick.duration / .seconds(1)))
            if age > allowed { reasons.append("the last tick ended \(Int(age)) s ago (more than three intervals)") }
            let priceSources = tick.health.filter { $0.kind == .price }
            if !priceSources.isEmpty, priceSources.allSatisfy({ $0.consecutiveFailures > 0 }) {
                reasons.append("every price source failed in the last tick")
            }
            for error in tick.errors where error.stage == "journal" { reasons.append("journal: \(error.message)") }
        } else if now.timeIntervalSince(state.startedAt) > allowed {
            reasons.append("no tick has finished since the start")
        } else {
            reasons.append("starting: the first tick has not finished")
        }
        if !Self.writable(journalPath) { reasons.append("the journal \(journalPath) is not writable") }
        self.reasons = reasons
    }

    /// The journal file, or its directory while it does not exist yet, can be written.
    static func writable(_ path: String) -> Bool {
        if FileManager.default.fileExists(atPath: path) { return access(path, W_OK) == 0 }
        return access(URL(fileURLWithPath: path).deletingLastPathComponent().path, W_OK) == 0
    }
}
