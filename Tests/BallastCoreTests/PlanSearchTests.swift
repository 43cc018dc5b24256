@testable import BallastCore
import BallastOptimization
import BallastSimulation
import Foundation
import Testing

@Suite struct PlanSearchTests {
    /// a holds 0.02 WETH above its target, under the 0.25 WETH ($500) minimum of its one lane;
    /// c can only be filled if a sends it too. So b must first top a up past the minimum.
    func treasury() -> (MarketBuilder, Strategy) {
        var m = MarketBuilder()
        for (chain, amount) in [("a", "1.02"), ("b", "6.98"), ("c", "2")] {
            m.price(chain, 2000)
            m.snapshot.balances.append(Balance(chain: chain, token: "WETH", amount: Amount(amount)!, inFlight: .zero))
        }
        m.route("a", "c", feeBps: 5, gas: 1)
        m.route("b", "c", feeBps: 5, gas: 1)
        m.route("b", "a", feeBps: 5, gas: 1)
        let strategy = Strategy(name: "t", tokens: ["WETH"],
                                rebalance: RebalanceRules(threshold: 0.05, minTransferUSD: 500, maxFeeBps: 100,
                                                          targets: ["WETH": ["a": 0.1, "b": 0.4, "c": 0.5]]))
        return (m, strategy)
    }

    func searchModel() throws -> (TokenBook, [RebalanceLane], PlanFormulation) {
        let (m, strategy) = treasury()
        let rules = try #require(strategy.rebalance)
        let book = try TokenBook.make(m.snapshot.tokens[0], snapshot: m.snapshot, rules: rules,
                                      prices: m.snapshot.chains.map { _ in 2000 }).get()
        let lanes = RebalanceLane.lanes(for: book, snapshot: m.snapshot, rules: rules).usable
        return (book, lanes, PlanFormulation(book: book, lanes: lanes, attempt: 0, aggregated: true))
    }

    @Test func aGiverBelowEveryMinimumIsToppedUpBeforeItSends() throws {
        let (m, strategy) = treasury()
        let (book, lanes, model) = try searchModel()
        // The search itself must find the plan, not leave it to branch and bound: shutting the
        // undersized lane out of a leaves a's surplus no way out.
        let found = try #require(PlanSearch.opening(model, limits: SolverLimits(maxNodes: 1_000)))
        #expect(!found.stoppedByTimeCap)
        let opened = Set(lanes.indices.filter { found.opening[$0] }.map { "\(book.chains[lanes[$0].from])>\(book.chains[lanes[$0].to])" })
        #expect(opened == ["b>a", "a>c", "b>c"])

        let plan = try #require(Rebalancer(strategy: strategy)!.plan(m.snapshot).plans.first)
        #expect(PlanAudit.violations(plan, snapshot: m.snapshot, strategy: strategy) == [])
        #expect(plan.status == .rebalance)
        #expect(plan.transfers.map { "\($0.from)>\($0.to)" } == ["b>a", "a>c", "b>c"] ||
                plan.transfers.map { "\($0.from)>\($0.to)" } == ["b>c", "b>a", "a>c"])
    }

    /// The search is a function of its input: journal replays and backtests rely on it. On a
    /// 20-chain treasury it perturbs, re-uses remembered openings and re-routes, and runs out
    /// of budget; every token's opening and neighbourhood must come out the same twice.
    @Test func theSameInputGivesTheSameSearchResult() throws {
        var generator = TreasuryGenerator(chains: 20, seed: 3)
        generator.randomLimits = true
        let (snapshot, strategy) = generator.market()
        let rebalancer = try #require(Rebalancer(strategy: strategy))
        let market = rebalancer.consensus.reduce(snapshot, tokens: snapshot.tokens)
        var searched = 0
        for (t, token) in snapshot.tokens.enumerated() {
            let prices = snapshot.chains.indices.map { market[token: t, chain: $0]?.spotPrice }
            guard case .success(let book) = TokenBook.make(token, snapshot: snapshot, rules: rebalancer.rules, prices: prices),
                  book.isShort.contains(true) else { continue }
            let lanes = RebalanceLane.lanes(for: book, snapshot: snapshot, rules: rebalancer.rules).usable
            let model = PlanFormulation(book: book, lanes: lanes, attempt: 0, aggregated: true)
            let limits = SolverLimits(maxNodes: 300)
            let first = try #require(PlanSearch.opening(model, limits: limits))
            let second = try #require(PlanSearch.opening(model, limits: limits))
            #expect(first.opening == second.opening, "\(token.symbol)")
            #expect(first.neighbourhood == second.neighbourhood, "\(token.symbol)")
            searched += 1
        }
        #expect(searched > 0)
    }

    /// A stopping service cancels its tick: the search stops before its next linear solve and
    /// the plan is an error that says why, not a plan cut short. Uncancelled, the same task plans.
    @Test func cancellingThePlanningTaskStopsTheSearchAndMakesNoPlan() async throws {
        let (m, strategy) = treasury()
        let (_, _, model) = try searchModel()
        let rebalancer = try #require(Rebalancer(strategy: strategy))
        for cancel in [false, true] {
            let (searched, plan) = await Task {
                if cancel { withUnsafeCurrentTask { $0?.cancel() } }
                return (PlanSearch.opening(model, limits: SolverLimits(maxNodes: 1_000)), rebalancer.plan(m.snapshot).plans.first)
            }.value
            #expect((searched == nil) == cancel)
            #expect(plan?.status == (cancel ? .error : .rebalance))
            #expect(plan?.error == (cancel ? "not planned: planning was cancelled" : nil))
        }
    }

    /// The wall-clock safety cap (here already passed) stops the search once it has a plan,
    /// and the result says so; the budget alone never sets that flag (above).
    @Test func theSafetyCapStopsTheSearchOnceItHasAPlanAndSaysSo() throws {
        let (_, _, model) = try searchModel()
        let capped = try #require(PlanSearch.opening(model, limits: SolverLimits(maxNodes: 1_000, safetySeconds: 0)))
        #expect(capped.stoppedByTimeCap)
        #expect(capped.opening.contains(true))
    }
}
