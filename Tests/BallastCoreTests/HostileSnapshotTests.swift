import BallastCore
import Foundation
import Testing

/// Thousands of mutated copies of the shipped snapshot: each must decode or be refused
/// with named problems; none may crash, and none may slip through with a bad value. Every
/// mutant that decodes is also scanned and planned, and both reports encoded.
@Suite struct HostileSnapshotTests {
    @Test func mutatedSnapshotsNeverCrashAndNeverAcceptBadValues() throws {
        let original = try Fixtures.data("examples/snapshot.json")
        var rng = SplitMix64(seed: 2026)
        let replacements: [[UInt8]] = ["-1", "0", "NaN", "1e999", "\"x\"", "null", "[]", "{}", "\"-0.5\"", "\"1.0000000000000000001\"",
                                       "true", "\"2026-13-45T99:99:99Z\"", "9999999999999999999999"].map { Array($0.utf8) }
        let strategy = try Fixtures.exampleStrategy()
        let detector = ArbitrageDetector(strategy: strategy)!, rebalancer = Rebalancer(strategy: strategy)!
        var refused = 0, planned = 0
        for round in 0..<1_500 {
            var bytes = [UInt8](original)
            switch round % 3 {
            case 0:  // cut anywhere
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            case 1:  // flip a byte
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = UInt8.random(in: 0...255, using: &rng)
            default:  // replace a value after a colon with a hostile one
                let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") }
                let at = colons[Int.random(in: 0..<colons.count, using: &rng)] + 2
                let end = bytes[at...].firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "\n") } ?? bytes.endIndex
                bytes.replaceSubrange(at..<end, with: replacements[Int.random(in: 0..<replacements.count, using: &rng)])
            }
            do {
                let snapshot = try Snapshot.decode(json: Data(bytes), source: "mutant")
                // Whatever got through is still valid.
                #expect(snapshot.prices.allSatisfy { $0.priceUSD.isFinite && $0.priceUSD > 0 })
                #expect(snapshot.balances.allSatisfy { !$0.amount.isNegative && !$0.inFlight.isNegative })
                #expect(snapshot.routes.allSatisfy { $0.feeBps >= 0 && $0.feeBps < 10_000 && !$0.feeFixed.isNegative })
                // And whatever got through can be scanned and planned, and both reports encoded,
                // without a crash (an encoding may refuse a non-finite figure, by throwing).
                let scan = detector.scan(snapshot), plan = rebalancer.plan(snapshot)
                _ = try? JSONEncoder().encode(scan)
                _ = try? JSONEncoder().encode(plan)
                planned += plan.plans.filter { $0.status == .rebalance || $0.status == .partial }.count
            } catch {
                refused += 1
                #expect(!error.problems.isEmpty)
                #expect(error.problems.allSatisfy { !$0.message.isEmpty })
            }
        }
        #expect(refused > 750)  // most mutants are broken; the test must exercise refusal
        #expect(planned > 100)  // and the rest must exercise the planner
    }
}
