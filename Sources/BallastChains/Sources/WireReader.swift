import BallastCore
import BigInt
import Foundation

/// Reads a parsed API body field by field; every failure names the path it was at
/// (`estimate.gasCosts[0].amountUSD: expected a decimal string, got number 1.2`).
struct WireReader {
    let value: DocumentValue
    let path: String

    init(_ value: DocumentValue, path: String = "") {
        self.value = value
        self.path = path
    }

    /// Parses a body with the strict JSON reader (duplicate keys, NaN and deep nesting refused).
    static func parse(_ body: Data) throws(SourceError) -> WireReader {
        do {
            return WireReader(try DocumentParser.json(body, source: "body"))
        } catch {
            throw SourceError(error.problems.first?.message ?? "not valid JSON")
        }
    }

    private func fail(_ what: String) -> SourceError {
        SourceError("\(path.isEmpty ? "the body" : path): \(what), got \(value.described)")
    }

    /// A key from the body may be anything: it is made printable before it names a path.
    private func child(_ key: String) -> String {
        let name = DocumentValue.printable(String(key.prefix(80)))
        return path.isEmpty ? name : "\(path).\(name)"
    }

    func object() throws(SourceError) -> [String: DocumentValue] {
        guard case .object(let fields) = value else { throw fail("expected an object") }
        return fields
    }

    func field(_ key: String) throws(SourceError) -> WireReader {
        guard let found = try object()[key], found != .null else {
            throw SourceError("\(child(key)): missing")
        }
        return WireReader(found, path: child(key))
    }

    func optionalField(_ key: String) throws(SourceError) -> WireReader? {
        guard let found = try object()[key], found != .null else { return nil }
        return WireReader(found, path: child(key))
    }

    func array() throws(SourceError) -> [WireReader] {
        guard case .array(let items) = value else { throw fail("expected a list") }
        return items.enumerated().map { WireReader($1, path: "\(path)[\($0)]") }
    }

    func string() throws(SourceError) -> String {
        guard case .string(let text) = value else { throw fail("expected a string") }
        return text
    }

    func bool() throws(SourceError) -> Bool {
        guard case .bool(let flag) = value else { throw fail("expected true or false") }
        return flag
    }

    /// A finite number; `positive` refuses zero and below (a price of 0 is no price).
    func number(positive: Bool = false) throws(SourceError) -> Double {
        guard case .number(let n) = value, n.isFinite else { throw fail("expected a number") }
        if positive, !(n > 0) { throw fail("expected a positive number") }
        if n < 0 { throw fail("expected a number not below 0") }
        return n
    }

    /// A number given either as a JSON number or as decimal text (APIs do both).
    func looseNumber() throws(SourceError) -> Double {
        if case .string(let text) = value {
            guard let n = Double(text), n.isFinite, n >= 0 else { throw fail("expected a non-negative number") }
            return n
        }
        return try number()
    }

    /// An integer amount of a token's smallest units, as decimal text: `"1000000000000000000"`.
    func units() throws(SourceError) -> BigUInt {
        if case .number(let n) = value, n >= 0, n == n.rounded(), n < 9_007_199_254_740_992 {
            return BigUInt(UInt64(n))  // a small integer sent as a number is still exact
        }
        guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 78,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let units = BigUInt(text, radix: 10) else { throw fail("expected a whole number of token units as a decimal string") }
        return units
    }

    /// A duration in whole seconds (rounded up), as a number or a decimal string; a week at
    /// most, so a hostile figure cannot overflow what holds it.
    func seconds() throws(SourceError) -> Int {
        let seconds = try looseNumber()
        guard seconds <= 604_800 else { throw fail("expected at most a week of seconds") }
        return Int(seconds.rounded(.up))
    }

    /// Seconds since 1970, as a number or a decimal string.
    func epochSeconds() throws(SourceError) -> Date {
        let seconds = try looseNumber()
        guard seconds > 0, seconds < 1e11 else { throw fail("expected seconds since 1970") }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// Token units (an integer count of the smallest unit) as an exact `Amount`.
enum TokenUnits {
    /// Nil when the amount has more integer digits than an `Amount` holds.
    static func amount(_ units: BigUInt, decimals: Int) -> Amount? {
        guard units.bitWidth < 127 else { return nil }
        let value = Amount(units: Int128(String(units))!, scale: decimals)
        // Within the integer digits every amount may carry (what the snapshot reader accepts).
        return Amount(value.description).map { _ in value }
    }

    static func amount(_ units: BigUInt, decimals: Int, what: String) throws(SourceError) -> Amount {
        guard let value = amount(units, decimals: decimals) else {
            throw SourceError("\(what) of \(units) units is too large to hold")
        }
        return value
    }
}
