import BallastOptimization
import Foundation

/// One token's rebalancing as a linear or mixed-integer program over the lossy model.
///
/// Amounts are in whole tokens. A transfer of x over lane l delivers `(1 − ρ_l)·x − φ_l`
/// and costs `P·ρ_l·x + (φ_l·P + gas)` when used. Rows, per chain i, with `net_i` what it
/// receives (after fees) less what it sends, and L the tokens lost to fees:
///
/// - spendable: `Σ_out x·(1+η) − Σ_in delivered ≤ amount_i` (executable in order; in-flight is not spendable)
/// - short:     `b_i + net_i + unmet_i ≥ w_i·(B − L) + margin`, and `net_i ≥ 0`
/// - giver:     `b_i + net_i ≥ w_i·(B − L) − dust` (never pushed below its own target but for
///              the dust that pays the short chains' margins: shares sum to everything, so
///              when every chain is a giver or short, someone must pay for them)
/// - any other: `net_i ≥ 0` (a chain below target never loses)
///
/// With no fixed fee, no gas and no minimum transfer this is a linear program (a generalised
/// flow). Otherwise each lane that costs something to open, or has a minimum size, gets a
/// binary `y_l`, and the flow is disaggregated by destination (the "commodity" of each short
/// chain k): `z_l^k ≤ D_k·y_l` with `D_k` what k could need to draw through any lane. That is
/// the strong formulation; the aggregated `x_l ≤ M·y_l` alone leaves CBC a near-useless bound.
struct PlanFormulation {
    /// Variables beyond which the whole network is not branched on, only relaxed (see `solve`).
    static let largestBranchedProgram = 1_500
    /// Variables up to which the whole network's branch and bound has the whole node budget once
    /// the search near the plan has run. A node's cost grows with the program, and that solve
    /// mostly proves rather than finds: on 41 plans of 15–24-chain treasuries with minimums and
    /// capacities, the budget scaled down past 400 variables returned the same 41 plans in 35%
    /// less time (at most 6.8 s a token, from 11.7 s), and 4 of them no longer proven optimal.
    static let fullyBranchedProgram = 400
    /// Margins grow thirtyfold on each retry (see ``Rebalancer``).
    static let attempts = 3
    enum Role { case short, giver, holder }

    struct Solved {
        /// Tokens to send per lane (0 for unused lanes).
        var flow: [Double]
        /// Per chain, the shortfall the program left unmet, in tokens.
        var unmet: [Double]
        /// Tokens any chain may end below its rule: what pays the short chains' safety margins.
        /// Unmet shortfall within it is not a real shortfall.
        var dust: Double
        /// A proven lower bound on the fees of every plan that leaves no more shortfall unmet.
        var bound: Double
        var nodes: Int
        var stoppedByTimeCap: Bool
    }

    let book: TokenBook
    let lanes: [RebalanceLane]
    let attempt: Int
    let roles: [Role]
    let isLinear: Bool
    /// The small model ``PlanSearch`` explores: one flow variable per lane, no destinations or
    /// relay conservation, and binaries that no row links to their flow (the search fixes both).
    /// Never the one a plan or its proof comes from.
    let isAggregated: Bool
    /// Per chain, tokens a short chain is kept above its target by (see `init`).
    let margin: [Double]
    /// Tokens a giver may end below its exact share: what the margins and relays' keep-backs take.
    let dust: Double
    /// Everything the chains can spend: no lane can carry more.
    let sendable: Double
    private(set) var program = MixedIntegerProgram()
    /// Per lane, its flow variables (one, or one per commodity).
    private(set) var flowVariables: [[Int]] = []
    /// Per lane, its binary (only lanes that cost something to open, in a mixed-integer program).
    private(set) var decision: [Int?] = []
    private(set) var unmetVariable: [Int?] = []
    /// L, the tokens fees take.
    private(set) var lossVariable = 0
    /// Per chain, the lanes of the program that leave it and the lanes that reach it.
    let lanesOut: [[Int]], lanesIn: [[Int]]

    /// The most `lane` can carry: its capacity, and never more than all the chains can spend.
    func mostCarried(by lane: RebalanceLane) -> Double { min(lane.capacity, sendable) }

