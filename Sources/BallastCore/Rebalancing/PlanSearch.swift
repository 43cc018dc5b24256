import BallastOptimization
import Foundation

/// A deterministic local search for which charged lanes a plan opens: the start CBC's
/// branch and bound improves on and proves against.
///
/// With fixed costs, branch and bound alone finds poor plans on 20 or more chains: the
/// linear relaxation spreads flow thinly over many lanes and CBC's own heuristics round it
/// badly (measured: 3–9% above the optimum after 1,000 nodes). Fixed-charge network flow
/// has a better-known route to good plans, searched here over the small aggregated model
/// (one flow per lane, kept loaded in CLP and re-solved from its basis):
///
/// 1. Slope scaling: solve the linear program with each lane's fixed cost spread over the
///    flow it carried last time, until the lanes used repeat; from three starting guesses.
/// 2. Local search: close one open lane at a time, either letting the flow move to the
///    other open lanes, or re-routing it over any lane at slope costs; keep what is cheaper.
/// 3. Perturbation: close two open lanes, re-route what they carried, search locally around
///    the chains that changed, keep it if cheaper.
///
/// Every candidate is priced exactly: the lanes' openings fixed, the flows solved as a
/// linear program with every rule of the plan. The effort is a count of linear solves,
/// not a time, so the same input gives the same opening anywhere; the solver's wall-clock
/// safety cap stops it too, once it has a plan, and then says so.
struct PlanSearch {
    /// Linear solves the search may spend per node of the branch-and-bound budget
    /// (`rebalance.max_solve_nodes`), so one setting scales the whole effort: 4,000 at the
    /// default, about 1.5 s at 30 chains.
    static let solvesPerNode = 4
    /// Perturbation rounds per linear solve of the budget, at most: a round whose moves were all
    /// tried before costs no solve, so the budget alone would not end a search with nothing new to try.
    static let roundsPerSolve = 0.125
    /// Flows (one per lane per entry) each of the search's memos keeps at most: 8 MB.
    static let memoDoubles = 1_000_000
    /// Openings this far above the cheapest found still lend their lanes to the exact search.
    /// Measured on the 20- and 30-chain benchmarks: 3% left a 20-chain optimum's lanes out;
    /// 10% doubled the time and gave dearer 30-chain plans, the budget running out before the
    /// search near them finished.
    static let neighbourhoodSlack = 0.05
    /// The most charged lanes the exact search is given, the cheapest openings' first. Its
    /// time grows fast with them: 65 lanes took 7.5 s at 30 chains, 40 take under 2 s, and
    /// 20-chain neighbourhoods need no more than 40 (measured).
    static let largestNeighbourhood = 40

    private let formulation: PlanFormulation
    private let session: LinearSession
    /// Lanes whose opening is a decision, with their binary and flow variables.
    private let charged: [Int]
    private let baseCosts: [Double]
    /// A typical transfer, in tokens: what a fixed cost is first spread over.
    private let typicalFlow: Double
    private let solveBudget: Int
    private let deadline: ContinuousClock.Instant
    private var stoppedByTimeCap = false
    private var solves = 0
    /// Every distinct opening priced within ``neighbourhoodSlack`` of the cheapest so far, with
    /// its cost. The cheapest only falls, so one left out never qualifies later; keeping them
    /// all would grow with `max_solve_nodes`.
    private var priced: [(cost: Double, open: [Bool])] = []
    private var pricedOpenings: Set<[Bool]> = []
    private var cheapestPriced = Double.infinity
    /// Openings already priced, and re-routes already worked out: a perturbation often leads
    /// local search back to where it was, and pricing the same opening again would spend the
    /// budget on nothing (measured: 15–60% of the search's calls at 20–30 chains).
    private var evaluated: BoundedMemo<[Bool], Candidate?>
    private var rerouted: BoundedMemo<Reroute, Candidate?>

    private struct Reroute: Hashable {
        var open: [Bool]
        var closing: Set<Int>
        var spreadOver: Double
    }

    /// What the search found: the cheapest opening, and every lane some near-cheapest opening uses.
    struct Result: Sendable {
        /// Per lane, true where the cheapest plan found opens it (uncharged lanes are always open).
        var opening: [Bool]
        /// Per lane, true where an opening within ``neighbourhoodSlack`` of the cheapest uses it
        /// (at most ``largestNeighbourhood`` charged lanes): where an exact search is worth its time.
        var neighbourhood: [Bool]
        /// The wall-clock safety cap, not the budget, ended the search: the opening may differ between machines.
        var stoppedByTimeCap: Bool
    }

