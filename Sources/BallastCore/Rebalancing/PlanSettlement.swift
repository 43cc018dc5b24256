import Foundation

/// Turns the solver's flows into transfers in exact token units, orders them so they execute
/// from spendable balances, and checks every rule of the lossy model on the exact figures.
/// A plan that breaks one is refused, never returned.
enum PlanSettlement {
    /// A relay may be asked to forward a few units more than reached it: the solver works in
    /// binary fractions, arrivals are rounded down to units. Such a transfer is trimmed to what
    /// the chain holds when the difference is at most this many units, or `trimFraction` of
    /// what arrived, per transfer into it.
    static let trimUnits = 16
    static let trimFraction = 1e-9

    enum Failure: Error, CustomStringConvertible {
        case tooLarge
        case cannotOrder(String)
        case belowMinimum(String)
        case shortBelowTarget(String)
        case pushedBelow(String)

        var description: String {
            switch self {
            case .tooLarge: "figures too large to settle exactly"
            case .cannotOrder(let chain): "no order lets \(chain) send from what it holds"
            case .belowMinimum(let route): "transfer over \(route) below its minimum"
            case .shortBelowTarget(let chain): "\(chain) would end below its target"
            case .pushedBelow(let chain): "\(chain) would end below the lesser of its balance and its target"
            }
        }
    }

    static func settle(_ solved: PlanFormulation.Solved, book: TokenBook, lanes: RebalanceLane.Catalogue,
                       snapshot: Snapshot) -> Result<TransferPlan, Failure> {
        let d = book.token.decimals
        // The program holds givers to `dust`, and short chains' margins are paid from it; rounding
        // to token units may take a few units more.
        guard let dust = Amount(ceiling: 2 * solved.dust, decimals: d) else { return .failure(.tooLarge) }
        var legs: [(lane: RebalanceLane, transfer: Transfer)] = []
        for (l, lane) in lanes.usable.enumerated() where solved.flow[l] > 0 {
            let route = snapshot.routes[lane.routeIndex]
            guard var amount = Amount(flooring: solved.flow[l], decimals: d) else { return .failure(.tooLarge) }
            if let cap = route.maxAmount { amount = Amount.min(amount, cap) }
            guard amount.isPositive else { continue }
            guard let received = route.received(sending: amount, decimals: d) else { return .failure(.tooLarge) }
            legs.append((lane, Transfer(from: route.from, to: route.to, token: book.token.symbol, bridge: route.bridge,
                                        amount: amount, expectedReceived: received, feeUSD: lane.feeUSD(sending: amount),
                                        amountUSD: amount.doubleValue * lane.price, etaSeconds: route.etaSeconds)))
        }
        let ordered: [(lane: RebalanceLane, transfer: Transfer)]
        let trimmable = trimAllowance(legs, decimals: d)
        switch executionOrder(legs, spendable: book.spendable, trimmable: trimmable,
                                    routes: snapshot.routes, decimals: d) {
        case .success(let legs): ordered = legs
        case .failure(let failure): return .failure(.cannotOrder(book.chains[failure.chain]))
        }
        // After any trim: every transfer at least its minimum, and delivering something.
        for (lane, transfer) in ordered where transfer.amount < lane.minimumAmount || !transfer.expectedReceived.isPositive {
            return .failure(.belowMinimum(snapshot.routes[lane.routeIndex].label))
        }

        var after = book.balance
        for (lane, transfer) in ordered {
            after[lane.from] = after[lane.from] - transfer.amount
            after[lane.to] = after[lane.to] + transfer.expectedReceived
        }
        let held = after.reduce(.zero, +)
        var positions: [ChainPosition] = []
        var unmet: [String: Amount] = [:], reasons: [String: String] = [:]
        for i in book.chains.indices {
            guard let target = TokenBook.share(held, book.weights[i], decimals: d) else { return .failure(.tooLarge) }
            let chain = book.chains[i]
            // A short chain is met within the dust too: when the givers hand over all they hold,
            // nothing is left to pay the short chains' safety margins.
            if book.isShort[i], after[i] < target - dust {
                // Shortfall the program left unmet is reported; any other is a settlement failure.
                guard solved.unmet[i] > solved.dust else { return .failure(.shortBelowTarget(chain)) }
                unmet[chain] = target - after[i]
                reasons[chain] = unmetReason(shortfall: (target - after[i]).doubleValue, into: i, lanes: lanes, book: book)
            }
            // Givers pay the short chains' margins, a dust-sized amount below their exact share;
            // a chain that relays may lose what rounding arrivals down to token units costs.
            let floor = Amount.min(book.balance[i], target)
            let tolerance = book.isShort[i] ? .zero : book.balance[i] < book.target[i] ? trimmable[i] ?? .zero : dust
            guard !(after[i] < floor - tolerance) else {
                return .failure(.pushedBelow(chain))
            }
            positions.append(ChainPosition(chain: chain, balance: book.balance[i], target: target, band: book.band[i],
                                           after: after[i], isShort: book.isShort[i]))
        }

        let transfers = ordered.map(\.transfer)
        let totalFee = transfers.reduce(0) { $0 + $1.feeUSD }
        let lowerBound = min(totalFee, max(0, solved.bound))
        let gap = totalFee > 0 ? (totalFee - lowerBound) / totalFee : 0
        // Below a billionth the difference is the solver's arithmetic, not a worse plan.
        let optimality = PlanOptimality(lowerBoundUSD: lowerBound, gap: gap < 1e-9 ? 0 : gap,
                                        nodes: solved.nodes, stoppedByTimeCap: solved.stoppedByTimeCap)
        return .success(TransferPlan(token: book.token.symbol, status: unmet.isEmpty ? .rebalance : .partial,
                                     transfers: transfers, totalFeeUSD: totalFee, unmet: unmet, unmetReasons: reasons,
                                     positions: positions, optimality: optimality, error: nil))
    }

