import Foundation
import Testing

@Suite struct CheckCommandTests {
    let snapshot = "examples/snapshot.json"
    let strategy = "strategies/majors.yaml"

    /// A crash or an uncaught error would show as a signal or these markers.
    func expectNoCrash(_ result: CLIRunner.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        let all = result.stdout + result.stderr
        for marker in ["Fatal error", "Stack dump", "Current stack trace", "Swift runtime failure"] {
            #expect(!all.contains(marker), "output shows a crash: \(all)", sourceLocation: sourceLocation)
        }
        #expect(result.status < 128, "killed by a signal", sourceLocation: sourceLocation)
    }

    @Test func shippedExamplesPass() throws {
        let result = try CLIRunner.run(["check", "--snapshot", snapshot, "--strategy", strategy])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("✓ examples/snapshot.json: 5 chains, 3 tokens"))
        #expect(result.stdout.contains("✓ strategies/majors.yaml: strategy majors, 3 tokens"))
    }

    /// `-` reads standard input: `ballast snapshot --chains DIR | ballast scan --snapshot -`.
    @Test func aSnapshotOrAStrategyCanComeFromStandardInput() throws {
        let snapshotText = try Data(contentsOf: CLIRunner.repository.appendingPathComponent(snapshot))
        let piped = try CLIRunner.run(["plan", "--snapshot", "-", "--strategy", strategy], input: snapshotText)
        #expect(piped.status == 0 && piped.stdout.contains("WETH: 3 transfers, fees $55.26 (optimal)"), "\(piped.stdout)\(piped.stderr)")
        let strategyText = try Data(contentsOf: CLIRunner.repository.appendingPathComponent(strategy))
        let checked = try CLIRunner.run(["check", "--snapshot", snapshot, "--strategy", "-"], input: strategyText)
        #expect(checked.status == 0 && checked.stdout.contains("✓ standard input: strategy majors, 3 tokens"), "\(checked.stdout)\(checked.stderr)")
        let wrong = try CLIRunner.run(["scan", "--snapshot", "-", "--strategy", strategy], input: Data(#"{"version": 2}"#.utf8))
        #expect(wrong.status == 65 && wrong.stderr.contains("standard input: version 2 is not supported"), "\(wrong.stderr)")
        let huge = try CLIRunner.run(["scan", "--snapshot", "-", "--strategy", strategy], input: Data(repeating: 0x20, count: (64 << 20) + 1))
        #expect(huge.status == 65 && huge.stderr.contains("standard input: the snapshot is larger than 64 MB"), "\(huge.stderr)")
        let serve = try CLIRunner.run(["serve", "--chains", "chains", "--strategy", "-"], input: strategyText)
        #expect(serve.status == 64 && serve.stderr.contains("SIGHUP reads it again"), "\(serve.stderr)")
    }

    /// Issue 9: the shipped chain files have no treasury. That is valid (a market can be scanned),
    /// but a desk must be told its plans will have no balances to work from.
    @Test func chainFilesWithoutATreasuryAreWarnedAboutNotRefused() throws {
        let table = try CLIRunner.run(["check", "--chains", "chains", "--strategy", "strategies/majors.yaml"])
        #expect(table.status == 0, "\(table.stdout)\(table.stderr)")
        #expect(table.stdout.contains("⚠ chains: chain ethereum has no treasury, so its balances are unknown"))
        let json = try CLIRunner.run(["check", "--chains", "chains", "--strategy", "strategies/majors.yaml", "--format", "json"])
        #expect(json.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(root["ok"] as? Bool == true)
        #expect((root["warnings"] as? [String])?.count == 5)
    }

    @Test func badSnapshotExitsWithBadInputAndNamesTheEntry() throws {
        var text = try String(contentsOf: CLIRunner.repository.appendingPathComponent(snapshot), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"price_usd\": 3046.2", with: "\"price_usd\": -1")
        let path = try CLIRunner.temporaryFile(text, suffix: ".json")
        let result = try CLIRunner.run(["check", "--snapshot", path, "--strategy", strategy])
        expectNoCrash(result)
        #expect(result.status == 65)
        #expect(result.stdout.contains("\(path): prices[2] (arbitrum/WETH): price_usd must be positive, got -1"))
        #expect(result.stdout.contains("1 problem found"))
    }

    @Test func everyProblemInBothFilesIsReported() throws {
        let badSnapshot = try CLIRunner.temporaryFile(#"{"version": 2, "taken_at": "soon", "tokens": [], "chains": []}"#, suffix: ".json")
        let badStrategy = try CLIRunner.temporaryFile("name: x\ntokens: [WETH]\nrebalance:\n  threshold: -1\n  min_transfer_usd: 1\n  max_fee_bps: 5\n  targets: {WETH: {ethereum: 0.7}}\n", suffix: ".yaml")
        let result = try CLIRunner.run(["check", "--snapshot", badSnapshot, "--strategy", badStrategy, "--format", "json"])
        expectNoCrash(result)
        #expect(result.status == 65)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["ok"] as? Bool == false)
        let problems = report?["problems"] as? [String] ?? []
        #expect(problems.count == 4, "\(problems)")
        #expect(problems.contains("\(badStrategy): rebalance.threshold must not be negative, got -1"))
        #expect(problems.contains("\(badStrategy): rebalance.targets.WETH fractions sum to 0.7, must sum to 1"))
    }

    /// Hostile files, by name (the deep one would flood the test log if printed).
    static let garbage: [String: String] = [
        "unclosed": "{", "empty": "", "binary": "\u{0}\u{1}binary", "list": "[]", "null": "null",
        "10,000 nested lists": String(repeating: "[", count: 10_000),
    ]

    @Test(arguments: garbage.keys.sorted())
    func garbageNeverCrashes(kind: String) throws {
        let path = try CLIRunner.temporaryFile(Self.garbage[kind]!, suffix: ".json")
        let result = try CLIRunner.run(["check", "--snapshot", path, "--strategy", strategy])
        expectNoCrash(result)
        #expect(result.status == 65)
        #expect(result.stdout.contains(path))
    }

    @Test func missingFileIsUnavailable() throws {
        let result = try CLIRunner.run(["check", "--snapshot", "/nonexistent/snap.json", "--strategy", strategy])
        expectNoCrash(result)
        #expect(result.status == 69)
        #expect(result.stdout.contains("/nonexistent/snap.json: no such snapshot file"))
    }

    @Test func badCommandLineIsUsageError() throws {
        let result = try CLIRunner.run(["check", "--snapshot"])
        expectNoCrash(result)
        #expect(result.status == 64)
        #expect(result.stderr.contains("Usage"))
    }
}
