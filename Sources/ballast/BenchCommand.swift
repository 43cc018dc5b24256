import ArgumentParser
import BallastChains
import BallastCore
import BallastHTTP
import BallastOptimization
import BallastSandbox
import BallastSimulation
import Foundation

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the core on generated markets (use a release build).",
        subcommands: [BenchScan.self, BenchPlan.self, BenchPull.self, BenchJournal.self, BenchServe.self, BenchBacktest.self])
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
        // Beyond these a generated universe would not fit in memory: refused, not attempted.
        guard (2...1_000).contains(chains), (1...10_000).contains(tokens), chains * chains * tokens <= 50_000_000,
              (1...1_000).contains(runs), minProfit.isFinite, minProfit >= 0 else {
            throw ValidationError("need 2–1,000 chains, 1–10,000 tokens (at most 50,000,000 routes), 1–1,000 runs and a non-negative min profit")
        }
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
        abstract: "Plan generated treasuries of several sizes; report solve time, cost, proven bound and gap.")

    @Option(parsing: .upToNextOption, help: "Network sizes, in chains.") var chains: [Int] = [10, 20, 30, 50, 100]
    @Option(help: "Networks per size; every token of each is planned.") var networks = 3
    @Option(help: "The first network's seed; the others follow it.") var firstSeed = 1
    @Option(help: "Branch-and-bound nodes per plan (rebalance.max_solve_nodes).") var maxSolveNodes = RebalanceRules.defaultMaxSolveNodes
    @Flag(help: "No gas or fixed fees: the linear case.") var linear = false
    @Flag(help: "One line per plan on standard error: seed, token, time, nodes, cost, bound, gap.") var verbose = false
    @Option(help: "Also plan with this node budget and report each plan's cost above that reference (the optimum where it is proven).")
    var referenceNodes: Int?
    @Option(help: ArgumentHelp("Write each plan's program to this directory, with the plan's cost and bound, for another solver to check (scripts/prove-plan-gap).",
                               valueName: "directory"))
    var writePrograms: String?

    func validate() throws {
        guard chains.allSatisfy({ (3...200).contains($0) }), (1...100).contains(networks), (0...10_000_000).contains(maxSolveNodes),
              (0...10_000_000).contains(referenceNodes ?? 0), firstSeed >= 0 else {
            throw ValidationError("need 3–200 chains, 1–100 networks, node budgets of 0–10,000,000 and a first seed not negative")
        }
    }

    func run() async throws {
        try await reportingFailures(measure)
    }

    private func measure() async throws {
        if let writePrograms {
            do { try FileManager.default.createDirectory(atPath: writePrograms, withIntermediateDirectories: true) } catch {
                throw InputFailure(exit: ExitStatus.cannotCreate, lines: ["\(writePrograms): cannot make the directory: \(error.localizedDescription)"])
            }
        }
        print("chains  plans  routes/token  solve s (median, max)  cost $       bound $      gap (mean, worst)  optimal  time cap"
              + (referenceNodes.map { "  above the \($0)-node plan (mean, worst; its optima proven)" } ?? ""))
        for size in chains {
            var times: [Double] = [], gaps: [Double] = []
            var cost = 0.0, bound = 0.0, routes = 0, optimal = 0, capped = 0, plans = 0
            var excess: [Double] = [], referenceProven = 0
            for seed in firstSeed..<(firstSeed + networks) {
                var generator = TreasuryGenerator(chains: size, seed: UInt64(seed))
                generator.fixedCosts = !linear
                var (snapshot, strategy) = generator.market()
                strategy.rebalance?.maxSolveNodes = maxSolveNodes
                // One token at a time, so each plan's time is its own.
                for token in strategy.tokens {
                    var single = strategy
                    single.tokens = [token]
                    let rebalancer = Rebalancer(strategy: single)!
                    let start = ContinuousClock.now
                    guard let plan = rebalancer.plan(snapshot).plans.first else { continue }
                    let elapsed = ((ContinuousClock.now - start) / .seconds(1))
                    guard plan.status == .rebalance || plan.status == .partial else { continue }
                    let lowerBound = plan.optimality?.lowerBoundUSD ?? plan.totalFeeUSD
                    var above = ""
                    if let referenceNodes {
                        var reference = single
                        reference.rebalance?.maxSolveNodes = referenceNodes
                        if let best = Rebalancer(strategy: reference)!.plan(snapshot).plans.first, best.totalFeeUSD > 0 {
                            excess.append(max(0, plan.totalFeeUSD - best.totalFeeUSD) / best.totalFeeUSD)
                            if best.optimality?.gap == 0 { referenceProven += 1 }
                            above = String(format: ", %.4f%% above the reference", excess.last! * 100)
                        }
                    }
                    if let writePrograms, let program = rebalancer.program(of: token, snapshot: snapshot, cheaperThanUSD: plan.totalFeeUSD) {
                        let record = PlanProgram(chains: size, seed: seed, token: token, planCostUSD: plan.totalFeeUSD,
                                                 lowerBoundUSD: lowerBound, program: program)
                        let file = URL(fileURLWithPath: writePrograms).appendingPathComponent("\(size)-chains-seed-\(seed)-\(token).json")
                        do { try MixedIntegerProgram.jsonEncoder.encode(record).write(to: file) } catch {
                            throw InputFailure(exit: ExitStatus.cannotCreate, lines: ["\(file.path): cannot write the program: \(error.localizedDescription)"])
                        }
                    }
                    if verbose {
                        FileHandle.standardError.write(Data(String(format: "%d chains seed %d %@: %.2f s, %d nodes, cost $%@, bound $%@, gap %.4f%%%@%@\n", size, seed, token,
                                                                   elapsed, plan.optimality?.nodes ?? 0, Figures.usd(plan.totalFeeUSD),
                                                                   Figures.usd(lowerBound), (plan.optimality?.gap ?? 0) * 100,
                                                                   plan.optimality?.stoppedByTimeCap == true ? ", time cap" : "", above).utf8))
                    }
                    plans += 1
                    times.append(elapsed)
                    cost += plan.totalFeeUSD
                    bound += lowerBound
                    gaps.append(plan.optimality?.gap ?? 0)
                    if plan.optimality?.gap == 0 { optimal += 1 }
                    if plan.optimality?.stoppedByTimeCap == true { capped += 1 }
                }
                routes += snapshot.routes.count / max(1, snapshot.tokens.count)
            }
            let sorted = times.sorted()
            let line = String(format: "%6d  %5d  %12d  %8.2f, %8.2f        %-11.2f  %-11.2f  %5.2f%%, %6.2f%%     %3d/%-3d  %d",
                              size, plans, routes / networks, sorted.isEmpty ? 0 : sorted[sorted.count / 2], sorted.last ?? 0,
                              cost, bound, gaps.isEmpty ? 0 : gaps.reduce(0, +) / Double(gaps.count) * 100,
                              (gaps.max() ?? 0) * 100, optimal, plans, capped)
            let reference = referenceNodes == nil ? "" : String(format: "  %5.2f%%, %6.2f%% (%d/%d)",
                (excess.isEmpty ? 0 : excess.reduce(0, +) / Double(excess.count)) * 100, (excess.max() ?? 0) * 100,
                referenceProven, excess.count)
            print(line + reference)
        }
    }
}

/// One plan's program as `bench plan --write-programs` writes it: every plan of `program` cheaper
/// than `planCostUSD` is a plan of the treasury (the source-tracked rows hold only for those).
struct PlanProgram: Encodable {
    var chains: Int
    var seed: Int
    var token: String
    var planCostUSD: Double
    var lowerBoundUSD: Double
    var program: MixedIntegerProgram
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
        guard (2...500).contains(chains), (1...1_000).contains(tokens), (1...1_000).contains(runs), (0...60_000).contains(latencyMs),
              (1...64).contains(serverThreads), (1...100_000).contains(connectionsPerHost),
              fanout.map({ (1...chains).contains($0) }) ?? true else {
            throw ValidationError("need 2–500 chains, 1–1,000 tokens, 1–1,000 runs, a latency of 0–60,000 ms, 1–64 server threads, 1–100,000 connections per host and a fanout of 1 to the number of chains")
        }
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
            samples.append((pulled.elapsed / .seconds(1)))
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
            samples.append(((ContinuousClock.now - start) / .seconds(1)))
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

    /// The process's resident set size now, from /proc/self/statm (pages).
    static func residentMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return .nan }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
