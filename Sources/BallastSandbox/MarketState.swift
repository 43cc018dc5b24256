import BallastCore
import Foundation

/// A token on a chain of the simulated market, by index.
public struct Place: Hashable, Sendable {
    public var chain: Int
    public var token: Int
    public init(chain: Int, token: Int) {
        self.chain = chain
        self.token = token
    }
}

/// What the simulated market is at one moment: prices, pool depth, gas, which chains are up,
/// which bridges are halted, and the treasury's balances. A scenario moves it step by step; the
/// wire answers and the backtest's snapshots are both read from it, so they agree.
public struct MarketState: Sendable, Equatable {
    /// Market prices in USD, `[chain][token]`.
    public var prices: [[Double]]
    /// What the Chainlink feeds answer; differs from `prices` while an oracle lags.
    public var feedPrices: [[Double]]
    /// Feeds that stopped updating, with the time of their last round.
    public var frozenFeeds: [Place: Date] = [:]
    /// USD on each side of a pool, `[chain][token]`.
    public var depthUSD: [[Double]]
    /// Across's relayer gas fee per transfer out of a chain, in USD.
    public var relayGasUSD: [Double]
    /// Chains whose pools and routes exist (a chain launched mid-run is false before).
    public var launched: [Bool]
    /// Chains whose RPC node answers 503.
    public var rpcDown: Set<Int> = []
    /// Chains whose bridge is halted: quotes out of them fail, quotes into them say `maxDeposit` 0.
    public var haltedBridges: Set<Int> = []
    /// The treasury's balances in smallest units, `[chain][token]`.
    public var balances: [[Int128]]

    /// The market as `SimulatedMarket` describes it from its indices.
    public init(_ market: SimulatedMarket) {
        let chains = 0..<market.chainCount, tokens = 0..<market.tokenCount
        prices = chains.map { c in tokens.map { market.priceUSD($0, chain: c) } }
        feedPrices = prices
        depthUSD = chains.map { _ in tokens.map { _ in SimulatedMarket.poolDepthUSD } }
        relayGasUSD = chains.map { _ in 0.5 }
        launched = chains.map { _ in true }
        balances = chains.map { c in tokens.map { market.balanceUnits($0, chain: c) } }
    }

    /// A V2 pair's reserves in smallest units: the token (token1) and USDC (token0).
    public func reserveUnits(_ t: Int, chain c: Int, decimals: Int) -> (token: Int128, usdc: Int128) {
        let depth = depthUSD[c][t]
        let token = (depth / prices[c][t] * pow(10, Double(decimals))).rounded(.down)
        return (Int128(token), Int128((depth * 1e6).rounded(.down)))
    }

    /// Across's relayer gas fee, in the token's smallest units.
    public func acrossGasUnits(_ t: Int, chain c: Int, decimals: Int) -> Int128 {
        Int128((relayGasUSD[c] / prices[c][t] * pow(10, Double(decimals))).rounded(.down))
    }

    /// What a transfer of `units` over Across delivers: the capital fee and the relayer's gas off.
    public func acrossDelivers(_ units: Int128, token t: Int, from c: Int, decimals: Int) -> Int128 {
        max(0, units - units * Int128(SimulatedMarket.acrossFeeBps) / 10_000 - acrossGasUnits(t, chain: c, decimals: decimals))
    }
}
