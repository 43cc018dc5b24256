import BallastCore
import BallastSandbox
import Foundation
import Testing

/// The scenarios tell the stories they promise, the same way for the same seed.
@Suite struct ScenarioTests {
    static let market = SimulatedMarket(chains: 5, tokens: 3, bridgeFanout: SimulatedMarket.scenarioFanout)
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// The market after each step, from the first.
    static func walk(_ scenario: Scenario, steps: Int, seed: UInt64 = 7) -> [MarketState] {
        var path = ScenarioPath(scenario, market: market, seed: seed, horizon: steps)
        var state = path.start
        return (1...steps).map { i in
            _ = path.advance(at: start.addingTimeInterval(Double(i) * 60), moving: &state)
            return state
        }
    }

    /// WETH's spread across chains: (highest − lowest) / lowest.
    static func spread(_ state: MarketState) -> Double {
        let prices = state.prices.map { $0[1] }
        return (prices.max()! - prices.min()!) / prices.min()!
    }

    @Test func theSameSeedWalksTheSamePathAndAnotherSeedAnother() {
        #expect(Self.walk(.calm, steps: 60) == Self.walk(.calm, steps: 60))
        #expect(Self.walk(.calm, steps: 60, seed: 8).last != Self.walk(.calm, steps: 60).last)
    }

    @Test func bullRaisesPricesWidensSpreadsAndDeepensPools() {
        let states = Self.walk(.bull, steps: 400)
        let early = states.prefix(60).map(Self.spread).reduce(0, +) / 60
        let late = states.suffix(60).map(Self.spread).reduce(0, +) / 60
        #expect(late > 2 * early, "spreads widen: \(early) → \(late)")
        #expect(states.last!.depthUSD[0][1] > 1.1 * SimulatedMarket.poolDepthUSD)
        #expect(states.last!.prices[0][1] > Self.market.priceUSD(1, chain: 0), "bull drifts up")
    }

    @Test func bearLowersPricesThinsPoolsAndRaisesGas() {
        let states = Self.walk(.bear, steps: 400)
        #expect(states.last!.depthUSD[2][1] < 0.8 * SimulatedMarket.poolDepthUSD)
        #expect(states.last!.relayGasUSD[0] > 1.5 * 0.5)
        #expect(states.last!.prices[0][2] < Self.market.priceUSD(2, chain: 0), "bear drifts down")
    }

    @Test func growthLaunchesTheLastChainAThirdOfTheWayInWithInflowsOnTheFirst() {
        let steps = 120
        let states = Self.walk(.growth, steps: steps)
        let fresh = Self.market.chainCount - 1
        #expect(!states[steps / 3 - 2].launched[fresh] && states[steps / 3 - 1].launched[fresh])
        let before = MarketSnapshot(Self.market, state: states[10], at: Self.start).snapshot
        let after = MarketSnapshot(Self.market, state: states[steps / 3 + 5], at: Self.start).snapshot
        #expect(!before.prices.contains { $0.chain == "chain04" } && !before.routes.contains { $0.to == "chain04" })
        #expect(after.prices.contains { $0.chain == "chain04" } && after.routes.contains { $0.to == "chain04" })
        let path = ScenarioPath(.growth, market: Self.market, seed: 7, horizon: steps)
        #expect(path.start.balances[fresh].allSatisfy { $0 == 0 }, "nothing held on a chain before it exists")
        #expect(states[steps / 2 - 1].balances[0][0] > path.start.balances[0][0], "inflows land on chain00")
    }

    @Test func shockDepegsAStablecoinFreezesItsOracleHaltsABridgeAndDownsANode() {
        let steps = 120
        var path = ScenarioPath(.shock, market: Self.market, seed: 7, horizon: steps)
        var state = path.start
        var seen: [Int: MarketState] = [:]
        var events: [ScenarioEvent] = []
        for i in 1...steps {
            events += path.advance(at: Self.start.addingTimeInterval(Double(i) * 60), moving: &state)
            seen[i] = state
        }
        let strike = steps / 3
        let usdc = Place(chain: 1, token: 0)
        #expect(seen[strike - 1]!.frozenFeeds[usdc] == nil && seen[strike]!.frozenFeeds[usdc] == Self.start.addingTimeInterval(Double(strike) * 60))
        #expect(seen[strike + 20]!.prices[1][0] < 0.95 && seen[strike + 20]!.feedPrices[1][0] == 1, "the oracle lags the depeg")
        #expect(seen[strike]!.haltedBridges == [2] && seen[2 * steps / 3]!.haltedBridges.isEmpty)
        #expect(seen[strike + steps / 12]!.rpcDown == [3] && seen[steps / 2]!.rpcDown.isEmpty)
        #expect(events.map(\.text).contains("across halts on chain02"))

        // Halted: quotes out of chain02 fail, quotes into it close; the node down loses its balances.
        let halted = MarketSnapshot(Self.market, state: seen[strike + steps / 12]!, at: Self.start)
        #expect(!halted.snapshot.routes.contains { $0.from == "chain02" || $0.to == "chain02" })
        #expect(halted.failures.contains { $0.contains("limits.maxDeposit is 0") } && halted.failures.contains { $0.contains("deposits are paused") })
        #expect(!halted.snapshot.balances.contains { $0.chain == "chain03" })
    }
}
