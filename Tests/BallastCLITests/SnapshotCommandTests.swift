import BallastSandbox
import Foundation
import Testing

/// `ballast snapshot`, and `scan`/`plan`/`check` with `--chains`, run as a user would against a
/// simulated market on 127.0.0.1.
@Suite struct SnapshotCommandTests {
    static let market = SimulatedMarket(chains: 3, tokens: 3)
    static let strategy = """
        name: sim
        tokens: [USDC, WETH, WBTC]
        arbitrage: {min_profit_usd: 1, min_roi_bps: 1, max_trade_usd: 50000, max_price_age_seconds: 600}
        rebalance:
          threshold: 0.05
          min_transfer_usd: 100
          max_fee_bps: 50
          targets:
            USDC: {chain00: 0.5, chain01: 0.25, chain02: 0.25}
        """

    func withMarket(_ conditions: MarketConditions = MarketConditions(), rpcOverride: [String: String] = [:],
                    _ body: (_ chains: String, _ strategy: String) async throws -> Void) async throws {
        let server = try await SimulatedMarketServer(market: Self.market, conditions: conditions)
        let chains = try Self.market.writeChainFiles(baseURL: server.baseURL, rpcOverride: rpcOverride)
        let strategy = try CLIRunner.temporaryFile(Self.strategy, suffix: ".yaml")
        defer {
            try? FileManager.default.removeItem(atPath: chains)
            try? FileManager.default.removeItem(atPath: strategy)
        }
        do {
            try await body(chains, strategy)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    @Test func snapshotWritesWhatScanAndPlanReplay() async throws {
        try await withMarket { chains, strategy in
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-snap-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let pulled = try await CLIRunner.launch(["snapshot", "--chains", chains, "--out", out])
            #expect(pulled.status == 0, "\(pulled.stderr)")
            #expect(pulled.stdout.isEmpty)
            #expect(pulled.stderr.contains("pulled 3 chains in "), "\(pulled.stderr)")
            #expect(pulled.stderr.contains("18 prices, 19 routes (0 from cache), 9 balances; 0 sources failed"))

            let check = try await CLIRunner.launch(["check", "--snapshot", out, "--strategy", strategy])
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            let scan = try await CLIRunner.launch(["scan", "--snapshot", out, "--strategy", strategy, "--format", "json"])
            #expect(scan.status == 0, "\(scan.stderr)")
            #expect(scan.stdout.contains("\"opportunities\""))
            let plan = try await CLIRunner.launch(["plan", "--snapshot", out, "--strategy", strategy])
            #expect(plan.status == 0, "\(plan.stderr)\(plan.stdout)")
            #expect(plan.stdout.contains("USDC:"))
        }
    }

    @Test func aPullThatReachesNothingSaysSoInAFewLines() async throws {
        // Learn a port, then close it: every source is refused.
        let server = try await SimulatedMarketServer(market: Self.market)
        let chains = try Self.market.writeChainFiles(baseURL: server.baseURL)
        defer { try? FileManager.default.removeItem(atPath: chains) }
        try await server.shutdown()
        let run = try await CLIRunner.launch(["snapshot", "--chains", chains, "--deadline", "5"])
        #expect(run.status == 69)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.first?.hasPrefix("pulled nothing from 3 chains in ") == true, "\(run.stderr)")
        #expect(run.stderr.contains("the network looks unreachable from here"))
        #expect(run.stderr.contains(" connection refused: "))
        #expect(lines.count < 10, "summarised by cause, not one line per source: \(run.stderr)")
    }

    @Test func localMistakesAreReportedBeforeAnyPull() async throws {
        let server = try await SimulatedMarketServer(market: Self.market)
        let chains = try Self.market.writeChainFiles(baseURL: server.baseURL)
        defer { try? FileManager.default.removeItem(atPath: chains) }
        for command in ["scan", "plan"] {
            let run = try await CLIRunner.launch([command, "--chains", chains, "--strategy", "/nonexistent/strategy.yaml"])
            #expect(run.status == 69)
            #expect(run.stderr.contains("/nonexistent/strategy.yaml: no such strategy file"))
        }
        let out = try await CLIRunner.launch(["snapshot", "--chains", chains, "--out", "/nonexistent/dir/market.json"])
        #expect(out.status == 73)
        #expect(out.stderr.contains("cannot write the snapshot there"))
        let endpoints: [MarketEndpoint] = [.defiLlama, .coinGecko, .across, .lifi] + (0..<3).map { .rpc(Self.market.chainName($0)) }
        #expect(endpoints.allSatisfy { server.requests(to: $0) == 0 }, "nothing was pulled")
        try await server.shutdown()
    }

    @Test func snapshotToStandardOutput() async throws {
        try await withMarket { chains, _ in
            let pulled = try await CLIRunner.launch(["snapshot", "--chains", chains])
            #expect(pulled.status == 0)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(pulled.stdout.utf8)) as? [String: Any])
            #expect(root["version"] as? Int == 1)
            #expect((root["routes"] as? [Any])?.count == 19)
        }
    }

    @Test func scanAndPlanPullLiveAndCanSaveWhatTheySaw() async throws {
        try await withMarket { chains, strategy in
            let saved = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-seen-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: saved) }
            let scan = try await CLIRunner.launch(["scan", "--chains", chains, "--strategy", strategy, "--save-snapshot", saved])
            #expect(scan.status == 0, "\(scan.stderr)")
            #expect(scan.stdout.contains("routes considered"))
            #expect(FileManager.default.fileExists(atPath: saved))
            let plan = try await CLIRunner.launch(["plan", "--chains", chains, "--strategy", strategy, "--format", "json"])
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("\"plans\""))
        }
    }

    @Test func failedSourcesAreReportedAndTheRestIsKept() async throws {
        let conditions = MarketConditions(staleFeeds: [Self.market.address(.feed, chain: 1, token: 1)])
        try await withMarket(conditions) { chains, _ in
            let pulled = try await CLIRunner.launch(["snapshot", "--chains", chains, "--deadline", "5"])
            #expect(pulled.status == 0)
            #expect(pulled.stderr.contains("17 prices"))
            #expect(pulled.stderr.contains("✗ chain01/WETH chainlink: stale: observed 72"), "\(pulled.stderr)")
        }
    }

    @Test func nothingReadableIsUnavailable() async throws {
        let dead = ["chain00", "chain01", "chain02"].reduce(into: [String: String]()) { $0[$1] = "http://127.0.0.1:1/rpc" }
        let conditions = MarketConditions(endpointFaults: [.defiLlama: .status(503), .coinGecko: .status(503), .across: .status(503), .lifi: .status(503)])
        try await withMarket(conditions, rpcOverride: dead) { chains, _ in
            let pulled = try await CLIRunner.launch(["snapshot", "--chains", chains, "--deadline", "3"])
            #expect(pulled.status == 69, "\(pulled.stderr)")
            #expect(pulled.stderr.contains("no source gave any data"))
            #expect(pulled.stdout.isEmpty)
        }
    }

    @Test func checkValidatesAChainsDirectoryWithoutTheNetwork() async throws {
        try await withMarket { chains, strategy in
            let ok = try await CLIRunner.launch(["check", "--chains", chains, "--strategy", strategy])
            #expect(!ok.stdout.contains("⚠"), "every simulated chain names its treasury: \(ok.stdout)")
            #expect(ok.status == 0, "\(ok.stdout)")
            #expect(ok.stdout.contains("\(chains): 3 chains, 3 tokens, 18 price sources, 19 bridge routes"))

            let broken = chains + "/chain01.yaml"
            let text = try String(contentsOfFile: broken, encoding: .utf8)
            try text.replacingOccurrences(of: "heartbeat_seconds: 3600", with: "heartbeat_seconds: -1")
                .write(toFile: broken, atomically: true, encoding: .utf8)
            // Checks across files see the files that decoded: chain02 claims chain00's id.
            let twin = chains + "/chain02.yaml"
            try String(contentsOfFile: twin, encoding: .utf8).replacingOccurrences(of: "chain_id: 1002", with: "chain_id: 1000")
                .write(toFile: twin, atomically: true, encoding: .utf8)
            let bad = try await CLIRunner.launch(["check", "--chains", chains, "--strategy", strategy])
            #expect(bad.status == 65)
            #expect(bad.stdout.contains("✗ \(broken): prices.USDC[0].heartbeat_seconds must be positive, got -1"), "\(bad.stdout)")
            #expect(bad.stdout.contains("✗ \(twin): chain_id 1000 is already used by \(chains)/chain00.yaml"))
        }
    }

    @Test func theShippedChainsAreValid() async throws {
        let result = try await CLIRunner.launch(["check", "--chains", "chains", "--strategy", "strategies/majors.yaml"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("✓ chains: 5 chains, 3 tokens"))
    }

    @Test func aMarketComesFromExactlyOnePlace() async throws {
        let both = try await CLIRunner.launch(["scan", "--snapshot", "examples/snapshot.json", "--chains", "chains", "--strategy", "strategies/majors.yaml"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("give exactly one of --snapshot FILE and --chains DIR"))
        let missing = try await CLIRunner.launch(["snapshot", "--chains", "/nonexistent/chains"])
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("/nonexistent/chains: no such chains directory"))
    }
}
