import BallastOptimization
import Foundation

extension PlanFormulation {
    /// A lower bound on the fees of every plan of `program` cheaper than `incumbentUSD`: the
    /// relaxation's with the first-hop rows and rounds of cut-set rows, and where the program is
    /// small enough the source-tracked relaxation's with those cut-set rows, whichever is higher.
    /// Nil only if CLP finds no answer. (`sourceTrackedUpTo` is the size switch, for tests.)
    func relaxationBound(of program: MixedIntegerProgram, incumbentUSD: Double,
                         sourceTrackedUpTo largestTracked: Int = Self.largestSourceTrackedProgram) -> Double? {
        let plain = CBC.withLinearSession(program) { session -> (objective: Double, cuts: [MixedIntegerProgram.Constraint])? in
            guard var solved = session.solve() else { return nil }
            // Past the size the first-hop rows stop at, the plain relaxation's bound stands alone:
            // its re-solves with cut-set rows took minutes at 50 and 100 chains (measured).
            guard program.variables.count <= Self.largestFirstHopProgram else { return (solved.objective, []) }
            if let rows = firstHopRows(incumbentUSD: incumbentUSD) {
                // Added as cuts on the plain relaxation's basis: solved afresh with them, CLP took
                // 1.6–1.8 times as long (measured at 50 chains).
                session.addConstraints(rows)
                guard let firstHop = session.solve() else { return (solved.objective, []) }
                solved = firstHop
            }
            // Found here, where each round's solve is cheap, and handed on to the source-tracked relaxation.
            let tightened = tightenWithCutSets(session, from: solved, incumbentUSD: incumbentUSD,
                                               rounds: Self.cutSetRounds, iterations: Self.cutSetIterations)
            return (tightened.objective, tightened.rows)
        } ?? nil
        guard let plain else { return nil }
        guard program.variables.count <= largestTracked else { return plain.objective }
        var cut = program
        cut.addConstraints(plain.cuts)
        return max(plain.objective, sourceTrackedBound(of: cut, incumbentUSD: incumbentUSD) ?? -.infinity)
    }

    /// Per chain, the most a giver can part with of its own tokens in a plan cheaper than
    /// `incumbentUSD` (see ``sourceTracked(_:incumbentUSD:)``); 0 for chains that are not givers.
    /// Nil when no finite incumbent caps the tokens fees take.
    private func partingCaps(incumbentUSD: Double) -> [Double]? {
        guard let lossCap = lossCap(incumbentUSD: incumbentUSD) else { return nil }
        let total = book.total.doubleValue
        return book.chains.indices.map { s in
            guard roles[s] == .giver else { return 0 }
            return max(0, min(book.spendable[s].doubleValue, book.balance[s].doubleValue - book.weights[s] * total + book.weights[s] * lossCap + dust))
        }
    }

    /// Per charged lane l out of a giver s, `x_l − Σ_{into s} x ≤ S_s·y_l`: what a lane carries
    /// beyond everything s received is s's own, at most `S_s`. The first hop of the
    /// source-tracked rows, with no new variables: a giver with a small surplus cannot open a
    /// lane to a large need for a fraction of its fixed cost unless something reaches it. They
    /// hold for plans cheaper than `incumbentUSD`; rows no tighter than the lane's own cap are
    /// left out. Nil when the program is linear, or no finite incumbent caps the tokens fees take.
    ///
    /// They make the relaxation three to four times as slow to solve: at 30 chains 0.1–0.2 s
    /// more, but at 50 chains 1.6–4.2 s on plans of 4–4.7 s, and at 100 chains minutes
    /// (measured). So past ``largestFirstHopProgram`` variables the plain relaxation's bound
    /// stands.
    func firstHopRows(incumbentUSD: Double) -> [MixedIntegerProgram.Constraint]? {
        guard !isLinear, !isAggregated, let caps = partingCaps(incumbentUSD: incumbentUSD) else { return nil }
        // What reaches each giver, once per giver rather than once per lane leaving it.
        var arriving: [Int: [(variable: Int, coefficient: Double)]] = [:]
        for s in book.chains.indices where roles[s] == .giver {
            arriving[s] = lanesIn[s].flatMap { flowVariables[$0].map { ($0, -1.0) } }
        }
        return lanes.indices.compactMap { l -> MixedIntegerProgram.Constraint? in
            let s = lanes[l].from
            guard let reached = arriving[s], let y = decision[l], caps[s] < mostCarried(by: lanes[l]) else { return nil }
            return .init(flowVariables[l].map { ($0, 1.0) } + reached + [(y, -caps[s])], upper: 0)
        }
    }

