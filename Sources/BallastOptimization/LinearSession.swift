import CCbc
import CCbcGuard

/// A linear program held loaded in CLP and re-solved from its last basis as variable bounds
/// and costs change. A local search that opens and closes a few lanes at a time solves
/// thousands of nearly identical programs; loading each afresh would cost far more than
/// the pivots it needs. Integrality is ignored.
///
/// Only ``CBC/withLinearSession(_:_:)`` makes one, and it must not leave that call: CLP runs
/// under the same one-solve-at-a-time lock as CBC.
public final class LinearSession {
    public let variableCount: Int
    private let model: UnsafeMutableRawPointer
    private var lower: [Double], upper: [Double], costs: [Double]
    private var changedBounds = false, changedCosts = false, addedRows = false, solvedOnce = false, iterationsLimited = false
    /// CLP failed one of its own assertions in a solve: the model is left as it is (see
    /// guard.c) and every later solve answers nil.
    public private(set) var broken = false

    init?(_ program: MixedIntegerProgram) {
        guard let model = Clp_newModel() else { return nil }
        self.model = model
        let matrix = program.columnMatrix()
        variableCount = program.variables.count
        lower = program.variables.map { coinBound($0.lower) }
        upper = program.variables.map { coinBound($0.upper) }
        costs = program.variables.map(\.cost)
        Clp_loadProblem(model, Int32(variableCount), Int32(program.constraints.count), matrix.starts, matrix.rows,
                        matrix.values, lower, upper, costs, program.constraints.map { coinBound($0.lower) },
                        program.constraints.map { coinBound($0.upper) })
        Clp_setLogLevel(model, 0)
    }

    deinit { if !broken { Clp_deleteModel(model) } }

    /// Caps the simplex iterations of each solve: past it, the solve gives no answer. Iterations
    /// are the same on every machine, so a cap keeps a plan deterministic where time would not.
    public func limitIterations(_ iterations: Int) {
        Clp_setMaximumIterations(model, Int32(clamping: max(0, iterations)))
        iterationsLimited = true
    }

    /// Sets a variable's bounds for the next solve.
    public func setBounds(_ variable: Int, lower newLower: Double, upper newUpper: Double) {
        guard lower[variable] != coinBound(newLower) || upper[variable] != coinBound(newUpper) else { return }
        lower[variable] = coinBound(newLower)
        upper[variable] = coinBound(newUpper)
        changedBounds = true
    }

    /// Sets every variable's cost for the next solve.
    public func setCosts(_ newCosts: [Double]) {
        precondition(newCosts.count == variableCount, "one cost per variable")
        guard newCosts != costs else { return }
        costs = newCosts
        changedCosts = true
    }

    /// Adds rows for the next solve. Rows that cut the last solution off leave its basis dual
    /// feasible, so the next solve starts from it: far fewer pivots than solving afresh.
    public func addConstraints(_ constraints: [MixedIntegerProgram.Constraint]) {
        guard !broken else { return }
        guard !constraints.isEmpty else { return }
        var starts: [CoinBigIndex] = [0], columns: [Int32] = [], values: [Double] = []
        for constraint in constraints {
            precondition(constraint.variables.allSatisfy { $0 >= 0 && $0 < variableCount }, "a row names a variable the program lacks")
            columns += constraint.variables.map { Int32($0) }
            values += constraint.coefficients
            starts.append(CoinBigIndex(columns.count))
        }
        Clp_addRows(model, Int32(constraints.count), constraints.map { coinBound($0.lower) }, constraints.map { coinBound($0.upper) },
                    starts, columns, values)
        addedRows = true
    }

    /// The optimal values and objective, or nil when the program is infeasible or CLP gives up.
    public func solve() -> (values: [Double], objective: Double)? {
        guard !broken else { return nil }
        if changedBounds {
            Clp_chgColumnLower(model, lower)
            Clp_chgColumnUpper(model, upper)
        }
        if changedCosts { Clp_chgObjCoefficients(model, costs) }
        // From the last basis: new bounds keep it dual feasible, new costs keep it primal feasible.
        func run(_ call: BallastClpCall) { if !broken, ballast_clp_guarded(model, call) != 0 { broken = true } }
        if !solvedOnce {
            run(BallastClpInitialSolve)
        } else if changedBounds || addedRows {
            run(BallastClpDual)
        } else if changedCosts {
            run(BallastClpPrimal)
        }
        // A warm start that stalls is retried from scratch once; one stopped by the cap is not
        // (from scratch CLP's crash and primal pass ignore it: minutes at 100 chains, measured).
        let stoppedByCap = iterationsLimited && Clp_status(model) == 3
        if !broken, solvedOnce, Clp_status(model) != 0, Clp_status(model) != 1, !stoppedByCap { run(BallastClpInitialSolve) }
        guard !broken else { return nil }
        solvedOnce = true
        changedBounds = false
        changedCosts = false
        addedRows = false
        guard Clp_status(model) == 0, let solution = Clp_primalColumnSolution(model) else { return nil }
        let values = Array(UnsafeBufferPointer(start: solution, count: variableCount))
        return (values, zip(costs, values).reduce(0) { $0 + $1.0 * $1.1 })
    }
}
