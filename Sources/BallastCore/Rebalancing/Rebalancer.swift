import Foundation

/// Plans, per token, the cheapest set of transfers that brings a treasury's inventory back
/// to its target distribution: over every bridge route, through intermediate chains where
/// that is cheaper or the only way.
///
/// A pure function of (snapshot, strategy). The rules (DESIGN.md, "Rebalancing"): the
/// virtual balance is amount plus in-flight; a chain is short when below its target by
/// more than the band; short chains are brought up to target; a chain above target may
/// send its surplus, but no more than it holds on-chain; every other chain only relays.
public struct Rebalancer: Sendable {
    public let rules: RebalanceRules
    public let tokens: [String]
    public let consensus: PriceConsensus

    /// Nil when the strategy has no rebalance section.
    public init?(strategy: Strategy) {
        guard let rules = strategy.rebalance else { return nil }
        self.rules = rules
        tokens = strategy.tokens.filter { rules.targets[$0] != nil }
        consensus = PriceConsensus(maxAgeSeconds: rules.maxPriceAgeSeconds, maxDeviationBps: strategy.maxSourceDeviationBps)
    }

    public func plan(_ snapshot: Snapshot) -> PlanReport {
        let planned = tokens.compactMap { snapshot.token($0) }
        let market = consensus.reduce(snapshot, tokens: planned)
        let plans = planned.indices.map { t in
            plan(planned[t], in: snapshot, prices: snapshot.chains.indices.map { market[token: t, chain: $0]?.spotPrice })
        }
        return PlanReport(takenAt: snapshot.takenAt, plans: plans, priceIssues: market.issues)
    }

