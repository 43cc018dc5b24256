import ArgumentParser
import BallastChains
import BallastCore
import BallastHTTP
import BallastSandbox
import BallastService
import BallastStore
import Foundation
import Logging
import Synchronization

/// The service's figures: resident memory over many fast ticks, what a tick costs beyond its
/// pull, and `/v1/status` latency under many concurrent clients.
struct BenchServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the service's tick loop against a simulated market, then load its API (use a release build).")

    @Option(help: "Ticks to run back to back.") var ticks = 10_000
    @Option(help: "Chains in the simulated market.") var chains = 5
    @Option(help: "Tokens on every chain.") var tokens = 3
    @Option(help: "Concurrent API clients.") var clients = 200
    @Option(help: "Requests each client makes, one after another.") var requests = 50

    func validate() throws {
        guard (1...1_000_000).contains(ticks), (2...100).contains(chains), (1...100).contains(tokens),
              (1...1_000).contains(clients), (1...10_000).contains(requests) else {
            throw ValidationError("need 1–1,000,000 ticks, 2–100 chains, 1–100 tokens, 1–1,000 clients and 1–10,000 requests each")
        }
    }

    func run() async throws {
        let market = SimulatedMarket(chains: chains, tokens: tokens)
        let server = try await SimulatedMarketServer(market: market, threads: 2)
        let chainFiles = try market.writeChainFiles(baseURL: server.baseURL)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-bench-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: chainFiles)
            try? FileManager.default.removeItem(at: directory)
        }
        let symbols = (0..<tokens).map { market.symbol($0) }
        // Wide bands: the market stays in band, so every tick is the steady state (pull, scan,
        // decide) and the journal does not grow under the measurement.
        let strategyText = """
            name: bench
            tokens: [\(symbols.joined(separator: ", "))]
            arbitrage: {min_profit_usd: 0, min_roi_bps: 0, max_trade_usd: 10000, max_price_age_seconds: 600}
            rebalance:
              threshold: 0.99
              min_transfer_usd: 1
              max_fee_bps: 200
              targets:
            \(symbols.map { "    \($0): {\((0..<chains).map { "\(market.chainName($0)): \(1.0 / Double(chains))" }.joined(separator: ", "))}" }.joined(separator: "\n"))
            """
        let strategy = try Strategy.decode(yaml: strategyText, source: "bench strategy")
        let config = try MarketConfig.load(directory: chainFiles, environment: [:])
        let loader: ConfigurationLoader = { ServiceConfiguration(strategy: strategy, strategyText: strategyText, market: config) }
        let journalPath = directory.appendingPathComponent("bench.db").path
        let logger = Logger(label: "bench") { LineLogHandler(label: $0, format: .text, level: .critical) }
        let settings = ServiceSettings(interval: .zero, live: false, host: "127.0.0.1", port: 0, apiToken: "bench-token-0123456789",
                                       journalPath: journalPath, pull: PullSettings(deadline: .seconds(30)), version: Ballast.version,
                                       environment: [:], maxConnections: clients + 16)  // the load, not the cap, is measured

        // Ticks back to back, in process: RSS after each tenth, and each tick's cost beyond its pull.
        let client = HTTPClient()
        let journal = try SQLiteJournal(path: journalPath, access: .readWrite)
        let loop = try TickLoop(settings: settings, journal: journal, loader: loader, client: client, time: SystemTime(),
                                logger: logger, metrics: ServiceMetrics(version: Ballast.version))
        let running = Task { try await loop.run() }
        var rss: [Double] = [], overhead: [Double] = [], durations: [Double] = []
        var seen = 0
        let started = ContinuousClock.now
        for await tick in loop.finishedTicks {
            seen += 1
            durations.append(tick.duration / .seconds(1))
            overhead.append((tick.duration - tick.pullDuration) / .seconds(1))
            if seen % max(1, ticks / 10) == 0 {
                rss.append(ResourceUsage.residentMegabytes())
                FileHandle.standardError.write(Data(String(format: "%6d ticks  %7.1f s  %6.1f MB  last tick %.1f ms\n", seen,
                    (ContinuousClock.now - started) / .seconds(1), rss.last!, tick.duration / .milliseconds(1)).utf8))
            }
            if seen == ticks { break }
        }
        let wall = (ContinuousClock.now - started) / .seconds(1)
        running.cancel()
        _ = try? await running.value
        await client.shutdown()
        print("""
            market        \(chains) chains × \(tokens) tokens on loopback (\(config.chains.reduce(0) { $0 + $1.prices.count }) price sources)
            ticks         \(seen) in \(String(format: "%.1f", wall)) s (\(String(format: "%.0f", Double(seen) / wall)) per second)
            tick          median \(Self.ms(Self.median(durations))), p99 \(Self.ms(Self.percentile(durations, 0.99)))
            beyond pull   median \(Self.ms(Self.median(overhead))), p99 \(Self.ms(Self.percentile(overhead, 0.99))) (scan, plan, journal reads, metrics, state)
            resident MB   \(rss.map { String(format: "%.1f", $0) }.joined(separator: " → ")) (after each tenth of the ticks)
            """)

        // The API under load: the whole service, and `clients` concurrent clients on /v1/status.
        let url = Mutex<String?>(nil)
        let (listening, signal) = AsyncStream.makeStream(of: Void.self)
        let service = Task {
            try await ServiceRunner.run(settings: settings, loader: loader, logger: logger) { address in
                url.withLock { $0 = address }
                signal.yield()
            }
        }
        for await _ in listening { break }
        let base = try url.withLock { $0 } ?? { throw ValidationError("the service did not start") }()
        let loadClient = HTTPClient(configuration: .init(maxConnectionsPerHost: clients, maxTotalConnections: max(256, clients)))
        var request = HTTPRequest(url: base + "/v1/status", headers: [HTTPHeader("Authorization", "Bearer bench-token-0123456789")])
        request.timeout = .seconds(30)
        let fixed = request
        let loadStarted = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var samples: [Double] = []
                    for _ in 0..<requests {
                        let sent = ContinuousClock.now
                        _ = try await loadClient.send(fixed)
                        samples.append((ContinuousClock.now - sent) / .seconds(1))
                    }
                    return samples
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let loadWall = (ContinuousClock.now - loadStarted) / .seconds(1)
        await loadClient.shutdown()
        kill(getpid(), SIGTERM)
        _ = try? await service.value
        print("""
            /v1/status    \(latencies.count) requests from \(clients) concurrent clients in \(String(format: "%.2f", loadWall)) s (\(String(format: "%.0f", Double(latencies.count) / loadWall))/s)
            latency       median \(Self.ms(Self.median(latencies))), p99 \(Self.ms(Self.percentile(latencies, 0.99))), max \(Self.ms(latencies.max() ?? 0))
            peak memory   \(ResourceUsage.peakResidentMegabytes()) MB (whole process, simulated market included)
            """)
        try await server.shutdown()
    }

    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
}
