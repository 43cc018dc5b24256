import BallastOptimization
import Testing

@Suite struct CBCTests {
    /// Chvátal's first example, as a minimisation, with an optional cap on a.
    static func chvatal(aAtMost cap: Double = .infinity) -> (program: MixedIntegerProgram, a: Int, b: Int, c: Int) {
        var p = MixedIntegerProgram()
        let a = p.addVariable(upper: cap, cost: -5), b = p.addVariable(cost: -4), c = p.addVariable(cost: -3)
        p.addConstraint([(a, 2), (b, 3), (c, 1)], upper: 5)
        p.addConstraint([(a, 4), (b, 1), (c, 2)], upper: 11)
        p.addConstraint([(a, 3), (b, 4), (c, 2)], upper: 8)
        return (p, a, b, c)
    }

    /// max 5a + 4b + 3c st 2a + 3b + c ≤ 5, 4a + b + 2c ≤ 11, 3a + 4b + 2c ≤ 8 (Chvátal's first example): 13 at (2, 0, 1).
    @Test func solvesAKnownLinearProgram() {
        let (p, a, b, c) = Self.chvatal()
        let s = CBC.solve(p, limits: SolverLimits(maxNodes: 100))
        #expect(s.status == .optimal)
        #expect(abs(s.objective + 13) < 1e-9)
        #expect(abs(s.values[a] - 2) < 1e-9 && abs(s.values[b]) < 1e-9 && abs(s.values[c] - 1) < 1e-9)
    }

    /// A knapsack whose linear relaxation is fractional: items (value, weight) (10, 5), (7, 4), (6, 3), capacity 7.
    /// The integer optimum takes the last two (13); the relaxation would claim 10 + 7·(2/4) = 13.5.
    @Test func branchesToTheIntegerOptimum() {
        var p = MixedIntegerProgram()
        let items = [(10.0, 5.0), (7.0, 4.0), (6.0, 3.0)]
        let take = items.map { p.addVariable(upper: 1, cost: -$0.0, integer: true) }
        p.addConstraint(zip(take, items).map { ($0, $1.1) }, upper: 7)
        let s = CBC.solve(p, limits: SolverLimits(maxNodes: 100))
        #expect(s.status == .optimal)
        #expect(take.map { s.values[$0].rounded() } == [0, 1, 1])
        #expect(abs(s.objective + 13) < 1e-9)
        #expect(abs(s.bound - s.objective) < 1e-9)
    }

    /// Chvátal's example again, re-solved warm in one session as bounds and costs change: each
    /// answer must be what a fresh solve of the changed program gives, infeasible included.
    @Test func aLinearSessionReSolvesWhatItIsChanged() {
        let (p, a, _, c) = Self.chvatal()
        let answers = CBC.withLinearSession(p) { session -> [Double?] in
            var seen: [Double?] = [session.solve()?.objective]
            session.setBounds(a, lower: 0, upper: 1)             // a ≤ 1: b and c take over
            seen.append(session.solve()?.objective)
            session.setCosts([-1, -4, -3])                       // a worth less
            seen.append(session.solve()?.objective)
            session.setBounds(c, lower: 9, upper: 9)             // c = 9 breaks the first row
            seen.append(session.solve()?.objective)
            session.setBounds(c, lower: 0, upper: .infinity)
            seen.append(session.solve()?.objective)
            return seen
        }
        func optimum(_ program: MixedIntegerProgram) -> Double? {
            let s = CBC.solve(program, limits: SolverLimits(maxNodes: 0))
            return s.status == .optimal ? s.objective : nil
        }
        var expected = [optimum(p)]
        let capped = Self.chvatal(aAtMost: 1).program
        expected.append(optimum(capped))
        expected.append(optimum(capped.withCosts([-1, -4, -3])))
        expected.append(nil)
        expected.append(optimum(capped.withCosts([-1, -4, -3])))
        #expect(answers?.count == expected.count)
        for (got, want) in zip(answers ?? [], expected) {
            #expect((got == nil) == (want == nil))
            if let got, let want { #expect(abs(got - want) < 1e-9) }
        }
        #expect(abs((expected[0] ?? 0) + 13) < 1e-9)
    }

    /// Chvátal's optimum takes two pivots from the slack basis: capped at one, the session gives
    /// no answer rather than a point short of the optimum; with room, the optimum.
    @Test func aLinearSessionPastItsIterationCapGivesNoAnswer() {
        let (p, _, _, _) = Self.chvatal()
        let capped = CBC.withLinearSession(p) { session -> Double? in
            session.limitIterations(1)
            return session.solve()?.objective
        }
        #expect(capped == .some(nil))
        let roomy = CBC.withLinearSession(p) { session -> Double? in
            session.limitIterations(100)
            return session.solve()?.objective
        }
        #expect(abs((roomy ?? nil).map { $0 + 13 } ?? 1) < 1e-9)
    }

    /// Rows added to a solved session (cuts) are in force at its next solve: the same optimum
    /// as the program loaded with them, the old one cut off.
    @Test func rowsAddedToALinearSessionCutItsLastAnswerOff() throws {
        let (p, a, _, c) = Self.chvatal()
        let cut = MixedIntegerProgram.Constraint([(a, 1), (c, 1)], upper: 2)
        let (before, after) = try #require(CBC.withLinearSession(p) { session in
            (session.solve()?.objective, { session.addConstraints([cut]); return session.solve() }())
        })
        var withCut = p
        withCut.addConstraint([(a, 1), (c, 1)], upper: 2)
        let fresh = try #require(CBC.withLinearSession(withCut) { $0.solve() } ?? nil)
        #expect(abs((before ?? 0) + 13) < 1e-9)
        let answer = try #require(after)
        #expect(abs(answer.objective - fresh.objective) < 1e-9 && fresh.objective > -13 + 1e-6)
        #expect(answer.values[a] + answer.values[c] <= 2 + 1e-9)
    }

    @Test func reportsInfeasibility() {
        var p = MixedIntegerProgram()
        let x = p.addVariable(upper: 1, integer: true)
        p.addConstraint([(x, 2)], lower: 1, upper: 1)  // 2x = 1 has no integer solution
        #expect(CBC.solve(p, limits: SolverLimits(maxNodes: 100)).status == .infeasible)
    }

    @Test func fixingTurnsTheProgramLinear() {
        var p = MixedIntegerProgram()
        let y = p.addVariable(upper: 1, cost: 5, integer: true)
        let x = p.addVariable(cost: 1)
        p.addConstraint([(x, 1), (y, -10)], upper: 0)
        p.addConstraint([(x, 1)], lower: 3)
        let fixed = p.fixing([y: 1])
        #expect(fixed.isLinear)
        let s = CBC.solve(fixed, limits: SolverLimits(maxNodes: 0))
        #expect(s.status == .optimal)
        #expect(abs(s.objective - 8) < 1e-9)
    }
}
