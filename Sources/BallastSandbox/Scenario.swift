import BallastCore
import Foundation

/// A story the simulated market tells over time.
public enum Scenario: String, CaseIterable, Sendable {
    /// Small noise, and now and then a spread on one chain that fades.
    case calm
    /// Prices rising, cross-chain spreads widening, pools deepening.
    case bull
    /// Prices falling, pools thinning, gas rising.
    case bear
    /// The last chain and its pools launch a third of the way in; inflows land on the first chain.
    case growth
    /// A third of the way in: one chain's USDC depegs while its oracle stops updating, a bridge
    /// halts (quotes fail out of the chain, `maxDeposit` is 0 into it), and an RPC node goes
    /// down for a while and comes back.
    case shock
}

/// One step of a scenario: what happened, and the treasury's flows from outside.
public struct ScenarioStep: Sendable {
    public var events: [ScenarioEvent]
    /// Deposits (positive) and payouts (negative) in smallest units, `[chain][token]`; a payout
    /// takes at most what the chain holds.
    public var flows: [[Int128]]

    /// Applies the flows to `balances`, a payout never below zero.
    public func apply(to balances: inout [[Int128]]) {
        for c in flows.indices {
            for t in flows[c].indices where flows[c][t] != 0 { balances[c][t] = max(0, balances[c][t] + flows[c][t]) }
        }
    }
}

/// Something a scenario did at a step, for the log and the backtest's report.
public struct ScenarioEvent: Sendable, Hashable {
    public var step: Int
    public var text: String
}

/// Moves a ``MarketState`` one step at a time. Deterministic: the same scenario, market, seed
/// and horizon give the same states, on any machine. The events fall at fixed fractions of
/// `horizon`; past it the market keeps moving with no new events.
public struct ScenarioPath: Sendable {
    public let scenario: Scenario
    public let market: SimulatedMarket
    public let horizon: Int
    /// Steps taken so far.
    public private(set) var step = 0
    /// The market before the first step, balances included.
    public let start: MarketState
    /// Everything but the balances, which belong to whoever moves them (the custody simulator,
    /// the backtest's ledger): a step adds its inflows to theirs.
    private var state: MarketState
    private var rng: SplitMix64
    /// Each token's log-price move since the start.
    private var level: [Double]
    /// Each chain's deviation from the token's price, `[chain][token]`: mean-reverting.
    private var deviation: [[Double]]
    private let base: [[Double]]