    /// Rounds of cut-set rows a plan's bound is tightened by, and the simplex iterations each
    /// round's re-solve may take (one stopped by the cap ends the rounds). With them the mean
    /// gap of `bench plan --chains 20 25 30 --networks 3` went from 13.6%, 18.0% and 23.9% to
    /// 9.2%, 15.9% and 23.7%, for up to 0.6 s more a plan (measured; eight uncapped rounds reach
    /// 4.6%, 7.3% and 12.1%, but at 4, 9 and 15 s a plan).
    static let cutSetRounds = 2
    static let cutSetIterations = 1_000
    /// Variables beyond which the source-tracked bound is not computed (see below).
    static let largestSourceTrackedProgram = 4_000
    /// Variables beyond which the first-hop rows are not added (see ``firstHopRows(incumbentUSD:)``):
    /// 30-chain programs have 6,000–8,000, 50-chain ones 26,000–30,000.
    static let largestFirstHopProgram = 15_000
    /// Simplex iterations the source-tracked relaxation may take before its bound is given up
    /// for the first-hop one (see below).
    static let sourceTrackedIterations = 25_000

    /// A lower bound on the fees of every plan of `program` (this formulation, with its
    /// shortfall held) that costs less than `incumbentUSD`, stronger than its linear relaxation.
    ///
    /// The destination-disaggregated flow bounds what each lane carries for one short chain by
    /// that chain's need. The relaxation still lets a giver with a small surplus open a lane
    /// to a large need for a fraction of its fixed cost. So the flow is also tracked by source:
    /// each giver's own tokens are a family that only that giver injects, forwarded or absorbed
    /// elsewhere, with `u_l^s ≤ S_s·y_l` where `S_s` is the most the giver can part with; the
    /// tokens of every other chain are one more family, unbounded. Every plan splits this way
    /// (a relay forwards what reaches it before sending its own), so no plan is cut off. For
    /// plans cheaper than the incumbent, the tokens fees take are worth less than it, which
    /// caps how far below its share the rules let a giver go: `S_s`.
    ///
    /// Only the relaxation is solved: the source families double the program, too much to
    /// branch on. Even that takes CLP 2–12 s at 30 chains (measured: 0.2–0.5 s at 20), so
    /// larger programs have the first-hop rows alone (below). Its time varies most with the
    /// program's shape, not its size: at 25 chains 0.5 s to 11 s (7,000 to 53,000 iterations),
    /// so it is also capped at ``sourceTrackedIterations`` (about 4 s), deterministically.
    /// Nil when the program is linear, or CLP finds no answer within the cap.
    private func sourceTrackedBound(of program: MixedIntegerProgram, incumbentUSD: Double) -> Double? {
        guard let tracked = sourceTracked(program, incumbentUSD: incumbentUSD) else { return nil }
        return CBC.withLinearSession(tracked) { session in
            session.limitIterations(Self.sourceTrackedIterations)
            return session.solve()?.objective
        } ?? nil
    }

    /// `program` (this formulation, with its shortfall held) with the source families and their
    /// rows added (see above): the same plans cheaper than `incumbentUSD`, a stronger relaxation.
    /// Nil when the program is linear, or no finite incumbent caps the tokens fees take.
    func sourceTracked(_ program: MixedIntegerProgram, incumbentUSD: Double) -> MixedIntegerProgram? {
        guard !isLinear, !isAggregated, let caps = partingCaps(incumbentUSD: incumbentUSD) else { return nil }
        let n = book.chains.count
        let givers = (0..<n).filter { roles[$0] == .giver }
        var tracked = program
        // Per lane, one variable per giver's tokens and a last one for everyone else's.
        var family: [[Int]] = []
        for (l, lane) in lanes.enumerated() {
            let sources = (givers.map { _ in tracked.addVariable(upper: lane.capacity) }) + [tracked.addVariable(upper: lane.capacity)]
            family.append(sources)
            // Split of the lane's flow, whatever its destinations.
            tracked.addConstraint(sources.map { ($0, 1.0) } + flowVariables[l].map { ($0, -1.0) }, lower: 0, upper: 0)
            guard let y = decision[l] else { continue }
            for (g, s) in givers.enumerated() {
                tracked.addConstraint([(sources[g], 1), (y, -caps[s])], upper: 0)
            }
        }
        // A family is injected only at its source (everyone else's: anywhere but at a giver);
        // elsewhere what leaves is at most what arrived of it.
        for f in 0...givers.count {
            for j in 0..<n where f == givers.count ? roles[j] == .giver : j != givers[f] {
                var terms: [(variable: Int, coefficient: Double)] = lanesOut[j].map { (family[$0][f], 1.0) }
                terms += lanesIn[j].map { (family[$0][f], -(1 - lanes[$0].rate)) }
                if !terms.isEmpty { tracked.addConstraint(terms, upper: 0) }
            }
        }
        return tracked
    }
}