    /// `within`, where given, is per lane whether the program may use it: the others get no
    /// variables at all (they carry nothing), so a search confined to a few lanes of a large
    /// network solves a small program, not a large one with most of it fixed. Margins and
    /// bounds are the whole network's, so its plans are plans of the whole program.
    init(book: TokenBook, lanes: [RebalanceLane], attempt: Int, aggregated: Bool = false, within: [Bool]? = nil) {
        self.book = book
        self.lanes = lanes
        self.attempt = attempt
        let n = book.chains.count
        let growth = pow(30, Double(attempt))
        let spendFactor = 1 + 1e-12 * growth
        let unit = pow(10, -Double(book.token.decimals))
        var lanesOut = [[Int]](repeating: [], count: n), lanesIn = [[Int]](repeating: [], count: n)
        for (l, lane) in lanes.enumerated() {
            lanesOut[lane.from].append(l)
            lanesIn[lane.to].append(l)
        }
        // Rounding to token units, and settlement's trims, cost what arrives a few units per lane;
        // the solver's own tolerances are about 1e-7 of a row's scale.
        let margin = (0..<n).map { max(Double(PlanSettlement.trimUnits) * unit * Double(lanesIn[$0].count + 1), 1e-6) * growth }
        self.margin = margin
        if let within {
            lanesOut = lanesOut.map { $0.filter { within[$0] } }
            lanesIn = lanesIn.map { $0.filter { within[$0] } }
        }
        self.lanesOut = lanesOut
        self.lanesIn = lanesIn
        let roles = (0..<n).map { i -> Role in
            if book.isShort[i] { return .short }
            return book.balance[i] < book.target[i] ? .holder : .giver
        }
        self.roles = roles
        let sendable = book.spendable.reduce(0) { $0 + $1.doubleValue }
        self.sendable = sendable
        dust = (0..<n).filter { roles[$0] == .short }.reduce(0) { $0 + margin[$1] }
            + (1e-9 + (spendFactor - 1) * Double(n)) * max(sendable, book.total.doubleValue)
        isLinear = !lanes.contains(where: \.isCharged)
        isAggregated = aggregated
        build(spendFactor: spendFactor, margin: margin, unit: unit, within: within)
    }

    private mutating func build(spendFactor: Double, margin: [Double], unit: Double, within: [Bool]?) {
        let n = book.chains.count
        let balance = book.balance.map(\.doubleValue), spendable = book.spendable.map(\.doubleValue)
        let total = book.total.doubleValue
        let shorts = (0..<n).filter { roles[$0] == .short }
        let need = (0..<n).map { max(0, book.weights[$0] * total - balance[$0]) + margin[$0] }
        let worstRate = lanes.map(\.rate).max() ?? 0
        let largestFixed = lanes.map(\.fixedTokens).max() ?? 0
        let largestMinimum = lanes.map(\.minimum).max() ?? 0
        // What a short chain could draw through one lane: its need plus a minimum-size
        // overshoot, grossed up for every fee a path of n − 1 hops could take.
        let grossUp = pow(1 - worstRate, -Double(max(0, n - 1)))
        let draw = (0..<n).map { (need[$0] + largestMinimum + Double(n - 1) * largestFixed) * grossUp }

        for (l, lane) in lanes.enumerated() {
            guard within?[l] ?? true else {
                flowVariables.append([])
                decision.append(nil)
                continue
            }
            let bigM = mostCarried(by: lane)
            let charged = !isLinear && lane.isCharged
            let y = charged ? program.addVariable(upper: 1, cost: lane.fixedUSD, integer: true) : nil
            decision.append(y)
            let unitCost = lane.unitFeeUSD
            if isLinear || isAggregated {
                // The search model's binaries are fixed together with the flow's bounds (see
                // PlanSearch), so the rows that link them would only slow every solve down.
                flowVariables.append([program.addVariable(upper: lane.capacity, cost: unitCost)])
            } else {
                // Every lane carries every destination's flow, even out of that destination itself:
                // with minimum sizes, a short chain may top up a giver whose surplus alone is too
                // small to send, and get it back with the rest.
                let z = shorts.map { _ in program.addVariable(upper: lane.capacity, cost: unitCost) }
                flowVariables.append(z)
                if let y {
                    for (k, variable) in zip(shorts, z) {
                        program.addConstraint([(variable, 1), (y, -min(bigM, draw[k]))], upper: 0)
                    }
                    program.addConstraint(z.map { ($0, 1.0) } + [(y, -bigM)], upper: 0)
                    if lane.minimum > 0 {
                        program.addConstraint(z.map { ($0, 1.0) } + [(y, -least(lane))], lower: 0)
                    }
                } else if lane.capacity.isFinite {
                    program.addConstraint(z.map { ($0, 1.0) }, upper: lane.capacity)
                }
            }
        }
        // L, the tokens fees take: targets are shares of B − L.
        let loss = program.addVariable()
        lossVariable = loss
        var lossTerms: [(variable: Int, coefficient: Double)] = [(loss, 1)]
        for (l, lane) in lanes.enumerated() {
            lossTerms += flowVariables[l].map { ($0, -lane.rate) }
            if let y = decision[l] { lossTerms.append((y, -lane.fixedTokens)) }
        }
        program.addConstraint(lossTerms, lower: 0, upper: 0)

        for i in 0..<n {
            let unmet = roles[i] == .short ? program.addVariable() : nil
            unmetVariable.append(unmet)
            let net = netTerms(at: i, sendFactor: 1)
            program.addConstraint(netTerms(at: i, sendFactor: spendFactor).map { ($0.variable, -$0.coefficient) },
                                  upper: spendable[i])
            let floor = book.weights[i] * total - balance[i]
            switch roles[i] {
            case .short:
                program.addConstraint(net + [(unmet!, 1), (loss, book.weights[i])], lower: floor + margin[i])
                program.addConstraint(net, lower: 0)
            case .giver:
                program.addConstraint(net + [(loss, book.weights[i])], lower: floor - dust)
            case .holder:
                program.addConstraint(net, lower: 0)
            }
        }
        guard !isLinear, !isAggregated else { return }
        // Each destination's flow is conserved through relays (a fixed fee may take a little of
        // it, and a relay keeps back the same sliver of what it sends as the spendable rows ask).
        for (c, k) in shorts.enumerated() {
            // What leaves k bound for k itself (a top-up that comes back) is paid from what k
            // holds on-chain, so k can send it first: a cycle in which every chain must receive
            // before it can send has no order to execute in.
            let departing = lanesOut[k].map { (flowVariables[$0][c], 1.0) }
            if !departing.isEmpty { program.addConstraint(departing, upper: spendable[k]) }
            for j in 0..<n where j != k {
                var terms: [(variable: Int, coefficient: Double)] = []
                for l in lanesOut[j] { terms.append((flowVariables[l][c], spendFactor)) }
                for l in lanesIn[j] {
                    terms.append((flowVariables[l][c], -(1 - lanes[l].rate)))
                    if let y = decision[l], lanes[l].fixedTokens > 0 { terms.append((y, lanes[l].fixedTokens)) }
                }
                if !terms.isEmpty { program.addConstraint(terms, lower: 0) }
            }
        }
    }