    public init(_ scenario: Scenario, market: SimulatedMarket, seed: UInt64, horizon: Int) {
        self.scenario = scenario
        self.market = market
        self.horizon = max(12, horizon)
        rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(Scenario.allCases.firstIndex(of: scenario)!))
        var state = MarketState(market)
        // USDC holdings of the same order as the other tokens' ($10^5–10^6), so every token's
        // transfers are worth their fees.
        for c in 0..<market.chainCount { state.balances[c][0] *= 5_000 }
        if scenario == .growth {
            let fresh = market.chainCount - 1
            state.launched[fresh] = false
            state.balances[fresh] = state.balances[fresh].map { _ in 0 }
        }
        self.state = state
        start = state
        base = state.prices
        level = Array(repeating: 0, count: market.tokenCount)
        deviation = Array(repeating: Array(repeating: 0, count: market.tokenCount), count: market.chainCount)
    }

    /// The roles the shock scenario gives chains.
    public var depeggedChain: Int { 1 % market.chainCount }
    public var haltedChain: Int { 2 % market.chainCount }
    public var downChain: Int { 3 % market.chainCount }
    /// The chain that launches in the growth scenario.
    public var launchingChain: Int { market.chainCount - 1 }

    /// When the story's events fall.
    var eventStep: Int { horizon / 3 }
    var recoveryStep: Int { 2 * horizon / 3 }
    var rpcDownSteps: Range<Int> { (horizon / 3 + horizon / 12)..<(horizon / 2) }

    /// The market after the last step; its balances are the starting ones (see ``ScenarioStep``).
    public var current: MarketState { state }

    /// Takes one step, dated `date` (a frozen feed keeps the date of its last round): `market`
    /// takes the step's prices, pools, gas and outages, and its balances the step's flows.
    public mutating func advance(at date: Date, moving market: inout MarketState) -> [ScenarioEvent] {
        let taken = advance(at: date)
        var balances = market.balances
        taken.apply(to: &balances)
        market = state
        market.balances = balances
        return taken.events
    }

    /// Takes one step, dated `date`.
    public mutating func advance(at date: Date) -> ScenarioStep {
        step += 1
        var notes: [String] = []
        var flows = Array(repeating: Array(repeating: Int128(0), count: market.tokenCount), count: market.chainCount)
        let progress = min(1, Double(step) / Double(horizon))


        // Drift and volatility of each token's price, and how far chains stray from it.
        let (drift, volatility, straying): (Double, Double, Double) = switch scenario {
        case .calm: (0, 0.0003, 0.0003)
        case .bull: (0.0004, 0.001, 0.0003 + 0.005 * progress)
        case .bear: (-0.0004, 0.0015, 0.0008)
        case .growth: (0.0001, 0.0005, 0.0004)
        case .shock: (0, 0.0008, 0.0006)
        }
        for t in 1..<max(1, market.tokenCount) { level[t] += drift + volatility * normal() }
        for c in 0..<market.chainCount {
            for t in 1..<max(1, market.tokenCount) { deviation[c][t] = 0.85 * deviation[c][t] + straying * normal() }
        }
        if scenario == .calm, uniform() < 0.03, market.tokenCount > 1 {
            let c = Int(uniform() * Double(market.chainCount)), t = 1 + Int(uniform() * Double(market.tokenCount - 1))
            deviation[c][t] += 0.006
            notes.append("a spread opens on \(market.chainName(c)) for \(market.symbol(t))")
        }
        for c in 0..<market.chainCount {
            for t in 1..<max(1, market.tokenCount) {
                state.prices[c][t] = base[c][t] * exp(level[t]) * (1 + deviation[c][t])
            }
        }

        switch scenario {
        case .calm, .shock: break
        case .bull: state.depthUSD = state.depthUSD.map { $0.map { min($0 * 1.0005, 50 * SimulatedMarket.poolDepthUSD) } }
        case .bear:
            state.depthUSD = state.depthUSD.map { $0.map { max($0 * 0.999, 0.05 * SimulatedMarket.poolDepthUSD) } }
            state.relayGasUSD = state.relayGasUSD.map { min($0 * 1.002, 25) }
        case .growth:
            let fresh = launchingChain
            if step == eventStep {
                state.launched[fresh] = true
                // A new venue prices a little apart from the rest until arbitrage closes it.
                for t in 1..<max(1, market.tokenCount) { deviation[fresh][t] += 0.008 }
                notes.append("\(market.chainName(fresh)) launches with its pools and bridges")
            }
            if step == horizon / 4 || step == horizon / 2 {
                // A fixed amount (a quarter of the starting holdings), so every ledger that follows
                // the path receives the same inflow.
                for t in 0..<market.tokenCount { flows[0][t] += startingTotal(t) / 4 }
                notes.append("inflows of a quarter of the starting holdings land on \(market.chainName(0))")
            }
        }
        if scenario == .shock { notes += shock(at: date) }
        // The desk's own business: now and then a client's deposit lands on one chain and a
        // payout leaves another (a share of an average chain's holding), so inventory drifts
        // from its targets and rebalancing has work.
        let (chance, deposit, payout): (Double, Int128, Int128) = switch scenario {
        case .calm: (0.04, 5, 5)
        case .bull, .growth: (0.06, 10, 4)
        case .bear: (0.06, 4, 10)
        case .shock: (0.05, 5, 5)
        }
        let perChain = Int128(market.chainCount) * 100
        for t in 0..<market.tokenCount where uniform() < chance {
            let a = Int(uniform() * Double(market.chainCount)), b = Int(uniform() * Double(market.chainCount))
            if state.launched[a] { flows[a][t] += startingTotal(t) * deposit / perChain }
            if state.launched[b] { flows[b][t] -= startingTotal(t) * payout / perChain }
        }
        for c in 0..<market.chainCount {
            for t in 0..<market.tokenCount where state.frozenFeeds[Place(chain: c, token: t)] == nil {
                state.feedPrices[c][t] = state.prices[c][t]
            }
        }
        let at = step
        return ScenarioStep(events: notes.map { ScenarioEvent(step: at, text: $0) }, flows: flows)
    }

    private func startingTotal(_ t: Int) -> Int128 { start.balances.reduce(Int128(0)) { $0 + $1[t] } }

    private mutating func shock(at date: Date) -> [String] {
        var notes: [String] = []
        let depegged = depeggedChain, usdc = Place(chain: depegged, token: 0)
        if step == eventStep {
            state.frozenFeeds[usdc] = date
            notes.append("USDC on \(market.chainName(depegged)) depegs; its Chainlink feed stops updating")
            state.haltedBridges.insert(haltedChain)
            notes.append("across halts on \(market.chainName(haltedChain))")
        }
        if step >= eventStep {
            state.prices[depegged][0] = 1 - 0.06 * min(1, Double(step - eventStep + 1) / 10)
        }
        if step == recoveryStep {
            state.haltedBridges.remove(haltedChain)
            notes.append("across resumes on \(market.chainName(haltedChain))")
        }
        if step == rpcDownSteps.lowerBound {
            state.rpcDown.insert(downChain)
            notes.append("\(market.chainName(downChain))'s RPC node goes down")
        }
        if step == rpcDownSteps.upperBound {
            state.rpcDown.remove(downChain)
            notes.append("\(market.chainName(downChain))'s RPC node is back")
        }
        return notes
    }

    private mutating func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

    /// A standard normal draw (Box–Muller).
    private mutating func normal() -> Double {
        let u = max(uniform(), 1e-12), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
