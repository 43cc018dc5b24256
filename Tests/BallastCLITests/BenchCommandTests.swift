import Foundation
import Testing

/// Benchmarks refuse sizes that make no sense or would not fit in memory, before doing anything.
@Suite struct BenchCommandTests {
    @Test(arguments: [
        ["bench", "pull", "--connections-per-host", "0"],
        ["bench", "pull", "--latency-ms=-5"],
        ["bench", "pull", "--chains", "5", "--fanout", "9"],
        ["bench", "scan", "--chains", "100000", "--tokens", "100000"],
        ["bench", "plan", "--chains", "2"],
        ["bench", "journal", "--runs", "0"],
        // Its made-up live actions must never land in an existing (perhaps a desk's) journal.
        ["bench", "journal", "--actions", "1", "--runs", "1", "--journal", CLIRunner.repository.appendingPathComponent("Package.swift").path],
    ])
    func nonsenseIsABadCommandLine(_ arguments: [String]) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("Error: need") || result.stderr.contains("Error: --journal must name a file that does not exist yet"),
                "\(result.stderr)")
    }

    /// `--write-programs` leaves one program per plan, with the plan's cost and bound, for
    /// scripts/prove-plan-gap to hand to another solver; it makes the directory when missing.
    @Test func planWritesEachPlansProgram() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-programs-\(UUID().uuidString)")
        let directory = parent.appendingPathComponent("30-chains")
        defer { try? FileManager.default.removeItem(at: parent) }
        let result = try CLIRunner.run(["bench", "plan", "--chains", "6", "--networks", "1", "--write-programs", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(!files.isEmpty)
        for file in files {
            #expect(file.hasPrefix("6-chains-seed-1-") && file.hasSuffix(".json"))
            let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(file))) as? [String: Any])
            let cost = try #require(record["planCostUSD"] as? Double), bound = try #require(record["lowerBoundUSD"] as? Double)
            #expect(cost > 0 && bound <= cost)
            let program = try #require(record["program"] as? [String: Any])
            #expect((program["variables"] as? [Any])?.isEmpty == false && (program["constraints"] as? [Any])?.isEmpty == false)
        }
        // A directory it cannot make is exit 73, named.
        let file = try CLIRunner.temporaryFile("", suffix: ".txt")
        let refused = try CLIRunner.run(["bench", "plan", "--chains", "3", "--networks", "1", "--write-programs", file])
        #expect(refused.status == 73 && refused.stderr.hasPrefix("error: \(file): cannot make the directory"), "\(refused.stderr)")
    }
}
