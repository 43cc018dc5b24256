import Foundation
import Testing

@Suite struct ScanCommandTests {
    let market = ["--snapshot", "examples/snapshot.json", "--strategy", "strategies/majors.yaml"]

    @Test func tableShowsOpportunitiesAndDroppedSources() throws {
        let result = try CLIRunner.run(["scan"] + market)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("TOKEN  ROUTE"))
        #expect(result.stdout.contains("optimism → arbitrum"))
        #expect(result.stdout.contains("polygon/WETH from quickswap: dropped"))
        // WBTC's COST passes the $100,000 cap: the table says why.
        #expect(result.stdout.contains("100,050.00"))
        #expect(result.stdout.contains("the trade cap applies to the amount at the buy chain's spot price"))
        #expect(!result.stdout.contains("Most promising rejected routes"))
    }

    /// Files for a two-chain market of one token X, bought on `first` at $1 and sold on b at `price`.
    func twoChains(first: String = "a", price: Double, maxTrade: String) throws -> (snapshot: String, strategy: String) {
        let snapshot = try CLIRunner.temporaryFile("""
            {"version": 1, "taken_at": "2026-11-24T12:00:00Z", "tokens": [{"symbol": "X", "decimals": 0}],
             "chains": [{"name": "\(first)", "chain_id": 1}, {"name": "b", "chain_id": 2}],
             "prices": [{"chain": "\(first)", "token": "X", "price_usd": 1, "observed_at": "2026-11-24T11:59:59Z", "source": "f"},
                        {"chain": "b", "token": "X", "price_usd": \(price), "observed_at": "2026-11-24T11:59:59Z", "source": "f"}],
             "routes": [{"from": "\(first)", "to": "b", "token": "X", "bridge": "x", "fee_bps": 0, "observed_at": "2026-11-24T11:59:59Z"}],
             "balances": []}
            """, suffix: ".json")
        let strategy = try CLIRunner.temporaryFile("""
            name: x
            tokens: [X]
            arbitrage: {min_profit_usd: 1, min_roi_bps: 1, max_trade_usd: \(maxTrade), max_price_age_seconds: 60}
            """, suffix: ".yaml")
        return (snapshot, strategy)
    }

    /// Names come from inputs: a bidi override or an escape sequence must not reach the terminal.
    @Test func namesCannotGarbleTheTerminal() throws {
        let (snapshot, strategy) = try twoChains(first: #"a\u202eevil\u001b[31m"#, price: 2, maxTrade: "1000")
        let result = try CLIRunner.run(["scan", "--snapshot", snapshot, "--strategy", strategy])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("aevil[31m → b"))
        #expect(!result.stdout.unicodeScalars.contains { $0 == "\u{202E}" || $0 == "\u{1B}" })
    }

    @Test func aSnapshotThatIsNotARegularFileIsRefusedAtOnce() throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-fifo-\(UUID().uuidString).json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: fifo) }
        let result = try CLIRunner.run(["scan", "--snapshot", fifo, "--strategy", "strategies/majors.yaml"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("the snapshot is not a regular file"))
    }

    @Test func topShowsTheBestWithoutChangingTheCount() throws {
        let all = try CLIRunner.run(["scan"] + market)
        let top = try CLIRunner.run(["scan", "--top", "1"] + market)
        let count = try #require(all.stdout.split(separator: "\n").first { $0.contains("routes considered") })
        #expect(top.stdout.contains(count + " (the best 1 shown)"), "\(top.stdout)")
        #expect(!count.contains("1 opportunities"))
    }

    /// Issue 9: a profit above about $9e16 trapped the table's conversion to Int (SIGILL).
    @Test func absurdProfitsPrintWithoutTrapping() throws {
        let (snapshot, strategy) = try twoChains(price: 1_000_000, maxTrade: "1000000000000")
        let table = try CLIRunner.run(["scan", "--snapshot", snapshot, "--strategy", strategy])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("e+17") || table.stdout.contains("e+18"), "\(table.stdout)")
        let json = try CLIRunner.run(["scan", "--snapshot", snapshot, "--strategy", strategy, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
    }

    @Test func explainShowsWhyRoutesWereRejected() throws {
        let result = try CLIRunner.run(["scan", "--explain"] + market)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Most promising rejected routes:"))
        #expect(result.stdout.contains("profit below min_profit_usd"))
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let result = try CLIRunner.run(["scan", "--format", "json", "--top", "2"] + market)
        #expect(result.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(root["taken_at"] as? String == "2026-11-24T12:00:00Z")
        let opportunities = try #require(root["opportunities"] as? [[String: Any]])
        #expect(opportunities.count == 2)
        let first = try #require(opportunities.first)
        #expect(Set(first.keys) == ["token", "buy_chain", "sell_chain", "bridge", "amount", "received", "cost_usd",
                                    "proceeds_usd", "fees_usd", "profit_usd", "roi_bps", "eta_seconds"])
        // Token amounts are exact decimal strings; USD figures are numbers.
        #expect(first["amount"] is String && first["received"] is String)
        #expect(first["profit_usd"] is NSNumber)
        let profits = opportunities.compactMap { $0["profit_usd"] as? Double }
        #expect(profits == profits.sorted(by: >))
        let issues = try #require(root["price_issues"] as? [[String: Any]])
        #expect(issues.contains { $0["source"] as? String == "quickswap" })
    }

    @Test func strategyWithoutArbitrageIsBadInput() throws {
        let path = try CLIRunner.temporaryFile("""
            name: rebalance-only
            tokens: [WETH]
            rebalance: {threshold: 0.05, min_transfer_usd: 500, max_fee_bps: 50, targets: {WETH: {ethereum: 1}}}
            """, suffix: ".yaml")
        let result = try CLIRunner.run(["scan", "--snapshot", "examples/snapshot.json", "--strategy", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("strategy rebalance-only has no arbitrage section"))
    }

    @Test func badSnapshotIsBadInputWithTheEntryNamed() throws {
        let path = try CLIRunner.temporaryFile(#"{"version": 1, "taken_at": "2026-11-24T12:00:00Z", "tokens": [], "chains": [], "prices": [{"chain": "x"}]}"#, suffix: ".json")
        let result = try CLIRunner.run(["scan", "--snapshot", path, "--strategy", "strategies/majors.yaml"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("prices[0] (x/?): chain names unknown chain x"))
    }

    @Test func topMustBePositive() throws {
        let result = try CLIRunner.run(["scan", "--top", "0"] + market)
        #expect(result.status == 64)
    }
}