    /// The cheapest opening found, per lane (true where a charged lane is used; uncharged lanes
    /// are always open), or nil when the search found no plan that meets every shortfall.
    /// Its effort follows `limits.maxNodes`, the branch and bound's budget, and it stops at
    /// `limits.safetySeconds` once it has a plan.
    static func opening(_ formulation: PlanFormulation, limits: SolverLimits) -> Result? {
        precondition(formulation.isAggregated, "the search runs on the aggregated model")
        guard !formulation.isLinear else { return nil }
        let program = formulation.withoutShortfall
        let result = CBC.withLinearSession(program) { session -> Result? in
            var search = PlanSearch(formulation: formulation, session: session, baseCosts: program.variables.map(\.cost),
                                    solveBudget: min(max(0, limits.maxNodes), Int.max / Self.solvesPerNode) * Self.solvesPerNode,
                                    deadline: .now + .seconds(limits.safetySeconds.isFinite ? min(max(limits.safetySeconds, 0), 1e9) : 1e9))
            return search.run()
        }
        return result ?? nil
    }

    private init(formulation: PlanFormulation, session: LinearSession, baseCosts: [Double], solveBudget: Int,
                 deadline: ContinuousClock.Instant) {
        self.formulation = formulation
        self.solveBudget = solveBudget
        self.deadline = deadline
        self.session = session
        self.baseCosts = baseCosts
        charged = formulation.lanes.indices.filter { formulation.decision[$0] != nil }
        let book = formulation.book
        let total = book.total.doubleValue
        let imbalances = book.chains.indices.map { abs(book.weights[$0] * total - book.balance[$0].doubleValue) }.sorted()
        typicalFlow = max(imbalances[imbalances.count / 2], 1e-9 * max(total, 1))
        let entries = Self.memoDoubles / max(1, formulation.lanes.count)
        evaluated = BoundedMemo(capacity: entries)
        rerouted = BoundedMemo(capacity: entries)
    }

    private struct Candidate {
        var cost: Double
        var open: [Bool]
        /// Tokens sent over each lane.
        var flows: [Double]
    }

    private mutating func run() -> Result? {
        var best: Candidate?
        func keep(_ candidate: Candidate?) {
            if let candidate, candidate.cost < (best?.cost ?? .infinity) - 1e-9 { best = candidate }
        }
        for spread in [0.25, 1, 4] { keep(slopeScaling(spreadOver: typicalFlow * spread)) }
        guard var incumbent = best else { return nil }
        incumbent = improve(incumbent)
        for round in 0..<Int(Double(solveBudget) * Self.roundsPerSolve) where mayContinue() {
            let open = charged.filter { incumbent.open[$0] }
            guard open.count >= 2 else { break }
            // Two open lanes drawn by a fixed mixing sequence (SplitMix64's): the same every run.
            var state = UInt64(round + 1) &* 0x9E37_79B9_7F4A_7C15
            var closing = Set<Int>()
            while closing.count < 2 {
                state = (state ^ (state >> 31)) &* 0xBF58_476D_1CE4_E5B9
                state ^= state >> 29
                closing.insert(open[Int(state % UInt64(open.count))])
            }
            // What the two lanes carried must move: the lanes that could take it over are
            // priced with their fixed cost spread over that flow, not over a typical transfer
            // (measured: the 20-chain benchmark's plans 0.1% above the optima, were 0.4%).
            let moving = max(closing.map { incumbent.flows[$0] }.max() ?? 0, usedThreshold)
            guard let moved = reroute(from: incumbent, closing: closing, spreadOver: moving) else { continue }
            let improved = improve(moved, around: incumbent)
            if improved.cost < incumbent.cost - 1e-9 { incumbent = improved }
        }
        var neighbourhood = incumbent.open
        var size = charged.filter { neighbourhood[$0] }.count
        for p in priced.indices.sorted(by: { (priced[$0].cost, $0) < (priced[$1].cost, $1) })
        where priced[p].cost <= incumbent.cost * (1 + Self.neighbourhoodSlack) {
            let added = charged.filter { priced[p].open[$0] && !neighbourhood[$0] }
            guard size + added.count <= Self.largestNeighbourhood else { break }
            for l in added { neighbourhood[l] = true }
            size += added.count
        }
        return Result(opening: incumbent.open, neighbourhood: neighbourhood, stoppedByTimeCap: stoppedByTimeCap)
    }

