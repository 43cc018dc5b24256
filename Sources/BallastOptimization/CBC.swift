import CCbc
import CCbcGuard
import Synchronization

/// How far a solve may go. The node budget is what bounds the search, so the same program
/// gives the same answer on any machine; the time cap is only a safety net, and a solution
/// says when it fired.
public struct SolverLimits: Sendable, Hashable {
    /// Branch-and-bound nodes CBC may explore.
    public var maxNodes: Int
    /// Wall-clock seconds after which CBC stops anyway. Reaching it makes the result machine-dependent.
    public var safetySeconds: Double

    /// CBC's cutting planes and feasibility pump at the root. Off by default: on the
    /// rebalancer's plans they cost far more than they gain (measured: a 30-chain plan took
    /// 140 s with them, the pump alone 21 s; on 20-chain plans root cuts narrowed the gap from
    /// 37% to 28% in five times the time). Rounding and diving heuristics stay on unless the
    /// solve has a start: they find plans.
    public var rootCutsAndPump: Bool

    public init(maxNodes: Int, safetySeconds: Double = 120, rootCutsAndPump: Bool = false) {
        self.maxNodes = maxNodes
        self.safetySeconds = safetySeconds
        self.rootCutsAndPump = rootCutsAndPump
    }
}

/// What a solve found.
public struct Solution: Sendable {
    public enum Status: Sendable, Hashable {
        /// The values are optimal (within CBC's tolerances): `bound == objective`.
        case optimal
        /// The budget ran out with a solution in hand; `bound` says how far from optimal it can be.
        case feasible
        /// No solution satisfies the constraints.
        case infeasible
        /// The budget ran out before any solution was found, or CBC gave up.
        case noSolution
        /// CBC or CLP failed one of its own internal checks on this program (rare, numerical).
        case failed
    }

    public var status: Status
    /// One value per variable; empty without a solution.
    public var values: [Double]
    public var objective: Double
    /// A proven lower bound on the objective of every solution.
    public var bound: Double
    public var nodes: Int
    /// True when the wall-clock safety cap, not the node budget, ended the search.
    public var stoppedByTimeCap: Bool
}

/// COIN-OR CBC (branch and cut over CLP's simplex), through its C interface.
public enum CBC {
    /// CBC keeps solver state that is not safe to share between threads, even across models:
    /// one solve at a time in the process. This lock is the only state here, and it guards
    /// nothing but the C library.
    private static let solving = Mutex(())

    /// Solves `program`, minimising its objective, within `limits`. `start`, one value per
    /// variable, is a solution to begin from: CBC takes its integer values, solves for the
    /// rest, and searches only for better (a start that is not feasible is ignored). With a
    /// start, CBC's own primal heuristics are off and only branching looks for better.
    public static func solve(_ program: MixedIntegerProgram, limits: SolverLimits, start: [Double]? = nil) -> Solution {
        let n = program.variables.count
        guard n > 0 else {
            let feasible = program.constraints.allSatisfy { $0.lower <= 0 && 0 <= $0.upper }
            return Solution(status: feasible ? .optimal : .infeasible, values: [], objective: 0, bound: 0, nodes: 0,
                            stoppedByTimeCap: false)
        }
        let matrix = program.columnMatrix()
        let columnLower = program.variables.map { coinBound($0.lower) }
        let columnUpper = program.variables.map { coinBound($0.upper) }
        let cost = program.variables.map(\.cost)
        let rowLower = program.constraints.map { coinBound($0.lower) }
        let rowUpper = program.constraints.map { coinBound($0.upper) }

        return solving.withLock { _ in
            guard let model = Cbc_newModel() else {
                return Solution(status: .noSolution, values: [], objective: 0, bound: -.infinity, nodes: 0, stoppedByTimeCap: false)
            }
            Cbc_loadProblem(model, Int32(n), Int32(program.constraints.count), matrix.starts, matrix.rows, matrix.values,
                            columnLower, columnUpper, cost, rowLower, rowUpper)
            for (i, variable) in program.variables.enumerated() where variable.isInteger { Cbc_setInteger(model, Int32(i)) }
            if let start, start.count == n {
                let integers = program.variables.indices.filter { program.variables[$0].isInteger }
                Cbc_setMIPStartI(model, Int32(integers.count), integers.map { Int32($0) }, integers.map { start[$0].rounded() })
            }
            Cbc_setObjSense(model, 1)
            // CBC 2.10 logs to standard output unless told not to; that would corrupt JSON output.
            Cbc_setLogLevel(model, 0)
            Cbc_setMaximumNodes(model, Int32(clamping: limits.maxNodes))
            Cbc_setMaximumSeconds(model, limits.safetySeconds)
            // Search to proven optimality within the budget, not to CBC's default 0.01% gap.
            Cbc_setAllowableFractionGap(model, 1e-9)
            Cbc_setAllowableGap(model, 1e-9)
            // A binary at 1e-6 would let a fixed-cost lane carry flow almost for free.
            Cbc_setParameter(model, "integerTolerance", "1e-9")
            if start != nil {
                // A caller with a start has searched already (the rebalancer's PlanSearch): CBC's
                // rounding and diving heuristics then found no better plan on 10–30-chain
                // benchmarks and took 15–30% of the time; branching does the rest.
                Cbc_setParameter(model, "heuristicsOnOff", "off")
            }
            if !limits.rootCutsAndPump {
                Cbc_setParameter(model, "cuts", "off")
                Cbc_setParameter(model, "feas", "off")
            }
            guard ballast_cbc_solve_guarded(model) == 0 else {
                // CBC or CLP failed one of its own assertions: the model is left as it is (see guard.c).
                return Solution(status: .failed, values: [], objective: .infinity, bound: -.infinity, nodes: 0, stoppedByTimeCap: false)
            }
            defer { Cbc_deleteModel(model) }

            let nodes = Int(Cbc_getNodeCount(model))
            let timeCap = Cbc_isSecondsLimitReached(model) != 0
            if Cbc_isProvenInfeasible(model) != 0 {
                return Solution(status: .infeasible, values: [], objective: .infinity, bound: .infinity, nodes: nodes,
                                stoppedByTimeCap: timeCap)
            }
            let hasSolution = program.isLinear ? Cbc_isProvenOptimal(model) != 0 : Cbc_bestSolution(model) != nil
            guard hasSolution, let solution = Cbc_getColSolution(model) else {
                return Solution(status: .noSolution, values: [], objective: .infinity, bound: -.infinity, nodes: nodes,
                                stoppedByTimeCap: timeCap)
            }
            let values = Array(UnsafeBufferPointer(start: solution, count: n))
            let objective = program.objective(of: values)
            let optimal = Cbc_isProvenOptimal(model) != 0
            let bound = optimal ? objective : min(objective, Cbc_getBestPossibleObjValue(model))
            return Solution(status: optimal ? .optimal : .feasible, values: values, objective: objective, bound: bound,
                            nodes: nodes, stoppedByTimeCap: timeCap)
        }
    }

    /// Runs `body` with `program` loaded in CLP as a linear program, under the lock every solve
    /// takes; nil if CLP could not make a model. The session must not escape `body`.
    public static func withLinearSession<T: Sendable>(_ program: MixedIntegerProgram, _ body: (LinearSession) -> T) -> T? {
        solving.withLock { _ in LinearSession(program).map(body) }
    }
}
