/// An exact decimal quantity: a token amount, or a USD reserve.
///
/// The value is `units / 10^scale`, always normalised (no trailing zero digits), so equal
/// values compare and hash equal. Money that leaves the program is printed from this
/// type, never from a `Double`.
public struct Amount: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let units: Int128
    /// Digits after the decimal point, 0 through `maxScale`.
    public let scale: Int

    /// The most decimals any amount carries (EVM tokens have at most 18).
    public static let maxScale = 18
    /// The most integer digits accepted, so that sums of many amounts stay far from overflow.
    public static let maxIntegerDigits = 18

    public static let zero = Amount(normalizing: 0, scale: 0)

    /// Creates `units / 10^scale`, dropping trailing zeros.
    public init(units: Int128, scale: Int) {
        precondition((0...36).contains(scale), "scale out of range")
        self.init(normalizing: units, scale: scale)
    }

    public init(_ integer: Int) {
        self.init(normalizing: Int128(integer), scale: 0)
    }

    private init(normalizing units: Int128, scale: Int) {
        var s = scale
        // 128-bit division is done in software; most amounts fit 64 bits, where it is one instruction.
        if var small = Int64(exactly: units) {
            while s > 0, small % 10 == 0 {
                small /= 10
                s -= 1
            }
            self.units = Int128(small)
        } else {
            var u = units
            while s > 0, u % 10 == 0 {
                u /= 10
                s -= 1
            }
            self.units = u
        }
        self.scale = s
    }

    /// Parses plain decimal text: optional `-`, digits, optionally `.` and digits.
    /// No exponent, no spaces, no `+`, at most `maxScale` decimals and `maxIntegerDigits` integer digits.
    public init?(_ text: some StringProtocol) {
        var bytes = Substring(text).utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        let integerPart = bytes.prefix { $0 != UInt8(ascii: ".") }
        let fractionPart = bytes.dropFirst(integerPart.count + 1)
        let hasPoint = integerPart.count < bytes.count
        guard !integerPart.isEmpty, !(hasPoint && fractionPart.isEmpty),
              integerPart.count <= Self.maxIntegerDigits, fractionPart.count <= Self.maxScale,
              integerPart.allSatisfy(Self.isDigit), fractionPart.allSatisfy(Self.isDigit)
        else { return nil }
        var units: Int128 = 0
        for byte in integerPart { units = units * 10 + Int128(byte - UInt8(ascii: "0")) }
        for byte in fractionPart { units = units * 10 + Int128(byte - UInt8(ascii: "0")) }
        self.init(normalizing: negative ? -units : units, scale: fractionPart.count)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The largest amount with `decimals` decimals not above `value` (exact, from the
    /// binary value itself, not from its printed form); nil for NaN, infinities and
    /// values too large to hold.
    public init?(flooring value: Double, decimals: Int) {
        precondition((0...Self.maxScale).contains(decimals))
        guard value.isFinite, abs(value) < 1e19 else { return nil }
        if value == 0 {
            self = .zero
            return
        }
        // |value| = significand · 2^exponent with an integer significand below 2^53.
        let magnitude = abs(value)
        let exponent = Int(magnitude.exponent) - Double.significandBitCount
        let significand = Int128(magnitude.significandBitPattern | (magnitude.isNormal ? 1 << 52 : 0))
        let scaled = significand * Self.powerOfTen(decimals)  // < 2^53 · 10^18 < 2^113
        var units: Int128
        var inexact = false
        // Shift amounts are Int128 so the shifts compile to instructions, not generic calls.
        if exponent >= 0 {
            units = scaled << Int128(exponent)  // |value| < 1e19, so this stays below 10^37
        } else if -exponent >= 127 {
            units = 0
            inexact = scaled != 0
        } else {
            units = scaled >> Int128(-exponent)
            inexact = units << Int128(-exponent) != scaled
        }
        if value < 0 { units = -units - (inexact ? 1 : 0) }
        self.init(normalizing: units, scale: decimals)
    }

    @inline(__always) static func powerOfTen(_ n: Int) -> Int128 { powersOfTen[n] }

    /// 10⁰ through 10³⁸, the largest that fits.
    private static let powersOfTen: [Int128] = {
        var table: [Int128] = [1]
        for _ in 1...38 { table.append(table[table.count - 1] * 10) }
        return table
    }()

    public var isNegative: Bool { units < 0 }
    public var isZero: Bool { units == 0 }
    public var isPositive: Bool { units > 0 }

    /// The nearest `Double`, for economics; never for output.
    public var doubleValue: Double {
        let value = units.approximateDouble
        return scale == 0 ? value : value / Self.doublePowersOfTen[scale]
    }

    private static let doublePowersOfTen: [Double] = (0...36).map { pow10Double($0) }
    private static func pow10Double(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= 10 }
        return result
    }

    /// Rounds toward negative infinity to at most `decimals` decimals.
    public func roundedDown(toDecimals decimals: Int) -> Amount {
        guard scale > decimals else { return self }
        let divisor = Self.powerOfTen(scale - decimals)
        var quotient = units / divisor
        if units < 0, units % divisor != 0 { quotient -= 1 }
        return Amount(normalizing: quotient, scale: decimals)
    }

    /// The amount in a token's smallest units (`decimals` of them make one); nil when it has
    /// more decimals than the token or does not fit.
    public func smallestUnits(decimals: Int) -> Int128? {
        guard (0...36).contains(decimals), scale <= decimals else { return nil }
        let (product, overflow) = units.multipliedReportingOverflow(by: Self.powerOfTen(decimals - scale))
        return overflow ? nil : product
    }

    private static func aligned(_ a: Amount, _ b: Amount) -> (Int128, Int128, Int) {
        let scale = Swift.max(a.scale, b.scale)
        return (a.units * powerOfTen(scale - a.scale), b.units * powerOfTen(scale - b.scale), scale)
    }

    public static func + (a: Amount, b: Amount) -> Amount {
        let (x, y, scale) = aligned(a, b)
        return Amount(normalizing: x + y, scale: scale)
    }

    public static func - (a: Amount, b: Amount) -> Amount {
        let (x, y, scale) = aligned(a, b)
        return Amount(normalizing: x - y, scale: scale)
    }

    public static prefix func - (a: Amount) -> Amount {
        Amount(normalizing: -a.units, scale: a.scale)
    }

    public static func < (a: Amount, b: Amount) -> Bool {
        let (x, y, _) = aligned(a, b)
        return x < y
    }

    public static func min(_ a: Amount, _ b: Amount) -> Amount { a < b ? a : b }
    public static func max(_ a: Amount, _ b: Amount) -> Amount { a < b ? b : a }

    /// Plain decimal text with no exponent and no trailing zeros: `120.5`, `0.0001`, `-3`.
    public var description: String {
        let digits = String(units.magnitude)
        let sign = units < 0 ? "-" : ""
        guard scale > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: Swift.max(0, scale + 1 - digits.count)) + digits
        let point = padded.index(padded.endIndex, offsetBy: -scale)
        return sign + padded[..<point] + "." + padded[point...]
    }
}