    /// Per chain, how much a transfer out of it may be trimmed: per transfer into it, `trimUnits`
    /// or `trimFraction` of that transfer, whichever is more.
    static func trimAllowance(_ legs: [(lane: RebalanceLane, transfer: Transfer)], decimals: Int) -> [Int: Amount] {
        var allowance: [Int: Amount] = [:]
        let units = Amount(units: Int128(trimUnits), scale: decimals)
        for leg in legs {
            let share = Amount(flooring: leg.transfer.amount.doubleValue * trimFraction, decimals: decimals) ?? .zero
            allowance[leg.lane.to, default: .zero] = allowance[leg.lane.to, default: .zero] + Amount.max(units, share)
        }
        return allowance
    }

    /// The order the transfers run in: a chain sends once everything bound for it has
    /// arrived, and never more than it then holds on-chain (a transfer a few units short of
    /// that is trimmed, within `trimmable`). Ties go by route, so the order is stable. Fails
    /// with the index of a chain that cannot send what the plan asks.
    static func executionOrder(_ legs: [(lane: RebalanceLane, transfer: Transfer)], spendable: [Amount],
                               trimmable: [Int: Amount], routes: [Route], decimals: Int) -> Result<[(lane: RebalanceLane, transfer: Transfer)], OrderFailure> {
        var pending = legs.sorted { ($0.transfer.from, $0.transfer.to, $0.transfer.bridge) < ($1.transfer.from, $1.transfer.to, $1.transfer.bridge) }
        var holding = spendable
        var ordered: [(lane: RebalanceLane, transfer: Transfer)] = []
        while !pending.isEmpty {
            let awaited = Set(pending.map(\.lane.to))
            let affordable = { (leg: (lane: RebalanceLane, transfer: Transfer)) in
                !(holding[leg.lane.from] + (trimmable[leg.lane.from] ?? .zero) < leg.transfer.amount)
            }
            // Prefer a chain nothing more is coming to; in a cycle, any chain that can already pay.
            guard let next = pending.firstIndex(where: { !awaited.contains($0.lane.from) && affordable($0) })
                ?? pending.firstIndex(where: affordable) else {
                return .failure(OrderFailure(chain: pending[0].lane.from))
            }
            var leg = pending.remove(at: next)
            if holding[leg.lane.from] < leg.transfer.amount {
                let amount = holding[leg.lane.from]
                guard let received = routes[leg.lane.routeIndex].received(sending: amount, decimals: decimals) else {
                    return .failure(OrderFailure(chain: leg.lane.from))
                }
                leg.transfer.amount = amount
                leg.transfer.expectedReceived = received
                leg.transfer.feeUSD = leg.lane.feeUSD(sending: amount)
            }
            holding[leg.lane.from] = holding[leg.lane.from] - leg.transfer.amount
            holding[leg.lane.to] = holding[leg.lane.to] + leg.transfer.expectedReceived
            ordered.append(leg)
        }
        return .success(ordered)
    }

    struct OrderFailure: Error {
        var chain: Int
    }

    /// The main reason a short chain's shortfall could not be met, for the operator.
    static func unmetReason(shortfall: Double, into chain: Int, lanes: RebalanceLane.Catalogue, book: TokenBook) -> String {
        let into = lanes.usable.filter { $0.to == chain }
        let excluded = lanes.excluded[chain]
        if into.isEmpty {
            guard !excluded.isEmpty else { return "no bridge route reaches it" }
            let counts = Dictionary(excluded.map { ($0, 1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }
            return "no usable route reaches it (" + counts.map { "\($0.value) \($0.key)" }.joined(separator: "; ") + ")"
        }
        if let smallest = into.map(\.minimum).min(), shortfall < smallest {
            return "the shortfall is below the smallest allowed transfer (min_transfer_usd, max_fee_bps)"
        }
        // Surplus still in flight counts in its chain's balance but cannot be sent yet: what is in
        // flight to a chain above its target, up to what it holds above that target.
        let arriving = book.chains.indices.filter { $0 != chain && book.target[$0] < book.balance[$0] }.reduce(Amount.zero) {
            $0 + Amount.min(book.balance[$1] - book.spendable[$1], book.balance[$1] - book.target[$1])
        }
        guard arriving.isPositive else { return "not enough surplus can reach it" }
        return "not enough surplus can reach it until what is in flight elsewhere lands (\(Figures.tokens(arriving)) \(book.token.symbol))"
    }
}
