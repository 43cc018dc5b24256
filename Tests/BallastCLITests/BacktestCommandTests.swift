import Foundation
import Testing

@Suite struct BacktestCommandTests {
    static let strategy = CLIRunner.repository.appendingPathComponent("strategies/scenario.yaml").path

    @Test func aScenarioRunsTheSameWayTwiceAndSaysWhatHappened() async throws {
        let arguments = ["backtest", "--strategy", Self.strategy, "--scenario", "shock", "--steps", "150", "--seed", "3", "--format", "json"]
        let first = try await CLIRunner.launch(arguments), second = try await CLIRunner.launch(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout, "the same seed gives the same run")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let run = try #require((object["runs"] as? [[String: Any]])?.first)
        #expect(object["strategy"] as? String == "scenario" && run["source"] as? String == "shock" && run["seed"] as? Int == 3 && run["steps"] as? Int == 150)
        for ledger in ["ballast", "greedy"] {
            let figures = try #require(run[ledger] as? [String: Any])
            #expect(Set(figures.keys) == ["fees_usd", "transfers", "out_of_band_seconds", "worst_exposure_usd", "captured_profit_usd"])
        }
        #expect((run["alerts"] as? [[String: Any]])?.contains { ($0["text"] as? String)?.contains("chain01/USDC") == true } == true)
        #expect(first.stderr.isEmpty, "no progress bar on a pipe")
    }

    @Test(.enabled(if: Chromium.path != nil, "Chromium is not installed (Debian: apt-get install chromium)"))
    func allScenariosGoToOneReportThatChromiumRenders() async throws {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-backtest-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: report) }
        let result = try await CLIRunner.launch(["backtest", "--strategy", Self.strategy, "--scenario", "all", "--steps", "90", "--report", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").filter { $0.contains(" ballast ") || $0.contains(" greedy ") }
        #expect(rows.count == 10, "five scenarios, two rebalancers each:\n\(result.stdout)")
        let seen: [String: Any] = try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try Self.render(report) }) }.start()
        }
        #expect(seen["title"] as? String == "Ballast backtest: scenario")
        #expect(seen["runs"] as? [String] == ["calm", "bull", "bear", "growth", "shock"])
        #expect(seen["summaryRows"] as? Int == 10)
        #expect(seen["figures"] as? Int == 5 * 3 * 5, "a chart per run, token and chain")
        #expect((seen["lineWidths"] as? [Double])?.allSatisfy { $0 > 100 } == true, "every chart is drawn across its width: \(seen)")
        #expect(seen["external"] as? Int == 0, "no external assets")
    }

    static func render(_ report: URL) throws -> [String: Any] {
        let chromium = try Chromium()
        defer { chromium.close() }
        let session = try chromium.open(report.absoluteString)
        let seen = try chromium.evaluate("""
            JSON.stringify({
              title: document.title,
              runs: [...document.querySelectorAll('section.run')].map(s => s.dataset.run),
              summaryRows: document.querySelectorAll('#summary tr[data-run]').length,
              figures: document.querySelectorAll('figure[data-chain]').length,
              lineWidths: [...document.querySelectorAll('section.run > svg.chart polyline.series')].map(p => p.getBoundingClientRect().width),
              external: performance.getEntriesByType('resource').length
            })
            """, session: session) as? String ?? "{}"
        return try JSONSerialization.jsonObject(with: Data(seen.utf8)) as? [String: Any] ?? [:]
    }

    @Test func savedSnapshotsReplayAndMistakesGetTheirExitCodes() async throws {
        let examples = CLIRunner.repository.appendingPathComponent("examples").path
        let majors = CLIRunner.repository.appendingPathComponent("strategies/majors.yaml").path
        let replay = try await CLIRunner.launch(["backtest", "--strategy", majors, "--snapshots", examples, "--format", "json"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains(#""source" : "replay""#) && replay.stdout.contains(#""steps" : 1"#))
        let one = try await CLIRunner.launch(["backtest", "--strategy", majors, "--snapshots", examples + "/snapshot.json", "--format", "json"])
        #expect(one.status == 0 && one.stdout == replay.stdout, "one snapshot file replays as a directory holding it: \(one.stderr)")
        // A file is a journal by its SQLite header, not by its name.
        let unnamed = try CLIRunner.temporaryFile(String(contentsOfFile: examples + "/snapshot.json", encoding: .utf8), suffix: ".snap")
        let saved = try await CLIRunner.launch(["backtest", "--strategy", majors, "--snapshots", unnamed, "--format", "json"])
        #expect(saved.status == 0 && saved.stdout == replay.stdout, "\(saved.stderr)")
        let text = try CLIRunner.temporaryFile("not a snapshot\n", suffix: ".txt")
        let neither = try await CLIRunner.launch(["backtest", "--strategy", majors, "--snapshots", text])
        #expect(neither.status == 65 && neither.stderr.contains(text) && !neither.stderr.contains("journal"), "\(neither.stderr)")

        let both = try await CLIRunner.launch(["backtest", "--strategy", majors, "--snapshots", examples, "--scenario", "calm"])
        #expect(both.status == 64)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let nothing = try await CLIRunner.launch(["backtest", "--strategy", majors, "--snapshots", empty.path])
        #expect(nothing.status == 69 && nothing.stderr.contains("no snapshots"))
        let scanOnly = try CLIRunner.temporaryFile("name: s\ntokens: [USDC]\narbitrage: {min_profit_usd: 1, min_roi_bps: 1, max_trade_usd: 10, max_price_age_seconds: 60}\n", suffix: ".yaml")
        let noRebalance = try await CLIRunner.launch(["backtest", "--strategy", scanOnly, "--scenario", "calm", "--steps", "5"])
        #expect(noRebalance.status == 65 && noRebalance.stderr.contains("no rebalance section"))
        let elsewhere = try await CLIRunner.launch(["backtest", "--strategy", majors, "--scenario", "calm", "--steps", "5"])
        #expect(elsewhere.status == 65 && elsewhere.stderr.contains("does not fit this market") && elsewhere.stderr.contains("ethereum"),
                "a strategy for other chains is refused, not run into zeros: \(elsewhere.stderr)")
        let unwritable = try await CLIRunner.launch(["backtest", "--strategy", Self.strategy, "--scenario", "calm", "--steps", "5",
                                                     "--report", "/nonexistent-dir/report.html"])
        #expect(unwritable.status == 73)
    }
}
