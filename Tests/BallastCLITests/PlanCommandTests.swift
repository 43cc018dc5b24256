import BallastCore
import BallastSandbox
import Foundation
import Testing

@Suite struct PlanCommandTests {
    let market = ["--snapshot", "examples/snapshot.json", "--strategy", "strategies/majors.yaml"]

    @Test func tableShowsPositionsAndTransfers() throws {
        let result = try CLIRunner.run(["plan"] + market)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("WETH: 3 transfers"))
        #expect(result.stdout.contains("WBTC: within band, nothing to do"))
        #expect(result.stdout.contains("CHAIN     BALANCE  TARGET  BAND  AFTER"))
        #expect(result.stdout.contains("FROM → TO"))
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let result = try CLIRunner.run(["plan", "--format", "json"] + market)
        #expect(result.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(root["taken_at"] as? String == "2026-11-24T12:00:00Z")
        let plans = try #require(root["plans"] as? [[String: Any]])
        #expect(plans.map { $0["status"] as? String } == ["rebalance", "rebalance", "within_band"])
        let weth = try #require(plans.first)
        #expect(Set(weth.keys) == ["token", "status", "transfers", "total_fee_usd", "lower_bound_usd", "gap", "solver_nodes",
                                   "solver_time_cap_fired", "unmet", "unmet_reasons", "chains"])
        #expect(weth["gap"] as? Double == 0)
        let chain = try #require((weth["chains"] as? [[String: Any]])?.first)
        #expect(Set(chain.keys) == ["chain", "balance", "target", "band", "after", "short"])
        let transfer = try #require((weth["transfers"] as? [[String: Any]])?.first)
        #expect(Set(transfer.keys) == ["from", "to", "bridge", "amount", "expected_received", "fee_usd", "amount_usd", "eta_seconds"])
        #expect(transfer["amount"] is String && transfer["expected_received"] is String)
        #expect(transfer["fee_usd"] is NSNumber)
        #expect((weth["unmet"] as? [String: String])?.isEmpty == true)
    }

    /// A plan that cannot be written out (a full disk) is exit 73, never a silent success.
    @Test func outputThatCannotBeWrittenIsAnError() throws {
        let shell = try ChildProcess("/bin/sh", ["-c", "\"$0\" \"$@\" > /dev/full", CLIRunner.binary.path, "plan"] + market + ["--format", "json"],
                                     directory: CLIRunner.repository.path)
        let (status, _, stderr) = shell.collect()
        #expect(status == 73, "\(String(decoding: stderr, as: UTF8.self))")
        #expect(String(decoding: stderr, as: UTF8.self) == "error: cannot write standard output: No space left on device\n")
    }

    @Test func partialPlanReportsUnmetPerChain() throws {
        // Only one route into base: cut it, and base's shortfall must be reported, not dropped.
        var text = try String(contentsOf: CLIRunner.repository.appendingPathComponent("examples/snapshot.json"), encoding: .utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var snapshot = json
        snapshot["routes"] = (json["routes"] as? [[String: Any]])?.filter { !($0["to"] as? String == "base" && $0["token"] as? String == "WETH") }
        text = String(decoding: try JSONSerialization.data(withJSONObject: snapshot), as: UTF8.self)
        let path = try CLIRunner.temporaryFile(text, suffix: ".json")
        let result = try CLIRunner.run(["plan", "--snapshot", path, "--strategy", "strategies/majors.yaml", "--format", "json"])
        #expect(result.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let weth = try #require((root["plans"] as? [[String: Any]])?.first)
        #expect(weth["status"] as? String == "partial")
        // base's share of what is left after the plan's fees, less the 3.1 it holds.
        let unmet = try #require(Amount((weth["unmet"] as? [String: String])?["base"] ?? ""))
        #expect(abs(unmet.doubleValue - 24.2) < 0.01)
        #expect((weth["unmet_reasons"] as? [String: String])?["base"] == "no bridge route reaches it")
        // The table shows it as it shows every amount: at most 6 decimals, "…" where cut.
        let table = try CLIRunner.run(["plan", "--snapshot", path, "--strategy", "strategies/majors.yaml"])
        let base = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("base") && $0.contains("unmet") })
        let shown = try #require(base.firstRange(of: "unmet ").map { base[$0.upperBound...].prefix { $0 != ":" } })
        #expect(shown == Figures.tokens(unmet), "\(base)")
    }

    /// Issue 9: unknown balances are never "nothing to do"; with no token plannable, exit 69.
    @Test func unknownBalancesExitUnavailable() throws {
        let text = try String(contentsOf: CLIRunner.repository.appendingPathComponent("examples/snapshot.json"), encoding: .utf8)
        var snapshot = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        snapshot["balances"] = []
        let path = try CLIRunner.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: snapshot), as: UTF8.self), suffix: ".json")
        let table = try CLIRunner.run(["plan", "--snapshot", path, "--strategy", "strategies/majors.yaml"])
        #expect(table.status == 69)
        #expect(table.stdout.contains("WETH: ERROR: no balances for this token in the market"))
        #expect(!table.stdout.contains("within band"))
        let json = try CLIRunner.run(["plan", "--snapshot", path, "--strategy", "strategies/majors.yaml", "--format", "json"])
        #expect(json.status == 69)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((root["plans"] as? [[String: Any]])?.map { $0["status"] as? String } == ["error", "error", "error"])
    }

    @Test func strategyWithoutRebalanceIsBadInput() throws {
        let path = try CLIRunner.temporaryFile("""
            name: scan-only
            tokens: [WETH]
            arbitrage: {min_profit_usd: 1, min_roi_bps: 1, max_trade_usd: 1000, max_price_age_seconds: 60}
            """, suffix: ".yaml")
        let result = try CLIRunner.run(["plan", "--snapshot", "examples/snapshot.json", "--strategy", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("strategy scan-only has no rebalance section"))
    }
}