    /// The least an open lane carries, in tokens: its minimum, padded so that settlement may
    /// trim a transfer by a few units and keep it allowed.
    func least(_ lane: RebalanceLane) -> Double {
        lane.minimum == 0 ? 0
            : lane.minimum * (1 + 2 * PlanSettlement.trimFraction) + Double(PlanSettlement.trimUnits) * pow(10, -Double(book.token.decimals))
    }

    /// What chain i receives after fees, less what it sends times `sendFactor`, as terms.
    private func netTerms(at i: Int, sendFactor: Double) -> [(variable: Int, coefficient: Double)] {
        var terms: [(variable: Int, coefficient: Double)] = []
        for l in lanesIn[i] {
            terms += flowVariables[l].map { ($0, 1 - lanes[l].rate) }
            if let y = decision[l], lanes[l].fixedTokens > 0 { terms.append((y, -lanes[l].fixedTokens)) }
        }
        for l in lanesOut[i] { terms += flowVariables[l].map { ($0, -sendFactor) } }
        return terms
    }

    /// Each short chain's unmet shortfall, valued in USD.
    private var shortfallTerms: [(variable: Int, coefficient: Double)] {
        unmetVariable.indices.compactMap { i in unmetVariable[i].map { ($0, book.valuationPrice(i)) } }
    }

    /// A sliver of slack for the solver's tolerance, far less than the margins settlement relies on.
    private var slack: Double {
        unmetVariable.indices.reduce(0) { $0 + (unmetVariable[$1] == nil ? 0 : margin[$1] * book.valuationPrice($1)) } / 100
    }

    /// `values` of `program` (this formulation's, with a shortfall held) re-solved with every
    /// decision fixed to 0 or 1, so no lane carries flow under a fractional opening; `values`
    /// unchanged where that finds nothing.
    private func polished(_ values: [Double], in program: MixedIntegerProgram) -> [Double] {
        guard !isLinear else { return values }
        var fixed: [Int: Double] = [:]
        for case let y? in decision { fixed[y] = values[y] >= 0.5 ? 1 : 0 }
        let polished = CBC.solve(program.fixing(fixed), limits: SolverLimits(maxNodes: 0))
        return polished.status == .optimal ? polished.values : values
    }

