import Foundation

/// Finds every qualifying arbitrage in a snapshot: for every route of every strategy
/// token (so every ordered chain pair a bridge connects), net of swap fees, pool depth,
/// bridge fees and gas, at the profit-maximising size.
///
/// A pure function of (snapshot, strategy): no I/O, no clock.
public struct ArbitrageDetector: Sendable {
    public let rules: ArbitrageRules
    public let tokens: [String]
    public let consensus: PriceConsensus

    /// Nil when the strategy has no arbitrage section.
    public init?(strategy: Strategy) {
        guard let rules = strategy.arbitrage else { return nil }
        self.rules = rules
        tokens = strategy.tokens
        consensus = PriceConsensus(maxAgeSeconds: rules.maxPriceAgeSeconds, maxDeviationBps: strategy.maxSourceDeviationBps)
    }

    /// Scans every route; with `explain > 0`, also returns that many of the best rejected routes.
    public func scan(_ snapshot: Snapshot, explain: Int = 0) -> ScanReport {
        let market = MarketIndex(snapshot: snapshot, tokens: tokens, consensus: consensus)
        let minROI = rules.minROIBps / 10_000
        var kept: [Int: Candidate] = [:]  // by (token, buy chain, sell chain)
        var rejected: [RejectedCandidate] = []
        var considered = 0
        // Sized for the few routes that qualify, not for all of them.
        kept.reserveCapacity(64)

        // Borrow the routes in place: copying each one (four strings) costs more than the economics.
        snapshot.routes.withUnsafeBufferPointer { routes in
        for index in routes.indices {
            guard let compiled = market.compile(routes.baseAddress! + index, at: index) else { continue }
            considered += 1
            guard compiled.ageSeconds <= rules.maxPriceAgeSeconds else {
                if explain > 0 { rejected.append(rejection(snapshot, compiled, .staleRoute(ageSeconds: compiled.ageSeconds))) }
                continue
            }
            guard let buy = market.buySide(compiled.buy) else {
                if explain > 0 { rejected.append(rejection(snapshot, compiled, .noPrice(chain: snapshot.routes[Int(compiled.routeIndex)].from))) }
                continue
            }
            guard let sell = market.sellSide(compiled.sell) else {
                if explain > 0 { rejected.append(rejection(snapshot, compiled, .noPrice(chain: snapshot.routes[Int(compiled.routeIndex)].to))) }
                continue
            }
            let bridge = compiled.bridge
            let qMax = min(rules.maxTradeUSD / buy.spot, compiled.maxAmount)
            guard let q = OptimalSize.solve(buy: buy, bridge: bridge, sell: sell, qMax: qMax) else {
                if explain > 0 {
                    rejected.append(rejection(snapshot, compiled, bridge.fixed / bridge.a >= qMax ? .fixedFeeExceedsTrade : .unprofitable))
                }
                continue
            }
            let cost = buy.cost(q)
            let profit = sell.proceeds(bridge.received(q)) - cost - bridge.gas
            guard profit >= rules.minProfitUSD, profit >= minROI * cost else {
                if explain > 0 {
                    let reason: RejectedCandidate.Reason = profit <= 0 ? .unprofitable : profit < rules.minProfitUSD ? .belowMinProfit : .belowMinROI
                    rejected.append(rejection(snapshot, compiled, reason, profit: profit,
                                              amount: Amount(flooring: q, decimals: market.decimals(ofToken: compiled.token))))
                }
                continue
            }
            // Few routes get here: price them exactly at the amount that would be sent.
            let route = snapshot.routes[Int(compiled.routeIndex)]
            guard let buyPrice = market.price(compiled.buy),
                  let opportunity = settle(route, q: q, qMax: qMax, buyPrice: buyPrice, buy: buy, sell: sell, bridge: bridge,
                                           decimals: market.decimals(ofToken: compiled.token), minROI: minROI) else { continue }
            let candidate = Candidate(opportunity: opportunity, routeIndex: Int(compiled.routeIndex))
            if let incumbent = kept[compiled.pairKey] {
                let (winner, loser) = candidate.beats(incumbent) ? (candidate, incumbent) : (incumbent, candidate)
                kept[compiled.pairKey] = winner
                if explain > 0 {
                    rejected.append(RejectedCandidate(
                        token: loser.opportunity.token, buyChain: loser.opportunity.buyChain, sellChain: loser.opportunity.sellChain,
                        bridge: loser.opportunity.bridge, reason: .outranked(by: winner.opportunity.bridge),
                        bestProfitUSD: loser.opportunity.profitUSD, amount: loser.opportunity.amount))
                }
            } else {
                kept[compiled.pairKey] = candidate
            }
        }
        }

        // Sort small keys, then gather: moving whole opportunities around costs more than ranking them.
        let candidates = Array(kept.values)
        let order = candidates.indices.sorted { Self.ranking(candidates[$0].opportunity, candidates[$1].opportunity) }
        let opportunities = order.map { candidates[$0].opportunity }
        return ScanReport(takenAt: snapshot.takenAt, opportunities: opportunities, priceIssues: market.issues,
                          rejected: explain > 0 ? Array(rejected.sorted(by: Self.rejectionRanking).prefix(explain)) : [],
                          routesConsidered: considered)
    }

