import Foundation

/// Reads the fields of one object, logging a problem for each field that is missing,
/// of the wrong type or out of range, and (on `finish`) for each key nobody asked for.
///
/// Problems read `entry: prefix.key message`, so nested objects name their full key path.
package final class FieldReader {
    package let entry: String?
    private let prefix: String
    private let fields: [String: DocumentValue]
    package let log: ProblemLog
    private var consumed: Set<String> = []
    private let problemsBefore: Int

    /// Nil when `value` is not an object; the problem is logged against `what`.
    package init?(_ value: DocumentValue, entry: String?, prefix: String = "", what: String, log: ProblemLog) {
        guard case .object(let fields) = value else {
            log.add(entry, "\(what) must be an object, got \(value.described)")
            return nil
        }
        self.entry = entry
        self.prefix = prefix
        self.fields = fields
        self.log = log
        problemsBefore = log.problems.count
    }

    /// True while nothing has been logged since this reader was made: no field of this
    /// object (nor of objects read through it) was missing, malformed or unknown. Read it
    /// after `finish`.
    package var isClean: Bool { log.problems.count == problemsBefore }

    package func fail(_ key: String, _ message: String) {
        log.add(entry, "\(prefix)\(key) \(message)")
    }

    /// The raw value, marking the key as read; logs "is required" when absent and required.
    package func value(_ key: String, required: Bool = true) -> DocumentValue? {
        consumed.insert(key)
        guard let value = fields[key], value != .null else {
            if required { fail(key, "is required") }
            return nil
        }
        return value
    }

    /// Peeks at a string without consuming it, for labelling an entry before reading it.
    package func peekString(_ key: String) -> String? {
        if case .string(let s) = fields[key] { s } else { nil }
    }

    package func string(_ key: String, required: Bool = true) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard case .string(let s) = value, !s.isEmpty else {
            fail(key, "must be a non-empty string, got \(value.described)")
            return nil
        }
        return s
    }

    /// A finite number within `range`.
    package func number(_ key: String, required: Bool = true, in range: NumberRange = .any) -> Double? {
        guard let value = value(key, required: required) else { return nil }
        guard case .number(let n) = value else {
            fail(key, "must be a number, got \(value.described)")
            return nil
        }
        guard n.isFinite else {
            fail(key, "must be a finite number, got \(n)")
            return nil
        }
        if let complaint = range.complaint(n) {
            fail(key, "\(complaint), got \(DocumentValue.format(n))")
            return nil
        }
        return n
    }

    package func integer(_ key: String, required: Bool = true, in range: NumberRange = .any) -> Int? {
        guard let n = number(key, required: required, in: range) else { return nil }
        guard n == n.rounded(), abs(n) < 1e15 else {
            fail(key, "must be a whole number, got \(n)")
            return nil
        }
        return Int(n)
    }

    /// An exact decimal string with at most `decimals` decimals.
    package func amount(_ key: String, required: Bool = true, decimals: Int?, in range: AmountRange) -> Amount? {
        guard let value = value(key, required: required) else { return nil }
        guard case .string(let text) = value else {
            fail(key, "must be a decimal string such as \"120.5\", got \(value.described)")
            return nil
        }
        guard let amount = Amount(text) else {
            fail(key, "must be a plain decimal such as \"120.5\" (at most \(Amount.maxIntegerDigits) integer digits and \(Amount.maxScale) decimals), got \"\(text.prefix(60))\"")
            return nil
        }
        if let decimals, amount.scale > decimals {
            fail(key, "has \(amount.scale) decimals but the token has \(decimals), got \"\(text)\"")
            return nil
        }
        if let complaint = range.complaint(amount) {
            fail(key, "\(complaint), got \(amount)")
            return nil
        }
        return amount
    }

    package func time(_ key: String, required: Bool = true) -> Date? {
        guard let value = value(key, required: required) else { return nil }
        guard case .string(let text) = value, let date = Timestamp.parse(text) else {
            fail(key, "must be an RFC 3339 time such as \"2026-11-24T12:00:00Z\", got \(value.described)")
            return nil
        }
        return date
    }

    package func array(_ key: String, required: Bool = true) -> [DocumentValue]? {
        guard let value = value(key, required: required) else { return nil }
        guard case .array(let items) = value else {
            fail(key, "must be a list, got \(value.described)")
            return nil
        }
        return items
    }

    /// A nested object, read with its key added to the path.
    package func object(_ key: String, required: Bool = true) -> FieldReader? {
        guard let value = value(key, required: required) else { return nil }
        return FieldReader(value, entry: entry, prefix: "\(prefix)\(key).", what: "\(prefix)\(key)", log: log)
    }

    /// The keys of a free-form map (such as targets), with their values.
    package func entries() -> [(key: String, value: DocumentValue)] {
        consumed.formUnion(fields.keys)
        return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Logs one problem per key that was never read: a typo must not pass silently.
    package func finish() {
        for key in fields.keys.sorted() where !consumed.contains(key) {
            log.add(entry, "\(prefix)\(key) is not a known key")
        }
    }
}