    /// Tokens each lane carries in `values`: the sum of its flow variables.
    func laneFlows(_ values: [Double]) -> [Double] {
        flowVariables.map { $0.reduce(0) { $0 + values[$1] } }
    }

    /// A start for this program that opens the lanes `searched` found cheapest, and no flow.
    func opening(_ searched: PlanSearch.Result) -> [Double] {
        var values = [Double](repeating: 0, count: program.variables.count)
        for case let (l, y?) in decision.enumerated() where searched.opening[l] { values[y] = 1 }
        return values
    }

    /// `values` of `part`'s program (the same book and attempt, over fewer lanes) as values of
    /// this one's: the lanes it left out carry nothing.
    func lift(_ values: [Double], from part: PlanFormulation) -> [Double] {
        var lifted = [Double](repeating: 0, count: program.variables.count)
        for l in lanes.indices {
            for (mine, theirs) in zip(flowVariables[l], part.flowVariables[l]) { lifted[mine] = values[theirs] }
            if let mine = decision[l], let theirs = part.decision[l] { lifted[mine] = values[theirs] }
        }
        lifted[lossVariable] = values[part.lossVariable]
        for (mine, theirs) in zip(unmetVariable, part.unmetVariable) {
            if let mine, let theirs { lifted[mine] = values[theirs] }
        }
        return lifted
    }

    /// The program with every shortfall met (up to the solver's slack): what most plans solve.
    /// With the rows that open a lane out of every giver that must send (``mustSendRows()``).
    var withoutShortfall: MixedIntegerProgram {
        var capped = everyShortfallMet
        for row in mustSendRows() { capped.addConstraint(row, lower: 1) }
        return capped
    }

    /// The program with every shortfall met, without the rows that follow from it.
    var everyShortfallMet: MixedIntegerProgram {
        var capped = program
        capped.addConstraint(shortfallTerms, upper: slack)
        return capped
    }

    /// The shortfall a program held to every shortfall still allows (its solver slack), in
    /// tokens at the least price.
    var allowedUnmet: Double {
        let cheapest = unmetVariable.indices.filter { unmetVariable[$0] != nil }.map(book.valuationPrice).min() ?? 1
        return cheapest > 0 ? slack / cheapest : .infinity
    }

    /// Per giver that must part with some of its surplus in every plan that meets the
    /// shortfall, the terms of the row that opens a lane out of it: the cut-set row of
    /// everything else (see ``cutSetTerms(into:lossCap:ledger:)``). In a nearly balanced treasury nearly
    /// every giver must send, and the relaxation meets that with slivers of openings; no row of
    /// the program says so alone (it comes from all of them), so the solver's own cuts never find it.
    func mustSendRows() -> [[(variable: Int, coefficient: Double)]] {
        guard !isLinear, !isAggregated else { return [] }
        let ledger = CutSetLedger(self)
        return book.chains.indices.compactMap { i in
            guard roles[i] == .giver else { return nil }
            var everyOther = [Bool](repeating: true, count: book.chains.count)
            everyOther[i] = false
            return cutSetTerms(into: everyOther, lossCap: 0, ledger: ledger)
        }
    }