    /// `prices` holds the token's trusted spot price per chain, in snapshot order.
    private func plan(_ token: Token, in snapshot: Snapshot, prices: [Double?]) -> TransferPlan {
        let d = token.decimals
        let chains = snapshot.chains.map(\.name)
        let index = Dictionary(chains.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var onChain = [Amount](repeating: .zero, count: chains.count)
        var virtual = [Amount](repeating: .zero, count: chains.count)
        for balance in snapshot.balances where balance.token == token.symbol {
            guard let i = index[balance.chain] else { continue }
            onChain[i] = balance.amount
            virtual[i] = balance.amount + balance.inFlight
        }
        let total = virtual.reduce(.zero, +)
        let weights = rules.targets[token.symbol] ?? [:]
        let targets = chains.map { Self.share(total, weights[$0] ?? 0, decimals: d) }
        let band = Self.share(total, rules.threshold, decimals: d)

        var supply = [Int128](repeating: 0, count: chains.count)
        var demand = [Int128](repeating: 0, count: chains.count)
        for i in chains.indices {
            if virtual[i] < targets[i] - band {
                demand[i] = (targets[i] - virtual[i]).units(atDecimals: d)
            } else if targets[i] < virtual[i] {
                supply[i] = Amount.min(virtual[i] - targets[i], onChain[i]).units(atDecimals: d)
            }
        }
        let positions = { (after: [Amount]) in
            chains.indices.map { ChainPosition(chain: chains[$0], balance: virtual[$0], target: targets[$0], band: band, after: after[$0]) }
        }
        guard demand.contains(where: { $0 > 0 }) else {
            return TransferPlan(token: token.symbol, status: .withinBand, transfers: [], totalFeeUSD: 0, unmet: [:],
                                unmetReasons: [:], positions: positions(virtual))
        }

        var lanes: [RebalanceNetwork.Lane] = []
        var excluded = [[String]](repeating: [], count: chains.count)  // why routes into each chain were left out
        for (r, route) in snapshot.routes.enumerated() where route.token == token.symbol {
            guard let from = index[route.from], let to = index[route.to] else { continue }
            switch lane(route, index: r, from: from, to: to, price: prices[from], takenAt: snapshot.takenAt, decimals: d) {
            case .success(let lane): lanes.append(lane)
            case .failure(let why): excluded[to].append(why.description)
            }
        }
        let network = RebalanceNetwork(chainCount: chains.count, supply: supply, demand: demand, lanes: lanes)
        let best = FixedCostPlanner(network: network).plan()

        var transfers: [Transfer] = []
        var after = virtual
        var totalFee = 0.0
        for (k, lane) in lanes.enumerated() where best.flow.units[k] > 0 {
            let route = snapshot.routes[lane.routeIndex]
            let amount = Amount(units: best.flow.units[k], scale: d)
            let fee = lane.unitCost * best.flow.units[k].approximateDouble + lane.fixedCost
            transfers.append(Transfer(from: route.from, to: route.to, token: token.symbol, bridge: route.bridge, amount: amount,
                                      expectedReceived: route.received(sending: amount, decimals: d) ?? .zero,
                                      feeUSD: fee, etaSeconds: route.etaSeconds))
            after[lane.from] = after[lane.from] - amount
            after[lane.to] = after[lane.to] + amount
            totalFee += fee
        }
        var unmet: [String: Amount] = [:]
        var reasons: [String: String] = [:]
        for i in chains.indices where demand[i] > best.flow.delivered[i] {
            let shortfall = demand[i] - best.flow.delivered[i]
            unmet[chains[i]] = Amount(units: shortfall, scale: d)
            reasons[chains[i]] = Self.unmetReason(shortfall: shortfall, into: lanes.filter { $0.to == i }, excluded: excluded[i])
        }
        return TransferPlan(token: token.symbol, status: unmet.isEmpty ? .rebalance : .partial,
                            transfers: Self.executionOrder(transfers), totalFeeUSD: totalFee, unmet: unmet,
                            unmetReasons: reasons, positions: positions(after))
    }

    /// Why a route was not offered to the planner.
    enum Exclusion: Error, CustomStringConvertible {
        case staleQuote, noPrice, feeAboveCap, minimumAboveCapacity

        var description: String {
            switch self {
            case .staleQuote: "quote older than max_price_age_seconds"
            case .noPrice: "no trusted price on the sending chain"
            case .feeAboveCap: "fee above max_fee_bps"
            case .minimumAboveCapacity: "smallest allowed transfer exceeds the route's max_amount"
            }
        }
    }

    /// A route as a lane, or why it cannot carry any allowed transfer.
    private func lane(_ route: Route, index: Int, from: Int, to: Int, price: Double?, takenAt: Date,
                      decimals: Int) -> Result<RebalanceNetwork.Lane, Exclusion> {
        guard takenAt.timeIntervalSince(route.observedAt) <= rules.maxPriceAgeSeconds else { return .failure(.staleQuote) }
        guard let price else { return .failure(.noPrice) }
        let rate = route.feeBps / 10_000, ceiling = rules.maxFeeBps / 10_000
        let fixed = route.feeFixed.doubleValue * price + route.gasUSD
        guard rate <= ceiling, fixed == 0 || rate < ceiling else { return .failure(.feeAboveCap) }
        // All-in fee ≤ ceiling ⇔ x·P·rate + fixed ≤ x·P·ceiling ⇔ x·P ≥ fixed / (ceiling − rate).
        let minimumUSD = max(rules.minTransferUSD, fixed == 0 ? 0 : fixed / (ceiling - rate))
        let scale = Double(Amount.powerOfTen(decimals))
        let minUnits = Int128((minimumUSD / price * scale).rounded(.up))
        let capacity = route.maxAmount?.units(atDecimals: decimals) ?? MinCostFlow.unlimited
        guard minUnits <= capacity else { return .failure(.minimumAboveCapacity) }
        return .success(RebalanceNetwork.Lane(routeIndex: index, from: from, to: to, unitCost: price * rate / scale,
                                              unitValue: price / scale, fixedCost: fixed, minUnits: max(minUnits, 1),
                                              capacity: capacity))
    }

    /// The main reason a short chain's shortfall could not be met, for the operator.
    static func unmetReason(shortfall: Int128, into lanes: [RebalanceNetwork.Lane], excluded: [String]) -> String {
        if lanes.isEmpty {
            guard !excluded.isEmpty else { return "no bridge route reaches it" }
            let counts = Dictionary(excluded.map { ($0, 1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }
            return "no usable route reaches it (" + counts.map { "\($0.value) \($0.key)" }.joined(separator: "; ") + ")"
        }
        if let smallest = lanes.map(\.minUnits).min(), shortfall < smallest {
            return "the shortfall is below the smallest allowed transfer (min_transfer_usd, max_fee_bps)"
        }
        return "not enough surplus can reach it"
    }

    /// `total · fraction`, exactly, rounded down to the token's decimals.
    private static func share(_ total: Amount, _ fraction: Double, decimals: Int) -> Amount {
        guard let exact = Amount(decimalOf: fraction) else { return .zero }
        return Amount.product(total, exact, decimals: decimals, rounding: .down) ?? .zero
    }

    /// Orders transfers so every chain sends only after what it relays has been sent to it
    /// (the flow has no cycles); ties go by route so the order is stable.
    static func executionOrder(_ transfers: [Transfer]) -> [Transfer] {
        var remaining = transfers.sorted { ($0.from, $0.to, $0.bridge) < ($1.from, $1.to, $1.bridge) }
        var ordered: [Transfer] = []
        while !remaining.isEmpty {
            let receivers = Set(remaining.map(\.to))
            let ready = remaining.filter { !receivers.contains($0.from) }
            // A cycle cannot occur (every lane costs something); if one did, keep the rest in route order.
            let batch = ready.isEmpty ? remaining : ready
            ordered += batch
            remaining.removeAll { transfer in batch.contains(transfer) }
        }
        return ordered
    }
}

extension Amount {
    /// The amount in integer units of `decimals` decimals, rounded down.
    func units(atDecimals decimals: Int) -> Int128 {
        let rounded = roundedDown(toDecimals: decimals)
        return rounded.units * Amount.powerOfTen(decimals - rounded.scale)
    }
}
