import BallastBacktest
import BallastCore
import BallastSandbox
import Foundation
import Testing

@Suite struct BacktestTests {
    static func strategy(chains: Int = 5, tokens: Int = 3, cooldown: Int = 900) throws -> (Strategy, String) {
        let market = SimulatedMarket(chains: chains, tokens: tokens)
        let names = (0..<chains).map(market.chainName)
        let each = 1.0 / Double(chains)
        let targets = names.enumerated().map { "\($1): \($0 == 0 ? 1 - each * Double(chains - 1) : each)" }.joined(separator: ", ")
        let symbols = (0..<tokens).map(market.symbol)
        let text = """
            name: backtest
            tokens: [\(symbols.joined(separator: ", "))]
            arbitrage: {min_profit_usd: 5, min_roi_bps: 2, max_trade_usd: 50000, max_price_age_seconds: 300}
            rebalance:
              threshold: 0.05
              min_transfer_usd: 10
              max_fee_bps: 50
              cooldown_seconds: \(cooldown)
              targets:
            \(symbols.map { "    \($0): {\(targets)}" }.joined(separator: "\n"))
            """
        return (try Strategy.decode(yaml: text, source: "test"), text)
    }

    @Test func printsFigures() async throws {
        let (strategy, text) = try Self.strategy()
        for scenario in Scenario.allCases {
            let backtest = try Backtest(strategy: strategy, strategyText: text, source: .scenario(scenario, steps: 300, seed: 1, chains: 5, tokens: 3))
            let r = try await backtest.run()
            print(scenario, "ballast", r.ballast.feesUSD, r.ballast.transfers, r.ballast.totalOutOfBandSeconds, r.ballast.worstExposureUSD, r.ballast.capturedProfitUSD,
                  "greedy", r.greedy.feesUSD, r.greedy.transfers, r.greedy.totalOutOfBandSeconds, r.greedy.worstExposureUSD, r.greedy.capturedProfitUSD,
                  "opps", r.opportunities, r.detectedProfitUSD, "solves", r.solves, "cycles", r.cycles, "alerts", r.alerts.count)
            for a in r.alerts.prefix(5) { print("  alert", a.step, a.text) }
        }
    }
}
