import ArgumentParser
import BallastChains
import BallastCore
import BallastHTTP
import BallastSandbox
import BallastSimulation
import Foundation

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the core on generated markets (use a release build).",
        subcommands: [BenchScan.self, BenchPlan.self, BenchPull.self])
}

struct BenchScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Time a full arbitrage scan of a generated universe, against the seed's double loop.")

    @Option(help: "Chains in the universe.") var chains = 50
    @Option(help: "Tokens in the universe.") var tokens = 200
    @Option(help: "Timed repetitions; the median is reported.") var runs = 7
    @Option(help: "Random seed for the universe.") var seed: UInt64 = 1
    @Option(help: "The strategy's min_profit_usd: higher means fewer opportunities to settle.") var minProfit = 10.0

    func validate() throws {
        guard chains >= 2, tokens >= 1, runs >= 1 else { throw ValidationError("need at least 2 chains, 1 token and 1 run") }
    }

    func run() async throws {
        let generator = MarketGenerator(chains: chains, tokens: tokens, seed: seed)
        let snapshot = generator.snapshot()
        var strategy = generator.strategy()
        strategy.arbitrage?.minProfitUSD = minProfit
        let detector = ArbitrageDetector(strategy: strategy)!
        var found = 0
        let scan = Stopwatch.median(runs) { found = detector.scan(snapshot).opportunities.count }
        var seedFound = 0
        let seedLoop = Stopwatch.median(runs) { seedFound = SeedDoubleLoop.scan(snapshot).count }
        let routes = snapshot.routes.count
        print("""
            universe      \(chains) chains × \(tokens) tokens, \(routes) routes, \(snapshot.prices.count) prices (half with pools), seed \(seed)
            scan          \(Stopwatch.format(scan)) median of \(runs)  (\(String(format: "%.1f", scan / Double(routes) * 1e9)) ns/route, \(found) opportunities)
            seed loop     \(Stopwatch.format(seedLoop)) median of \(runs)  (\(seedFound) best-ROI pairs, flat fees only)
            ratio         scan / seed loop = \(String(format: "%.2f", scan / seedLoop))
            peak memory   \(ResourceUsage.peakResidentMegabytes()) MB (whole process, universe included)
            """)
    }
}

struct BenchPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Time a full rebalancing plan on a generated network.")

    @Option(help: "Chains in the network.") var chains = 100
    @Option(help: "Bridges on every ordered chain pair.") var bridges = 2
    @Option(help: "Timed repetitions; the median is reported.") var runs = 7
    @Option(help: "Random seed for the network.") var seed: UInt64 = 1

    func validate() throws {
        guard chains >= 2, bridges >= 1, runs >= 1 else { throw ValidationError("need at least 2 chains, 1 bridge and 1 run") }
    }

    func run() async throws {
        let generator = MarketGenerator(chains: chains, tokens: 1, bridgesPerPair: bridges, seed: seed)
        let snapshot = generator.snapshot()
        let rebalancer = Rebalancer(strategy: generator.strategy())!
        var plan: TransferPlan?
        let elapsed = Stopwatch.median(runs) { plan = rebalancer.plan(snapshot).plans.first }
        let short = plan?.positions.filter(\.isShort).count ?? 0
        print("""
            network       \(chains) chains, \(bridges) bridges per ordered pair: \(snapshot.routes.count) routes, seed \(seed)
            plan          \(Stopwatch.format(elapsed)) median of \(runs)  (\(short) short chains, \(plan?.transfers.count ?? 0) transfers, status \(plan?.status.rawValue ?? "-"), fees $\(String(format: "%.2f", plan?.totalFeeUSD ?? 0)))
            peak memory   \(ResourceUsage.peakResidentMegabytes()) MB (whole process)
            """)
    }
}

struct BenchPull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Time pulling a simulated market from local endpoints that answer after a set latency.")

    @Option(help: "Chains in the market.") var chains = 20
    @Option(help: "Tokens on every chain (two price sources each).") var tokens = 10
    @Option(help: "Chains each chain bridges every token to (default: all others).") var fanout: Int?
    @Option(help: "Milliseconds every endpoint waits before answering.") var latencyMs = 100
    @Option(help: "Timed pulls; the median is reported.") var runs = 5
    @Option(help: "Event-loop threads serving the simulated market.") var serverThreads = 1
    @Option(help: "The client's limit on connections to one host (every endpoint here is one host).") var connectionsPerHost = 32
    @Flag(help: "Fee quotes already cached, as in a service after its first tick; otherwise every pull asks for every quote.")
    var warm = false

    func validate() throws {
        guard chains >= 2, tokens >= 1, runs >= 1, latencyMs >= 0 else { throw ValidationError("need at least 2 chains, 1 token and 1 run") }
    }

    func run() async throws {
        let market = SimulatedMarket(chains: chains, tokens: tokens, bridgeFanout: fanout)
        let server = try await SimulatedMarketServer(market: market, conditions: MarketConditions(latency: .milliseconds(latencyMs)),
                                                     threads: serverThreads)
        let directory = try market.writeChainFiles(baseURL: server.baseURL)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = try MarketConfig.load(directory: directory, environment: [:])
        for c in config.chains.indices {
            for b in config.chains[c].bridges.indices { config.chains[c].bridges[b].cacheSeconds = warm ? 3600 : 0 }
        }
        let client = HTTPClient(configuration: .init(maxConnectionsPerHost: connectionsPerHost,
                                                     maxTotalConnections: max(256, connectionsPerHost)))
        let puller = MarketPuller(market: config, client: client, settings: PullSettings(deadline: .seconds(60)))
        if warm { _ = await puller.pull() }
        let rpcBefore = (0..<chains).map { server.requests(to: .rpc(market.chainName($0))) }
        var samples: [Double] = []
        var report: PullReport?
        for _ in 0..<runs {
            let pulled = await puller.pull()
            samples.append(pulled.elapsed.seconds)
            report = pulled
        }
        let rpcRequests = (0..<chains).map { server.requests(to: .rpc(market.chainName($0))) - rpcBefore[$0] }
        try await server.shutdown()
        let s = report!.snapshot
        print("""
            market        \(chains) chains × \(tokens) tokens: \(s.prices.count) prices, \(s.routes.count) routes (\(report!.cachedRoutes) from cache), \(s.balances.count) balances per pull; every endpoint answers after \(latencyMs) ms; \(connectionsPerHost) connections per host
            pull          \(Stopwatch.format(samples.sorted()[samples.count / 2])) median of \(runs)  (min \(Stopwatch.format(samples.min()!)), max \(Stopwatch.format(samples.max()!)))
            failures      \(report!.failures.count) in the last pull\(report!.failures.first.map { ", first: \($0)" } ?? "")
            rpc requests  at most \(rpcRequests.max() ?? 0) per chain over \(runs) pulls (\(Double(rpcRequests.reduce(0, +)) / Double(runs * chains)) per chain per pull)
            peak memory   \(ResourceUsage.peakResidentMegabytes()) MB (whole process, server included)
            """)
    }
}

/// Wall-clock timing on the monotonic clock.
enum Stopwatch {
    /// The median duration of `runs` calls, in seconds.
    static func median(_ runs: Int, _ body: () -> Void) -> Double {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            body()
            samples.append((ContinuousClock.now - start).seconds)
        }
        return samples.sorted()[samples.count / 2]
    }

    static func format(_ seconds: Double) -> String {
        String(format: "%8.2f ms", seconds * 1000)
    }
}

enum ResourceUsage {
    /// The process's peak resident set size (Linux reports kilobytes).
    static func peakResidentMegabytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) / 1024
    }
}