    /// Slope scaling from fixed costs spread over `flow` tokens per lane.
    private mutating func slopeScaling(spreadOver flow: Double) -> Candidate? {
        var unitCosts = formulation.lanes.map { $0.unitFeeUSD + $0.fixedUSD / flow }
        var best: Candidate?
        var seen: Set<[Bool]> = []
        for _ in 0..<30 where mayContinue() {
            guard let flows = relaxedFlows(unitCosts: unitCosts, closed: []) else { break }
            let used = charged.map { flows[$0] > usedThreshold }
            if let candidate = price(flows: flows, unitCosts: unitCosts, closed: []), candidate.cost < (best?.cost ?? .infinity) { best = candidate }
            guard seen.insert(used).inserted else { break }
            for l in charged where flows[l] > usedThreshold {
                unitCosts[l] = formulation.lanes[l].unitFeeUSD + formulation.lanes[l].fixedUSD / flows[l]
            }
        }
        return best
    }

    /// Closes open lanes one at a time while that makes the plan cheaper. After a perturbation
    /// of `previous`, which was already as cheap as closing any one lane could make it, only the
    /// lanes at chains where the openings changed are tried, and the chains each move changes
    /// join them: elsewhere little has moved, and the solves saved buy more perturbations
    /// (measured on seeds 1–6: 30-chain plans 0.1–0.4% cheaper in total, 25-chain within 0.1%
    /// either way, 20-chain unchanged).
    private mutating func improve(_ start: Candidate, around previous: Candidate? = nil) -> Candidate {
        var current = start
        var improved = true
        var focus = previous.map { chainsChanged(from: $0, to: start) }
        func inFocus(_ l: Int) -> Bool {
            focus.map { $0.contains(formulation.lanes[l].from) || $0.contains(formulation.lanes[l].to) } ?? true
        }
        while improved && mayContinue() {
            improved = false
            let open = charged.filter { current.open[$0] && inFocus($0) }
                .sorted { (formulation.lanes[$0].fixedUSD, $1) > (formulation.lanes[$1].fixedUSD, $0) }
            for l in open where mayContinue() {
                var without = current.open
                without[l] = false
                if let dropped = evaluate(without), dropped.cost < current.cost - 1e-9 {
                    focus?.formUnion(chainsChanged(from: current, to: dropped))
                    current = dropped
                    improved = true
                    break
                }
                if let moved = reroute(from: current, closing: [l], spreadOver: typicalFlow), moved.cost < current.cost - 1e-9 {
                    focus?.formUnion(chainsChanged(from: current, to: moved))
                    current = moved
                    improved = true
                    break
                }
            }
        }
        return current
    }

    /// The chains at either end of a lane one candidate opens and the other does not.
    private func chainsChanged(from a: Candidate, to b: Candidate) -> Set<Int> {
        Set(charged.filter { a.open[$0] != b.open[$0] }.flatMap { [formulation.lanes[$0].from, formulation.lanes[$0].to] })
    }

    /// Re-routes around `closing` over any lane, open lanes at their flow cost and closed ones
    /// with their fixed cost spread over `flow` tokens.
    private mutating func reroute(from current: Candidate, closing: Set<Int>, spreadOver flow: Double) -> Candidate? {
        let key = Reroute(open: current.open, closing: closing, spreadOver: flow)
        if let known = rerouted[key] { return known }
        let candidate = solveReroute(from: current, closing: closing, spreadOver: flow)
        rerouted.remember(candidate, for: key)
        return candidate
    }

    private mutating func solveReroute(from current: Candidate, closing: Set<Int>, spreadOver flow: Double) -> Candidate? {
        let unitCosts = formulation.lanes.indices.map { l in
            let lane = formulation.lanes[l]
            return lane.unitFeeUSD + (current.open[l] || formulation.decision[l] == nil ? 0 : lane.fixedUSD / flow)
        }
        guard let flows = relaxedFlows(unitCosts: unitCosts, closed: closing) else { return nil }
        return price(flows: flows, unitCosts: unitCosts, closed: closing)
    }