    /// Solves within `limits`, lexicographically: first the least shortfall left unmet (in
    /// USD), then the least fees among plans that leave no more unmet. (A single objective
    /// with a large weight on shortfall is not an option: CLP misjudges feasibility once cost
    /// coefficients span seven orders of magnitude.) With binaries, the flows are then
    /// re-solved with every decision fixed to 0 or 1, so no lane carries flow under a
    /// fractional opening. `searched` is where ``PlanSearch`` found plans: the exact search
    /// runs near it first (see below), and its plan is where the search over every lane starts.
    /// `leastShortfallFirst` skips the solves that hold every shortfall met, the exact search near
    /// `searched` among them (see ``Rebalancer``).
    func solve(limits: SolverLimits, searched: PlanSearch.Result? = nil, leastShortfallFirst: Bool = false) -> Result<Solved, Unsolved> {
        let searched = leastShortfallFirst ? nil : searched
        var shortfallCosts = [Double](repeating: 0, count: program.variables.count)
        for (i, u) in unmetVariable.enumerated() {
            guard let u else { continue }
            shortfallCosts[u] = book.valuationPrice(i)
            // Targets are shares of what is left after fees, so burning tokens in fees shrinks
            // every shortfall; charged at (a little above) what it takes off them, it never pays.
            shortfallCosts[lossVariable] += 1.01 * book.weights[i] * book.valuationPrice(i)
        }
        let shortfall = shortfallTerms
        // Most treasuries can meet every shortfall: then the least shortfall is none, and one
        // solve of the fees decides. Only when that finds no plan is the least shortfall searched.
        var cheapest = withoutShortfall
        var start = searched.map(opening)
        var nodes = 0, timeCapped = searched?.stoppedByTimeCap ?? false
        // Branch and bound over the lanes the search found worth using, a program of those alone:
        // small enough to finish, and its plan is the start of the search over every lane.
        var near: (formulation: PlanFormulation, program: MixedIntegerProgram, plan: Solution)?
        if let searched {
            let formulation = PlanFormulation(book: book, lanes: lanes, attempt: attempt, within: searched.neighbourhood)
            let nearProgram = formulation.withoutShortfall
            let solved = CBC.solve(nearProgram, limits: limits, start: formulation.opening(searched))
            nodes += solved.nodes
            timeCapped = timeCapped || solved.stoppedByTimeCap
            if solved.status == .optimal || solved.status == .feasible {
                near = (formulation, nearProgram, solved)
                start = lift(solved.values, from: formulation)
            }
        }
        var first: Solution
        var values: [Double]
        if let near, program.variables.count > Self.largestBranchedProgram {
            // Branching over the whole network costs up to 0.2 s a node at 30 chains, and 200
            // nodes barely moved the bound there (measured): past a size where it is cheap, the
            // proof is a relaxation's bound (below), and the budget stays with the search. The
            // plan is polished in the small program it came from, not in the whole network's.
            first = near.plan
            first.status = .feasible
            first.bound = -.infinity
            values = lift(near.formulation.polished(near.plan.values, in: near.program), from: near.formulation)
        } else {
            var whole = limits
            if near != nil {
                whole.maxNodes = limits.maxNodes * Self.fullyBranchedProgram / max(cheapest.variables.count, Self.fullyBranchedProgram)
            }
            let met = leastShortfallFirst ? nil : CBC.solve(cheapest, limits: whole, start: start)
            nodes += met?.nodes ?? 0
            timeCapped = timeCapped || met?.stoppedByTimeCap == true
            if let met, met.status == .optimal || met.status == .feasible {
                first = met
            } else {
                let least = CBC.solve(program.withCosts(shortfallCosts), limits: limits)
                guard least.status == .optimal || least.status == .feasible else { return .failure(Unsolved(status: least.status, budget: limits.maxNodes)) }
                // Stage 2 is held to stage 1's shortfall alone, not to its charge on tokens lost: that
                // would confine it to the plans losing the fewest tokens, not the fewest dollars. (It
                // minimises fees, so burning tokens never pays there.) Stage 1's plan is its start.
                let leastShortfall = shortfall.reduce(0) { $0 + $1.1 * max(0, least.values[$1.0]) }
                cheapest = program
                cheapest.addConstraint(shortfall, upper: leastShortfall * (1 + 1e-9) + slack)
                first = CBC.solve(cheapest, limits: limits, start: least.values)
                nodes += least.nodes + first.nodes
                timeCapped = timeCapped || least.stoppedByTimeCap || first.stoppedByTimeCap
                guard first.status == .optimal || first.status == .feasible else { return .failure(Unsolved(status: first.status, budget: limits.maxNodes)) }
            }
            values = polished(first.values, in: cheapest)
        }
        let flow = zip(decision, laneFlows(values)).map { y, carried in
            (y.map { values[$0] >= 0.5 } ?? true) ? max(0, carried) : 0
        }
        let unmet = unmetVariable.map { $0.map { max(0, values[$0]) } ?? 0 }
        // CBC's bound and a relaxation's both hold; where CBC did not close the gap, the higher is the proof.
        var bound = first.bound
        if first.status != .optimal, let relaxed = relaxationBound(of: cheapest, incumbentUSD: first.objective) {
            bound = min(first.objective, max(bound, relaxed))
        }
        return .success(Solved(flow: flow, unmet: unmet, dust: dust, bound: bound, nodes: nodes, stoppedByTimeCap: timeCapped))
    }

    /// Why no plan came out of `solve`: what the last solve it needed answered.
    struct Unsolved: Error, CustomStringConvertible {
        var status: Solution.Status
        var budget: Int

        var description: String {
            switch status {
            case .failed: "the solver (CBC/CLP) failed one of its own numerical checks on this token's program; another snapshot may plan, and a larger budget would not help"
            case .infeasible: "the solver found no plan at all for this token's program, which should always have one: please report it with the snapshot"
            case .optimal, .feasible, .noSolution: "the solver found no plan within max_solve_nodes (\(budget)); raise it"
            }
        }
    }
}