    /// Prices a trade at the exact amount that would be sent: `q` rounded down to the
    /// token's decimals or, where a cap binds, the cap computed in exact decimals (so a
    /// binary rounding of `max_trade_usd / P` can never push the trade past it). Then
    /// checks that it still qualifies.
    private func settle(_ route: Route, q: Double, qMax: Double, buyPrice: MarketPrice, buy: TradeSide, sell: TradeSide,
                        bridge: BridgeTerms, decimals: Int, minROI: Double) -> Opportunity? {
        var amount: Amount?
        if q >= qMax {
            let tradeCap = buyPrice.quantity(forUSD: rules.maxTradeUSD, decimals: decimals)
            amount = [tradeCap, route.maxAmount?.roundedDown(toDecimals: decimals)].compactMap { $0 }.min()
        }
        guard let amount = amount ?? Amount(flooring: q, decimals: decimals), amount.isPositive,
              let received = route.received(sending: amount, decimals: decimals), received.isPositive
        else { return nil }
        let size = amount.doubleValue, arriving = received.doubleValue
        let cost = buy.cost(size)
        let proceeds = sell.proceeds(arriving)
        let profit = proceeds - cost - bridge.gas
        guard profit >= rules.minProfitUSD, profit >= minROI * cost else { return nil }
        let fees = (cost - buy.feeFreeCost(size)) + (sell.feeFreeProceeds(arriving) - proceeds)
            + (size - arriving) * sell.spot + bridge.gas
        return Opportunity(token: route.token, buyChain: route.from, sellChain: route.to, bridge: route.bridge,
                           amount: amount, received: received, costUSD: cost, proceedsUSD: proceeds, feesUSD: fees,
                           profitUSD: profit, roiBps: profit / cost * 10_000, etaSeconds: route.etaSeconds)
    }

    private func rejection(_ snapshot: Snapshot, _ compiled: MarketIndex.CompiledRoute, _ reason: RejectedCandidate.Reason,
                           profit: Double? = nil, amount: Amount? = nil) -> RejectedCandidate {
        let route = snapshot.routes[Int(compiled.routeIndex)]
        return RejectedCandidate(token: route.token, buyChain: route.from, sellChain: route.to, bridge: route.bridge,
                                 reason: reason, bestProfitUSD: profit, amount: amount)
    }

    private struct Candidate {
        var opportunity: Opportunity
        var routeIndex: Int

        /// Higher profit wins; on a tie the faster bridge, then the name, so results never depend on input order.
        func beats(_ other: Candidate) -> Bool {
            let a = opportunity, b = other.opportunity
            if a.profitUSD != b.profitUSD { return a.profitUSD > b.profitUSD }
            if a.etaSeconds != b.etaSeconds { return a.etaSeconds < b.etaSeconds }
            return a.bridge < b.bridge
        }
    }

    static func ranking(_ a: Opportunity, _ b: Opportunity) -> Bool {
        if a.profitUSD != b.profitUSD { return a.profitUSD > b.profitUSD }
        return (a.token, a.buyChain, a.sellChain) < (b.token, b.buyChain, b.sellChain)
    }

    static func rejectionRanking(_ a: RejectedCandidate, _ b: RejectedCandidate) -> Bool {
        let pa = a.bestProfitUSD ?? -.infinity, pb = b.bestProfitUSD ?? -.infinity
        if pa != pb { return pa > pb }
        return (a.token, a.buyChain, a.sellChain, a.bridge) < (b.token, b.buyChain, b.sellChain, b.bridge)
    }
}
