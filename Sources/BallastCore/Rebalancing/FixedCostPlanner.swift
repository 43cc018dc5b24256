/// Plans a rebalance when lanes carry fixed costs as well as proportional ones.
///
/// The linear part alone is a min-cost flow and is solved exactly. Fixed costs (a bridge's
/// fixed fee and gas) make the problem a fixed-charge network flow, which is NP-hard, so
/// the planner searches from the exact linear plan:
///
/// 1. **Linear plan**: min-cost max-flow with proportional costs only; lanes whose
///    transfer falls below its minimum are forbidden and the flow re-solved.
/// 2. **Slope scaling** (Kim & Pardalos' dynamic slope scaling): re-solve with each lane's
///    unit cost raised by its fixed cost spread over the flow it carried in the last two
///    rounds (or could carry, if unused), until a flow recurs or 8 rounds pass. It runs from
///    two starts, the linear plan and no flow at all, which lead to different basins.
/// 3. **Local search**: from the best plan so far, forbid one used lane (dearest fixed cost
///    first) and re-plan around it with slope scaling; failing that, treat one unused
///    lane's fixed cost as paid and re-plan (which reaches swaps); failing that, forbid
///    two used lanes at once. Keep any change that lowers the true cost; repeat until
///    nothing helps or the solve budget is spent.
///
/// Every candidate is polished (the amounts on the lanes it uses re-solved at their real
/// proportional costs) and judged by its true cost (proportional plus fixed on every lane
/// used), and only candidates that deliver as much as the best plan are kept. So the plan
/// is never worse than the linear plan and always delivers the most any allowed plan
/// could; on small networks it is within 2% of the exact optimum (tested against an
/// exhaustive search over which lanes are used).
struct FixedCostPlanner {
    let network: RebalanceNetwork
    /// How many flow solves the search may spend; scaled so large networks stay fast.
    var solveBudget: Int
    var slopeRounds = 8
    var randomStarts = 6

    /// Everything the short chains need, in units.
    private let totalDemand: Int128

    init(network: RebalanceNetwork) {
        self.network = network
        totalDemand = network.demand.reduce(0, +)
        // Scaled to the network: hundreds of solves on a small one, eight on 20,000 lanes.
        solveBudget = max(8, min(3000, 1_200_000 / max(1, network.lanes.count * 8)))
    }

    /// A tiny cost per USD moved on every lane: makes every cycle strictly dear (so no plan
    /// moves tokens in a circle) and, between equal plans, prefers fewer hops.
    static let hopTieBreak = 1e-12

    struct Candidate {
        var flow: RebalanceNetwork.Flow
        var allowed: [Bool]
        var cost: Double
    }

    func plan() -> Candidate {
        let all = [Bool](repeating: true, count: network.lanes.count)
        var budget = solveBudget
        let linear = candidate(network.solveRespectingMinimums(allowed: all, unitCost: linearCost), &budget)
        guard network.lanes.contains(where: { $0.fixedCost > 0 }), linear.flow.totalDelivered > 0 else { return linear }

        // Several starts, each climbed to a local optimum: the linear plan, no flow at all, and
        // seeded random charges (deterministic, so the same snapshot always gives the same plan).
        var best = localSearch(from: bestOfBothStarts(allowed: all, linear: linear, &budget), &budget)
        var generator = SplitMix64(seed: UInt64(network.lanes.count) &* 0x9E37_79B9_7F4A_7C15)
        for _ in 0..<randomStarts where budget > 0 {
            // Any charge in [0, total demand] will do; demand in units can exceed 64 bits, so stay in 128.
            let start = network.lanes.indices.map { _ in Int128(Int64(bitPattern: generator.next() >> 1)) % max(1, totalDemand) }
            let next = localSearch(from: slopeScaling(allowed: all, from: start, &budget), &budget)
            if Self.better(next, than: best) { best = next }
        }
        return best
    }

    /// Climbs from `start`: close a used lane, open an unused one, or close two, while that
    /// lowers the true cost.
    private func localSearch(from start: Candidate, _ budget: inout Int) -> Candidate {
        var best = start
        while budget > 0,
              let next = dropLanes(1, from: best, &budget) ?? openOneLane(from: best, &budget) ?? dropLanes(2, from: best, &budget) {
            best = next
        }
        return best
    }

    /// Forbids `count` used lanes at once (one: dearest fixed cost first; two: every pair) and
    /// re-plans around them; the first cheaper plan found, or nil.
    private func dropLanes(_ count: Int, from best: Candidate, _ budget: inout Int) -> Candidate? {
        let used = network.lanes.indices.filter { best.flow.units[$0] > 0 }
            .sorted { network.lanes[$0].fixedCost > network.lanes[$1].fixedCost }
        let groups: [[Int]] = count == 1 ? used.map { [$0] }
            : used.indices.flatMap { i in used[(i + 1)...].map { [used[i], $0] } }
        for group in groups where budget > 0 {
            var allowed = best.allowed
            for k in group { allowed[k] = false }
            let start = candidate(network.solveRespectingMinimums(allowed: allowed, unitCost: linearCost), &budget)
            var next = bestOfBothStarts(allowed: start.allowed, linear: start, &budget)
            // A drop often only pays once a lane elsewhere is swapped in: climb with opens
            // from the re-planned state before judging it against the best.
            while budget > 0, let opened = openOneLane(from: next, &budget) { next = opened }
            if Self.better(next, than: best) { return next }
        }
        return nil
    }

