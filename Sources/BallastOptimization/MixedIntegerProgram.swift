import CCbc
import Foundation

/// A linear program, or a mixed-integer one when some variables must be integers:
/// minimise `Σ cost·x` subject to bounds on each variable and on each constraint's sum.
///
/// A plain value: built by the caller, solved by ``CBC``, and replayable (the same program
/// always gives the same solution). Codable, so another solver can be handed the same program
/// (infinite bounds encode as the strings `"Infinity"` and `"-Infinity"` under
/// ``jsonEncoder``, which ``jsonDecoder`` reads back).
public struct MixedIntegerProgram: Sendable, Codable {
    public struct Variable: Sendable, Hashable, Codable {
        public var lower: Double
        public var upper: Double
        public var cost: Double
        public var isInteger: Bool
    }

    /// `lower ≤ Σ coefficient·x[variable] ≤ upper`.
    public struct Constraint: Sendable, Hashable, Codable {
        public var variables: [Int]
        public var coefficients: [Double]
        public var lower: Double
        public var upper: Double

        /// `lower ≤ Σ terms ≤ upper`. Terms naming one variable twice are summed.
        public init(_ terms: [(variable: Int, coefficient: Double)], lower: Double = -.infinity, upper: Double = .infinity) {
            var merged: [Int: Double] = [:]
            for term in terms where term.coefficient != 0 { merged[term.variable, default: 0] += term.coefficient }
            let sorted = merged.sorted { $0.key < $1.key }
            variables = sorted.map(\.key)
            coefficients = sorted.map(\.value)
            self.lower = lower
            self.upper = upper
        }
    }

    public private(set) var variables: [Variable] = []
    public private(set) var constraints: [Constraint] = []

    public init() {}

    /// Adds a variable and returns its index.
    @discardableResult
    public mutating func addVariable(lower: Double = 0, upper: Double = .infinity, cost: Double = 0,
                                     integer: Bool = false) -> Int {
        variables.append(Variable(lower: lower, upper: upper, cost: cost, isInteger: integer))
        return variables.count - 1
    }

    /// Adds `lower ≤ Σ terms ≤ upper`. Terms naming one variable twice are summed.
    public mutating func addConstraint(_ terms: [(variable: Int, coefficient: Double)], lower: Double = -.infinity,
                                       upper: Double = .infinity) {
        constraints.append(Constraint(terms, lower: lower, upper: upper))
    }

    /// Adds rows built elsewhere, such as cuts found on a relaxation.
    public mutating func addConstraints(_ rows: [Constraint]) {
        precondition(rows.allSatisfy { $0.variables.allSatisfy { $0 >= 0 && $0 < variables.count } }, "a row names a variable the program lacks")
        constraints += rows
    }

    /// The same program minimising `Σ costs[i]·x[i]` instead.
    public func withCosts(_ costs: [Double]) -> MixedIntegerProgram {
        precondition(costs.count == variables.count, "one cost per variable")
        var other = self
        for i in other.variables.indices { other.variables[i].cost = costs[i] }
        return other
    }

    /// True when no variable must be an integer.
    public var isLinear: Bool { !variables.contains(where: \.isInteger) }

    /// The same program with the given variables fixed to values and made continuous: the
    /// linear program that is left once the integer decisions are taken.
    public func fixing(_ values: [Int: Double]) -> MixedIntegerProgram {
        var fixed = self
        for (index, value) in values {
            fixed.variables[index].lower = value
            fixed.variables[index].upper = value
            fixed.variables[index].isInteger = false
        }
        return fixed
    }

    /// The constraint matrix in compressed sparse columns, as CBC and CLP load it.
    func columnMatrix() -> (starts: [CoinBigIndex], rows: [Int32], values: [Double]) {
        var columnRows = [[Int32]](repeating: [], count: variables.count)
        var columnValues = [[Double]](repeating: [], count: variables.count)
        for (row, constraint) in constraints.enumerated() {
            for (variable, coefficient) in zip(constraint.variables, constraint.coefficients) {
                columnRows[variable].append(Int32(row))
                columnValues[variable].append(coefficient)
            }
        }
        var starts: [CoinBigIndex] = [0]
        starts.reserveCapacity(variables.count + 1)
        for rows in columnRows { starts.append(starts.last! + CoinBigIndex(rows.count)) }
        return (starts, columnRows.flatMap { $0 }, columnValues.flatMap { $0 })
    }

    /// An encoder for programs: JSON cannot hold an infinite bound as a number.
    public static var jsonEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    /// The decoder that reads what ``jsonEncoder`` writes.
    public static var jsonDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// `Σ cost·x` for the given values.
    public func objective(of values: [Double]) -> Double {
        zip(variables, values).reduce(0) { $0 + $1.0.cost * $1.1 }
    }
}

/// CLP's and CBC's infinity is the largest finite double.
func coinBound(_ value: Double) -> Double {
    value == .infinity ? .greatestFiniteMagnitude : value == -.infinity ? -.greatestFiniteMagnitude : value
}
