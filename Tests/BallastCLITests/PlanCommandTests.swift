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
        #expect(Set(weth.keys) == ["token", "status", "transfers", "total_fee_usd", "unmet", "unmet_reasons", "chains"])
        let transfer = try #require((weth["transfers"] as? [[String: Any]])?.first)
        #expect(Set(transfer.keys) == ["from", "to", "bridge", "amount", "expected_received", "fee_usd", "eta_seconds"])
        #expect(transfer["amount"] is String && transfer["expected_received"] is String)
        #expect(transfer["fee_usd"] is NSNumber)
        #expect((weth["unmet"] as? [String: String])?.isEmpty == true)
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
        #expect((weth["unmet"] as? [String: String])?["base"] == "24.2")
        #expect((weth["unmet_reasons"] as? [String: String])?["base"] == "no bridge route reaches it")
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
