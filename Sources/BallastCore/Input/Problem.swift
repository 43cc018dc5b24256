/// One thing wrong with an input, naming where it is: `prices[3] (arbitrum/WETH): price_usd must be positive, got -1`.
public struct Problem: Sendable, Hashable, CustomStringConvertible {
    /// The entry (`prices[3] (arbitrum/WETH)`), or nil for the document as a whole.
    public var entry: String?
    public var message: String

    public init(entry: String?, message: String) {
        self.entry = entry
        self.message = message
    }

    public var description: String {
        entry.map { "\($0): \(message)" } ?? message
    }
}

/// Every problem found in one input; thrown instead of a half-valid value.
public struct InvalidInput: Error, Sendable, CustomStringConvertible {
    /// Names the input, for example a file path.
    public var source: String
    public var problems: [Problem]

    public init(source: String, problems: [Problem]) {
        self.source = source
        self.problems = problems
    }

    public var description: String {
        problems.map { "\(source): \($0)" }.joined(separator: "\n")
    }
}

/// Collects problems while a document is read, so one pass reports all of them.
package final class ProblemLog {
    package init() {}

    package private(set) var problems: [Problem] = []

    package func add(_ entry: String?, _ message: String) {
        problems.append(Problem(entry: entry, message: message))
    }

    package var isEmpty: Bool { problems.isEmpty }
}
