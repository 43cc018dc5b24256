import ArgumentParser
import BallastBacktest
import BallastCore
import BallastSandbox
import Foundation

struct BenchBacktest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Time a backtest of the simulated market: steps per second, plans solved, cycles.")

    @Option(help: "calm, bull, bear, growth or shock.") var scenario: Scenario = .calm
    @Option(help: "Chains of the simulated market.") var chains = 20
    @Option(help: "Tokens of the simulated market.") var tokens = 10
    @Option(help: "Simulated one-minute steps.") var steps = 10_000
    @Option(help: "The scenario's seed.") var seed: UInt64 = 1

    func validate() throws {
        guard (2...200).contains(chains), (1...50).contains(tokens), (1...1_000_000).contains(steps) else {
            throw ValidationError("need 2–200 chains, 1–50 tokens and 1–1,000,000 steps")
        }
    }

    func run() async throws {
        let market = SimulatedMarket(chains: chains, tokens: tokens, bridgeFanout: SimulatedMarket.scenarioFanout)
        let text = market.strategyText(name: "bench-backtest", chains: Array(0..<chains))
        let strategy = try Strategy.decode(yaml: text, source: "bench")
        let backtest = try Backtest(strategy: strategy, strategyText: text,
                                    source: .scenario(scenario, steps: steps, seed: seed, chains: chains, tokens: tokens))
        let start = ContinuousClock.now
        let result = try await backtest.run()
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print("""
            backtest      \(scenario.rawValue), \(chains) chains × \(tokens) tokens, \(steps) steps of one simulated minute, seed \(seed)
            wall time     \(Stopwatch.format(seconds))  (\(String(format: "%.0f", Double(steps) / seconds)) steps/s)
            solves        \(result.solves) token plans solved, \(result.cycles) cycles, \(result.ballast.transfers) transfers (greedy \(result.greedy.transfers))
            opportunities \(result.opportunities) appearances
            peak memory   \(ResourceUsage.peakResidentMegabytes()) MB
            """)
    }
}
