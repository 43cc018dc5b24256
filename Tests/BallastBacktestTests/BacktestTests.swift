import BallastBacktest
import BallastCore
import BallastSandbox
import Foundation
import Testing

@Suite struct BacktestTests {
    static let market = SimulatedMarket(chains: 5, tokens: 3, bridgeFanout: SimulatedMarket.scenarioFanout)
    static let text = market.strategyText(name: "backtest", chains: Array(0..<5), cooldownSeconds: 900)
    static let strategy = try! Strategy.decode(yaml: text, source: "test")

    static func run(_ scenario: Scenario, steps: Int, seed: UInt64 = 1) async throws -> BacktestResult {
        try await Backtest(strategy: strategy, strategyText: text, source: .scenario(scenario, steps: steps, seed: seed, chains: 5, tokens: 3)).run()
    }

    @Test func theSameSeedGivesTheSameRunAndReportAndAnotherSeedAnother() async throws {
        let a = try await Self.run(.shock, steps: 240), b = try await Self.run(.shock, steps: 240)
        #expect(a == b)
        #expect(BacktestReport.html([a], strategy: "s") == BacktestReport.html([b], strategy: "s"))
        #expect(try BacktestOutput(strategy: "s", results: [a]).json() == BacktestOutput(strategy: "s", results: [b]).json())
        let other = try await Self.run(.shock, steps: 240, seed: 2)
        #expect(other != a)
    }

    @Test func shockDropsTheDepeggedSourceAlertsAndNeverPlansTheHaltedBridge() async throws {
        let steps = 300
        let result = try await Self.run(.shock, steps: steps)
        let texts = result.alerts.map(\.text)
        #expect(texts.contains { $0.contains("chain01/USDC from chainlink") }, "the lagging oracle is dropped: \(texts)")
        #expect(texts.contains { $0.contains("chain01/USDC chainlink: stale") }, "and then fails as stale once past its heartbeat")
        #expect(result.alerts.contains { $0.text.contains("chain03/USDC balance") && $0.step == steps / 3 + steps / 12 }, "the node going down alerts")
        let halted = (steps / 3)..<(2 * steps / 3)
        let across02 = result.transfers.filter { halted.contains($0.step) && ($0.from == "chain02" || $0.to == "chain02") }
        #expect(across02.isEmpty, "no transfer over the halted bridge: \(across02)")
        #expect(result.ballast.transfers > 0)
        #expect(result.events.map(\.text).contains("across halts on chain02"))
    }

    @Test func bullShowsMoreOpportunitiesLateThanEarly() async throws {
        let result = try await Self.run(.bull, steps: 600)
        let quarter = result.samples.count / 4
        let early = result.samples.prefix(quarter).map(\.opportunities).reduce(0, +)
        let late = result.samples.suffix(quarter).map(\.opportunities).reduce(0, +)
        #expect(late > early, "widening spreads open more routes: \(early) → \(late)")
    }

    @Test func ballastReachesChainsTheGreedyBaselineCannotAndCountsEveryFee() async throws {
        let result = try await Self.run(.calm, steps: 600)
        // The ring of bridges leaves most pairs without a direct route: greedy leaves them short.
        #expect(result.ballast.totalOutOfBandSeconds < result.greedy.totalOutOfBandSeconds)
        #expect(result.ballast.transfers == result.transfers.filter { $0.ledger == .ballast }.count)
        let fees = result.transfers.filter { $0.ledger == .ballast }.map(\.feeUSD).reduce(0, +)
        #expect(abs(fees - result.ballast.feesUSD) < 1e-6)
        #expect(result.transfers.allSatisfy { $0.feeUSD > 0 && $0.feeUSD < $0.amountUSD * 0.005 + 30 }, "fees of 5 bps plus gas")
        #expect(result.cycles > 0 && result.solves >= result.cycles)
        #expect(result.samples.count <= Backtest.maxSamples + 1 && result.samples.last?.step == 600)
    }

    @Test func snapshotsReplayInTimeOrderFromTheFirstOnesBalances() async throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        var path = ScenarioPath(.calm, market: Self.market, seed: 3, horizon: 30)
        var state = path.start
        var snapshots: [Snapshot] = []
        for i in 1...6 {
            _ = path.advance(at: base.addingTimeInterval(Double(i) * 300), moving: &state)
            snapshots.append(MarketSnapshot(Self.market, state: state, at: base.addingTimeInterval(Double(i) * 300)).snapshot)
        }
        let result = try await Backtest(strategy: Self.strategy, strategyText: Self.text, source: .snapshots(snapshots.reversed())).run()
        #expect(result.steps == 6 && result.source == "replay" && result.seed == nil)
        #expect(result.start == base.addingTimeInterval(300) && result.end == base.addingTimeInterval(1800))
        // The first snapshot's treasury is out of band (chain00 holds the least): both rebalance it.
        #expect(result.ballast.transfers > 0 && result.greedy.transfers > 0)
    }

    @Test func aStrategyWithoutRebalancingIsRefused() throws {
        let scanOnly = try Strategy.decode(yaml: "name: s\ntokens: [USDC]\narbitrage: {min_profit_usd: 1, min_roi_bps: 1, max_trade_usd: 10, max_price_age_seconds: 60}\n", source: "t")
        #expect(throws: BacktestError.self) { try Backtest(strategy: scanOnly, strategyText: "", source: .scenario(.calm, steps: 1, seed: 1, chains: 2, tokens: 1)) }
    }

    @Test func aTreasuryWithNothingOrAStrategyForAnotherMarketIsRefused() async throws {
        var empty = MarketSnapshot(Self.market, state: MarketState(Self.market), at: Date(timeIntervalSince1970: 1_800_000_000)).snapshot
        empty.balances = []
        await #expect(throws: BacktestError.self) { try await Backtest(strategy: Self.strategy, strategyText: Self.text, source: .snapshots([empty])).run() }
        let other = try Strategy.decode(yaml: SimulatedMarket(chains: 7, tokens: 3).strategyText(name: "seven", chains: Array(0..<7)), source: "t")
        let error = await #expect(throws: BacktestError.self) {
            try await Backtest(strategy: other, strategyText: "", source: .scenario(.calm, steps: 5, seed: 1, chains: 5, tokens: 3)).run()
        }
        #expect(error?.description.contains("chain05, chain06") == true, "\(String(describing: error))")
    }

    @Test func theReportIsSelfContainedAndEscapesEveryName() async throws {
        let result = try await Self.run(.growth, steps: 120)
        let html = BacktestReport.html([result, result], strategy: "<script>alert(1)</script>")
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "no external asset")
        #expect(html.components(separatedBy: "<figure").count - 1 == 2 * 3 * 5, "a chart per token and chain, per run")
        #expect(html.components(separatedBy: "<tr data-run=").count - 1 == 4, "both rebalancers of both runs side by side")
    }
}
