import BallastCore
import Foundation

/// The snapshot Ballast's puller would assemble from the simulated market's answers, built
/// directly from its state: what a backtest decides from, at thousands of steps a second. A test
/// pulls the same state over the wire and compares.
public struct MarketSnapshot: Sendable {
    public var snapshot: Snapshot
    /// Sources that would have failed (a node down, a halted bridge, a feed past its heartbeat).
    public var failures: [String]

    /// The puller's default `max_deviation_bps` between sources.
    static let maxDeviationBps = 100.0

    public init(_ market: SimulatedMarket, state: MarketState, at date: Date) {
        let names = (0..<market.chainCount).map(market.chainName)
        var prices: [PriceQuote] = [], routes: [Route] = [], balances: [Balance] = [], failures: [String] = []
        let seconds = date.timeIntervalSince1970.rounded(.down)
        func dated(_ ago: Double) -> Date { Date(timeIntervalSince1970: seconds - ago) }
        let heartbeat = Double(market.feedHeartbeatSeconds) + 30

        // Pools quote in USDC; the puller values them at the chain's agreed USDC price.
        let agreement = PriceConsensus(maxAgeSeconds: .infinity, maxDeviationBps: Self.maxDeviationBps)
        for c in 0..<market.chainCount {
            let chain = names[c]
            let down = state.rpcDown.contains(c)
            var usdc: Double?
            for t in 0..<market.tokenCount {
                if t == 1 {
                    var ignored: [PriceIssue] = []
                    usdc = agreement.reduce(prices.filter { $0.chain == chain && $0.token == market.symbol(0) }, takenAt: date, issues: &ignored)?.spotPrice
                }
                let symbol = market.symbol(t), decimals = market.decimals(t)
                if down { failures.append("\(chain)/\(symbol) balance: the node answers 503") } else {
                    balances.append(Balance(chain: chain, token: symbol, amount: Amount(units: state.balances[c][t], scale: decimals)))
                }
                guard state.launched[c] else { continue }
                for kind in market.priceKinds(t) {
                    switch kind {
                    case .chainlink:
                        if down { failures.append("\(chain)/\(symbol) chainlink: the node answers 503"); continue }
                        let frozen = state.frozenFeeds[Place(chain: c, token: t)]
                        let observed = frozen.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) } ?? dated(30)
                        guard date.timeIntervalSince(observed) <= heartbeat else {
                            failures.append("\(chain)/\(symbol) chainlink: stale, the feed stopped updating")
                            continue
                        }
                        let answer = (state.feedPrices[c][t] * 1e8).rounded() / 1e8
                        prices.append(PriceQuote(chain: chain, token: symbol, priceUSD: answer, observedAt: observed, source: kind.rawValue))
                    case .defillama, .coingecko:
                        prices.append(PriceQuote(chain: chain, token: symbol, priceUSD: state.prices[c][t], observedAt: dated(10),
                                                 source: kind.rawValue))
                    case .uniswapV2:
                        if down { failures.append("\(chain)/\(symbol) uniswap-v2: the node answers 503"); continue }
                        guard let usdc else { failures.append("\(chain)/\(symbol) uniswap-v2: no agreed USDC price to value the pool"); continue }
                        let r = state.reserveUnits(t, chain: c, decimals: decimals)
                        guard let usdReserve = Amount(flooring: Double(r.usdc) / 1e6 * usdc, decimals: 6) else { continue }
                        let pool = Pool(tokenReserve: Amount(units: r.token, scale: decimals), usdReserve: usdReserve, feeBps: 30)
                        prices.append(PriceQuote(chain: chain, token: symbol, priceUSD: pool.spotPrice, observedAt: dated(2),
                                                 source: kind.rawValue, pool: pool))
                    case .uniswapV3:
                        if down { failures.append("\(chain)/\(symbol) uniswap-v3: the node answers 503"); continue }
                        guard let usdc else { failures.append("\(chain)/\(symbol) uniswap-v3: no agreed USDC price to value the pool"); continue }
                        prices.append(PriceQuote(chain: chain, token: symbol, priceUSD: state.prices[c][t] * usdc, observedAt: dated(2),
                                                 source: kind.rawValue, swapFeeBps: 5))
                    }
                }
            }
        }
        for route in market.routes where state.launched[route.from] && state.launched[route.to] {
            let (from, to, t) = (route.from, route.to, route.token)
            let symbol = market.symbol(t), decimals = market.decimals(t)
            let label = "\(names[from])→\(names[to]) \(symbol) \(route.bridge)"
            if route.bridge == "lifi" {
                routes.append(Route(from: names[from], to: names[to], token: symbol, bridge: "lifi", feeBps: SimulatedMarket.lifiFeeBps,
                                    gasUSD: 1.25, etaSeconds: 120, observedAt: date))
                continue
            }
            if state.haltedBridges.contains(from) { failures.append("\(label): deposits are paused"); continue }
            if state.haltedBridges.contains(to) { failures.append("\(label): limits.maxDeposit is 0"); continue }
            let size = market.transferSize(t)
            routes.append(Route(from: names[from], to: names[to], token: symbol, bridge: "across", feeBps: SimulatedMarket.acrossFeeBps,
                                feeFixed: Amount(units: state.acrossGasUnits(t, chain: from, decimals: decimals), scale: decimals),
                                gasUSD: 0.8, etaSeconds: market.fillSeconds,
                                maxAmount: Amount(units: size.units * 1000, scale: size.scale), observedAt: dated(5)))
        }
        // As the puller does: a token's balances are left out on every chain when one chain's
        // cannot be read, since a partial total would mislead the rebalancer.
        if !state.rpcDown.isEmpty {
            balances = []
            failures += (0..<market.tokenCount).map { "\(market.symbol($0)) balances: left out on every chain while a chain's cannot be read" }
        }
        snapshot = Snapshot(takenAt: date, tokens: (0..<market.tokenCount).map { Token(symbol: market.symbol($0), decimals: market.decimals($0)) },
                            chains: (0..<market.chainCount).map { Chain(name: names[$0], chainID: market.chainID($0)) },
                            prices: prices, routes: routes, balances: balances)
        self.failures = failures
    }
}
