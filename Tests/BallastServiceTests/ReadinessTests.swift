@testable import BallastChains
@testable import BallastCore
@testable import BallastService
import Foundation
import Testing

/// Readiness from the service's state alone: a late tick, every price source down, a journal
/// that cannot be written.
@Suite struct ReadinessTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let writable = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-ready-\(UUID().uuidString).db").path

    func state(tick: TickView?) -> ServiceState.Contents {
        ServiceState.Contents(startedAt: start, lastTick: tick, lastSuccessAt: nil, lastActed: [:])
    }

    func tick(at date: Date, priceSourcesUp: [Bool], errors: [(stage: String, message: String)] = []) -> TickView {
        let health = priceSourcesUp.enumerated().map { i, up in
            var h = SourceHealth(source: "chain/T\(i) chainlink", kind: .price, chain: "chain")
            if up { h.record(success: date) } else { h.record(failure: "HTTP 503", at: date) }
            return h
        }
        let market = Snapshot(takenAt: date, tokens: [], chains: [])
        return TickView(number: 1, startedAt: date, paused: false, duration: .seconds(1), pullDuration: .seconds(1), snapshot: market,
                        scan: nil, plan: nil, failures: [], health: health, cycle: nil, events: [], errors: errors)
    }

    @Test func aFreshTickWithOneSourceUpIsReady() {
        let r = Readiness(state: state(tick: tick(at: start, priceSourcesUp: [false, true])), interval: .seconds(30),
                          now: start.addingTimeInterval(60), journalPath: writable)
        #expect(r.ready, "\(r.reasons)")
    }

    @Test func whatMakesItNotReady() {
        let interval = Duration.seconds(30)
        let starting = Readiness(state: state(tick: nil), interval: interval, now: start.addingTimeInterval(5), journalPath: writable)
        #expect(starting.reasons == ["starting: the first tick has not finished"])
        let neverTicked = Readiness(state: state(tick: nil), interval: interval, now: start.addingTimeInterval(91), journalPath: writable)
        #expect(neverTicked.reasons == ["no tick has finished since the start"])
        // Ended at start + 1 s; three intervals later plus a second is late.
        let late = Readiness(state: state(tick: tick(at: start, priceSourcesUp: [true])), interval: interval,
                             now: start.addingTimeInterval(92), journalPath: writable)
        #expect(late.reasons == ["the last tick ended 91 s ago (more than three intervals)"])
        let down = Readiness(state: state(tick: tick(at: start, priceSourcesUp: [false, false])), interval: interval, now: start, journalPath: writable)
        #expect(down.reasons == ["every price source failed in the last tick"])
        let journal = Readiness(state: state(tick: tick(at: start, priceSourcesUp: [true], errors: [("journal", "disk I/O error")])),
                                interval: interval, now: start, journalPath: "/proc/ballast/nowhere/j.db")
        #expect(journal.reasons == ["journal: disk I/O error", "the journal /proc/ballast/nowhere/j.db is not writable"])
    }
}
