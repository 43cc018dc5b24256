import BallastOptimization
import Foundation

/// What each chain adds to a set of chains' need for tokens from outside it (see
/// ``PlanFormulation/cutSetTerms(into:lossCap:ledger:)``), worked out once for the many sets a
/// separation round weighs.
struct CutSetLedger {
    /// Per chain, `w·B + c − b` under its rule (0 for a chain below target that is not short).
    let deficit: [Double]
    /// Per chain, its share w, which the fees L take from (0 for such a chain).
    let weight: [Double]
    /// What a need must exceed to be one: the solver's tolerance and the unmet shortfall it allows.
    let allowance: Double, tolerance: Double

    init(_ formulation: PlanFormulation) {
        let book = formulation.book
        let total = book.total.doubleValue
        deficit = book.chains.indices.map { j in
            let held = book.balance[j].doubleValue
            switch formulation.roles[j] {
            case .holder: return 0
            case .giver: return book.weights[j] * total - formulation.dust - held
            case .short: return book.weights[j] * total + formulation.margin[j] - held
            }
        }
        weight = book.chains.indices.map { formulation.roles[$0] == .holder ? 0 : book.weights[$0] }
        allowance = formulation.allowedUnmet
        tolerance = 1e-6 * max(total, 1)
    }
}

extension PlanFormulation {
    /// The terms of `Σ_{l into T} min(1, cap_l/d)·y_l ≥ 1` for a set T of chains that, in every
    /// plan meeting the shortfall whose fees take at most `lossCap` tokens, must receive at least
    /// d > 0 from outside it; nil when T need not, or a free lane reaches it.
    ///
    /// What the chains end with sums to what they hold less the fees L, and each ends at or above
    /// its rule (`w·(B − L) + c`, or its balance for a chain below target that is not short). So
    /// T ends with at least `Σ_T (w·(B − L) + c)`, and what arrives from outside must make up
    /// `d = Σ_T (w·B + c − b) − L·W_T` and whatever T's own lanes lose or send out. When the
    /// rest is a single chain, with no lanes of its own, summing over the rest instead gives
    /// `d` without the loss term (L only lowers the rest's rules less than it lowers the total):
    /// then `lossCap` is not needed.
    func cutSetTerms(into member: [Bool], lossCap: Double, ledger: CutSetLedger) -> [(variable: Int, coefficient: Double)]? {
        guard let (least, entering) = cutSet(into: member, lossCap: lossCap, ledger: ledger) else { return nil }
        var terms: [(variable: Int, coefficient: Double)] = []
        for l in entering {
            // A lane open for free can carry it all: nothing to say.
            guard let y = decision[l] else { return nil }
            terms.append((y, min(1, mostCarried(by: lanes[l]) / least)))
        }
        return terms
    }

    /// What T must receive from outside (see above) and the lanes that reach it from outside;
    /// nil when it need not, or no lane reaches it (then no plan does, and the program says so).
    private func cutSet(into member: [Bool], lossCap: Double, ledger: CutSetLedger) -> (least: Double, entering: [Int])? {
        var deficit = 0.0, weight = 0.0, outside = 0
        for j in member.indices {
            if member[j] {
                deficit += ledger.deficit[j]
                weight += ledger.weight[j]
            } else {
                outside += 1
            }
        }
        guard outside > 0, outside < member.count else { return nil }
        if outside > 1 { deficit -= lossCap * weight }
        let least = deficit - ledger.allowance
        guard least > ledger.tolerance else { return nil }
        // From the smaller side: separation weighs thousands of sets of three and their complements.
        var entering: [Int] = []
        if outside <= member.count / 2 {
            for j in member.indices where !member[j] {
                for l in lanesOut[j] where member[lanes[l].to] { entering.append(l) }
            }
        } else {
            for j in member.indices where member[j] {
                for l in lanesIn[j] where !member[lanes[l].from] { entering.append(l) }
            }
        }
        return entering.isEmpty ? nil : (least, entering)
    }

    /// Cut-set rows that `values` (a relaxation's solution) violates, over sets of one to three
    /// chains and their complements: the most violated first, at most `limit`. Each is the flow
    /// form `Σ_{l ∉ C} x_l + Σ_{l ∈ C} min(cap_l, d)·y_l ≥ d` over the lanes into T, with C the
    /// charged lanes whose flow `values` opens less than that: either a lane of C is open and
    /// can bring all of d, or the lanes outside C bring it (what arrives is at most what is sent).
    func violatedCutSets(_ values: [Double], lossCap: Double, limit: Int) -> [MixedIntegerProgram.Constraint] {
        let n = book.chains.count
        let ledger = CutSetLedger(self)
        let carried = laneFlows(values)
        var found: [(violation: Double, order: Int, row: MixedIntegerProgram.Constraint)] = []
        var member = [Bool](repeating: false, count: n)
        func weigh(_ chosen: [Int]) {
            for complement in [false, true] {
                for j in 0..<n { member[j] = complement }
                for j in chosen { member[j] = !complement }
                guard let (least, entering) = cutSet(into: member, lossCap: lossCap, ledger: ledger) else { continue }
                var arriving = 0.0
                var terms: [(variable: Int, coefficient: Double)] = []
                for l in entering {
                    let most = min(mostCarried(by: lanes[l]), least)
                    if let y = decision[l], most * values[y] < carried[l] {
                        arriving += most * values[y]
                        terms.append((y, most / least))
                    } else {
                        arriving += carried[l]
                        terms += flowVariables[l].map { ($0, 1 / least) }
                    }
                }
                if arriving < least * (1 - 1e-4) { found.append((1 - arriving / least, found.count, .init(terms, lower: 1))) }
            }
        }
        for a in 0..<n {
            weigh([a])
            for b in (a + 1)..<n {
                weigh([a, b])
                for c in (b + 1)..<n { weigh([a, b, c]) }
            }
        }
        return found.sorted { ($0.violation, $1.order) > ($1.violation, $0.order) }.prefix(limit).map(\.row)
    }

    /// Tokens fees take at most in a plan cheaper than `incumbentUSD`; nil without a finite one.
    func lossCap(incumbentUSD: Double) -> Double? {
        let cheapestPrice = lanes.map(\.price).min() ?? 0
        guard cheapestPrice > 0, incumbentUSD.isFinite else { return nil }
        return incumbentUSD / cheapestPrice
    }

    /// Re-solves `session`'s relaxation with the cut-set rows its solutions violate, round after
    /// round until none is found, `rounds` have run, or a re-solve needs more than `iterations`
    /// simplex iterations (a deterministic cap); returns the last objective solved and every row
    /// added. Each row holds for every plan cheaper than `incumbentUSD`, so every objective on
    /// the way is a bound.
    func tightenWithCutSets(_ session: LinearSession, from solved: (values: [Double], objective: Double),
                            incumbentUSD: Double, rounds: Int, iterations: Int? = nil,
                            rowsPerRound: Int = 60) -> (objective: Double, rows: [MixedIntegerProgram.Constraint]) {
        guard !isLinear, !isAggregated, let cap = lossCap(incumbentUSD: incumbentUSD) else { return (solved.objective, []) }
        var current = solved, added: [MixedIntegerProgram.Constraint] = []
        if let iterations { session.limitIterations(iterations) }
        for _ in 0..<rounds {
            let cuts = violatedCutSets(current.values, lossCap: cap, limit: rowsPerRound)
            guard !cuts.isEmpty else { break }
            session.addConstraints(cuts)
            added += cuts
            guard let next = session.solve() else { break }
            current = next
        }
        return (current.objective, added)
    }
}