    /// Treats one unused lane's fixed cost as already paid (cheapest first), prices the rest as
    /// the current plan uses them, and re-plans; the first cheaper plan found, or nil. This
    /// reaches plans that differ from the current one by a swap, which dropping alone cannot.
    private func openOneLane(from best: Candidate, _ budget: inout Int) -> Candidate? {
        let lanes = network.lanes
        let unused = lanes.indices.filter { best.allowed[$0] && best.flow.units[$0] == 0 && lanes[$0].fixedCost > 0 }
            .sorted { lanes[$0].fixedCost < lanes[$1].fixedCost }
        for opened in unused where budget > 0 {
            let unitCost = { (k: Int) -> Double in
                k == opened ? linearCost(k) : scaledCost(k, carrying: best.flow.units[k])
            }
            let next = candidate(network.solveRespectingMinimums(allowed: best.allowed, unitCost: unitCost), &budget)
            if Self.better(next, than: best) { return next }
        }
        return nil
    }

    /// Slope scaling from the linear plan and from nothing (every lane charged its fixed cost
    /// over the whole demand): the two starts fall into different basins, and either can hold
    /// the better plan. Returns the best of the linear plan and both runs.
    private func bestOfBothStarts(allowed: [Bool], linear: Candidate, _ budget: inout Int) -> Candidate {
        var best = linear
        for start in [linear.flow.units, [Int128](repeating: 0, count: network.lanes.count)] where budget > 0 {
            let next = slopeScaling(allowed: allowed, from: start, &budget)
            if Self.better(next, than: best) { best = next }
        }
        return best
    }

    /// A lane's unit cost with its fixed cost spread over `carried` units (or, when it carries
    /// none, over the most it could usefully carry).
    private func scaledCost(_ k: Int, carrying carried: Int128) -> Double {
        let lane = network.lanes[k]
        let spread = carried > 0 ? carried : min(lane.capacity, totalDemand)
        return linearCost(k) + lane.fixedCost / max(spread, lane.minUnits, 1).approximateDouble
    }

    private func linearCost(_ k: Int) -> Double {
        network.lanes[k].unitCost + Self.hopTieBreak * network.lanes[k].unitValue
    }

    /// Dynamic slope scaling from a starting flow: each lane's unit cost is raised by its fixed
    /// cost spread over the flow it carried last round (or could carry, if unused), until the
    /// flow repeats or the rounds run out. Returns the best round by true cost.
    private func slopeScaling(allowed: [Bool], from start: [Int128], _ budget: inout Int) -> Candidate {
        var previous = start, earlier = start
        var seen: Set<[Int128]> = [start]
        var best: Candidate?
        for _ in 0..<slopeRounds where budget > 0 {
            // Damped: the fixed cost is spread over the mean of the last two rounds' flows, which
            // stops the plain method's habit of flipping between two plans forever.
            let unitCost = { (k: Int) in scaledCost(k, carrying: (previous[k] + earlier[k]) / 2) }
            let next = candidate(network.solveRespectingMinimums(allowed: allowed, unitCost: unitCost), &budget)
            if best.map({ Self.better(next, than: $0) }) ?? true { best = next }
            guard seen.insert(next.flow.units).inserted else { break }
            earlier = previous
            previous = next.flow.units
        }
        return best ?? candidate(network.solveRespectingMinimums(allowed: allowed, unitCost: linearCost), &budget)
    }

    /// Judges a solved flow by its true cost after polishing: the lanes it uses are kept and
    /// the amounts on them re-solved at their real proportional costs (the scaled costs that
    /// chose the lanes are no guide to how much each should carry).
    private func candidate(_ solved: (flow: RebalanceNetwork.Flow, allowed: [Bool]), _ budget: inout Int) -> Candidate {
        budget -= 2
        let support = solved.flow.units.map { $0 > 0 }
        let polished = network.solveRespectingMinimums(allowed: support, unitCost: linearCost)
        let raw = Candidate(flow: solved.flow, allowed: solved.allowed, cost: network.cost(of: solved.flow))
        let tidy = Candidate(flow: polished.flow, allowed: solved.allowed, cost: network.cost(of: polished.flow))
        return Self.better(tidy, than: raw) ? tidy : raw
    }

    /// More delivered wins; at equal delivery, the lower true cost.
    static func better(_ a: Candidate, than b: Candidate) -> Bool {
        let da = a.flow.totalDelivered, db = b.flow.totalDelivered
        if da != db { return da > db }
        return a.cost < b.cost - 1e-9 * max(1, abs(b.cost))
    }
}