/// Bounds for a number field, with the wording of the complaint.
package struct NumberRange {
    package var min: Double?
    package var minInclusive = true
    package var max: Double?
    package var maxInclusive = true
    /// The least magnitude other than zero, where finer figures cannot be computed exactly.
    package var leastNonzero: Double?

    package init(min: Double? = nil, minInclusive: Bool = true, max: Double? = nil, maxInclusive: Bool = true, leastNonzero: Double? = nil) {
        self.min = min
        self.minInclusive = minInclusive
        self.max = max
        self.maxInclusive = maxInclusive
        self.leastNonzero = leastNonzero
    }

    package static let any = NumberRange()
    package static let positive = NumberRange(min: 0, minInclusive: false)
    package static let nonNegative = NumberRange(min: 0)
    /// Basis points of a fee: at least 0, below 100%.
    package static let feeBps = NumberRange(min: 0, max: 10_000, maxInclusive: false)
    /// A share of a token's total (a target, a band, the threshold): 0, or a billionth of a
    /// billionth and more, so that every share of any balance is exact in token units.
    package static let share = NumberRange(min: 0, max: 1, leastNonzero: 1e-18)
    package static let bandShare = NumberRange(min: 0, max: 1, maxInclusive: false, leastNonzero: 1e-18)

    // The documented ranges (docs/configuration.md, docs/snapshot-format.md). Beyond them a
    // figure is a mistake, and products of them would leave the range any table or sum handles.
    /// A sum of money in USD: up to a trillion.
    package static let usd = NumberRange(min: 0, max: 1e12)
    package static let positiveUSD = NumberRange(min: 0, minInclusive: false, max: 1e12)
    /// A token's price in USD: from a trillionth to a trillion of a dollar.
    package static let priceUSD = NumberRange(min: 1e-12, max: 1e12)
    /// Basis points that are not a fee (a return, a deviation): up to a hundredfold.
    package static let bps = NumberRange(min: 0, max: 1_000_000)
    package static let positiveBps = NumberRange(min: 0, minInclusive: false, max: 1_000_000)
    /// An age or a duration in seconds: up to a year.
    package static let seconds = NumberRange(min: 0, minInclusive: false, max: 31_536_000)
    /// A whole number of seconds, zero allowed: up to a year.
    package static let wholeSeconds = NumberRange(min: 0, max: 31_536_000)

    package func complaint(_ n: Double) -> String? {
        if let min, minInclusive ? n < min : n <= min {
            // Zero and below is worded as such, whatever the exact least is.
            if min > 0, n <= 0 { return "must be positive" }
            return min == 0 ? (minInclusive ? "must not be negative" : "must be positive")
                : "must be \(minInclusive ? "at least" : "above") \(DocumentValue.format(min))"
        }
        if let max, maxInclusive ? n > max : n >= max {
            return "must be \(maxInclusive ? "at most" : "below") \(DocumentValue.format(max))"
        }
        if let leastNonzero, n != 0, abs(n) < leastNonzero {
            return "must be 0 or at least \(DocumentValue.format(leastNonzero))"
        }
        return nil
    }
}

package enum AmountRange {
    case positive, nonNegative

    package func complaint(_ a: Amount) -> String? {
        switch self {
        case .positive: a.isPositive ? nil : "must be positive"
        case .nonNegative: a.isNegative ? "must not be negative" : nil
        }
    }
}