    /// The exact cost of opening the lanes a relaxed flow uses. Where that cannot be carried
    /// out because some lanes carry less than their minimum, the flow is solved again (at the
    /// same unit costs), a few times at most: with every lane out of the same chain that could
    /// not carry that little shut (shutting only the one lane moves the same sliver to the
    /// chain's next lane); or, where nothing else can carry it, with the lane made to carry its
    /// minimum, topped up by whatever can reach it. A giver whose surplus is below every
    /// minimum out of it must be topped up before it can send at all.
    private mutating func price(flows: [Double], unitCosts: [Double], closed: Set<Int>) -> Candidate? {
        var flows = flows, closed = closed, forced = Set<Int>()
        for _ in 0..<4 {
            let used = formulation.lanes.indices.map { formulation.decision[$0] == nil || flows[$0] > usedThreshold }
            if let candidate = evaluate(used) { return candidate }
            let undersized = charged.filter { used[$0] && flows[$0] < formulation.least(formulation.lanes[$0]) }
            guard !undersized.isEmpty, mayContinue() else { return nil }
            var shut = closed.union(undersized)
            for u in undersized {
                let origin = formulation.lanes[u].from
                shut.formUnion(charged.filter { formulation.lanes[$0].from == origin && formulation.least(formulation.lanes[$0]) > flows[u] })
            }
            if let again = relaxedFlows(unitCosts: unitCosts, closed: shut, forced: forced) {
                flows = again
                closed = shut
                continue
            }
            forced.formUnion(undersized)
            guard let again = relaxedFlows(unitCosts: unitCosts, closed: closed, forced: forced) else { return nil }
            flows = again
        }
        return nil
    }

    /// Whether the search may spend another linear solve: within its budget, its task not
    /// cancelled (a large treasury's search would hold a stopping service for a minute), CLP
    /// still answering (after a failed assertion it never does again), and before the safety
    /// cap unless it has no plan yet.
    private mutating func mayContinue() -> Bool {
        guard solves < solveBudget, !session.broken else { return false }
        guard !Task.isCancelled else { return false }
        guard cheapestPriced.isFinite, ContinuousClock.now >= deadline else { return true }
        stoppedByTimeCap = true
        return false
    }

    /// Flows below this count as unused: the solver's noise, not a transfer.
    private var usedThreshold: Double { 1e-9 * max(1, formulation.book.total.doubleValue) }

    /// Solves the flows with charged lanes free to open at no fixed cost, each lane's flow at
    /// `unitCosts`, the `closed` lanes shut and the `forced` ones carrying at least their minimum.
    private mutating func relaxedFlows(unitCosts: [Double], closed: Set<Int>, forced: Set<Int> = []) -> [Double]? {
        var costs = [Double](repeating: 0, count: session.variableCount)
        for (l, lane) in formulation.lanes.enumerated() {
            let flow = formulation.flowVariables[l][0]
            costs[flow] = unitCosts[l]
            // Opening costs nothing here, and a lane's fixed fee in tokens is left out with it.
            if let y = formulation.decision[l] {
                session.setBounds(y, lower: 0, upper: 0)
                session.setBounds(flow, lower: forced.contains(l) ? formulation.least(lane) : 0,
                                  upper: closed.contains(l) ? 0 : lane.capacity)
            }
        }
        session.setCosts(costs)
        solves += 1
        return session.solve().map { formulation.laneFlows($0.values) }
    }

    private mutating func remember(_ open: [Bool], cost: Double) {
        if cost < cheapestPriced {
            cheapestPriced = cost
            priced.removeAll { $0.cost > cost * (1 + Self.neighbourhoodSlack) }
            pricedOpenings = Set(priced.map(\.open))
        }
        guard cost <= cheapestPriced * (1 + Self.neighbourhoodSlack), pricedOpenings.insert(open).inserted else { return }
        priced.append((cost, open))
    }

    /// The exact cost of a plan that opens exactly the `open` charged lanes, or nil if none meets every rule.
    private mutating func evaluate(_ open: [Bool]) -> Candidate? {
        if let known = evaluated[open] { return known }
        let candidate = solveOpening(open)
        evaluated.remember(candidate, for: open)
        return candidate
    }

    private mutating func solveOpening(_ open: [Bool]) -> Candidate? {
        for l in charged {
            let y = formulation.decision[l]!, lane = formulation.lanes[l]
            session.setBounds(y, lower: open[l] ? 1 : 0, upper: open[l] ? 1 : 0)
            session.setBounds(formulation.flowVariables[l][0], lower: open[l] ? formulation.least(lane) : 0,
                              upper: open[l] ? lane.capacity : 0)
        }
        session.setCosts(baseCosts)
        solves += 1
        guard let solved = session.solve() else { return nil }
        remember(open, cost: solved.objective)
        return Candidate(cost: solved.objective, open: open, flows: formulation.laneFlows(solved.values))
    }
}
