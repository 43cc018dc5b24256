/// Exact products and quotients of amounts, rounded to a chosen number of decimals.
///
/// Intermediates are 256 bits wide, so `a·b` and `a·10^k / b` never overflow on the way;
/// only a result that does not fit an `Amount` gives nil.
extension Amount {
    public enum Rounding: Sendable { case down, up }

    /// `a · b`, rounded to `decimals` decimals.
    public static func product(_ a: Amount, _ b: Amount, decimals: Int, rounding: Rounding) -> Amount? {
        let shift = a.scale + b.scale - decimals
        if shift >= 0 {
            return mulDiv(a.units, b.units, powerOfTen(shift), decimals: decimals, rounding: rounding)
        }
        guard -shift <= 38 else { return nil }
        let (scaled, overflow) = b.units.multipliedReportingOverflow(by: powerOfTen(-shift))
        guard !overflow else { return nil }
        return mulDiv(a.units, scaled, 1, decimals: decimals, rounding: rounding)
    }

    /// `a / b`, rounded to `decimals` decimals; nil when `b` is zero.
    public static func quotient(_ a: Amount, _ b: Amount, decimals: Int, rounding: Rounding) -> Amount? {
        guard !b.isZero else { return nil }
        let shift = decimals + b.scale - a.scale
        if shift >= 0 {
            guard shift <= 38 else { return nil }
            return mulDiv(a.units, powerOfTen(shift), b.units, decimals: decimals, rounding: rounding)
        }
        guard -shift <= 38 else { return nil }
        let (scaled, overflow) = b.units.multipliedReportingOverflow(by: powerOfTen(-shift))
        guard !overflow else { return nil }
        return mulDiv(a.units, 1, scaled, decimals: decimals, rounding: rounding)
    }

    /// `x·y/z` as units at `decimals`, rounded toward −∞ (down) or +∞ (up).
    private static func mulDiv(_ x: Int128, _ y: Int128, _ z: Int128, decimals: Int, rounding: Rounding) -> Amount? {
        guard z != 0, decimals <= 36 else { return nil }
        let negative = ((x < 0) != (y < 0)) != (z < 0) && x != 0 && y != 0
        let product = x.magnitude.multipliedFullWidth(by: y.magnitude)
        let divisor = z.magnitude
        guard product.high < divisor else { return nil }  // the quotient would not fit 128 bits
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        // Rounding away from zero on the magnitude is "up" for positives and "down" for negatives.
        let away = remainder != 0 && ((rounding == .up) != negative)
        let magnitude = quotient + (away ? 1 : 0)
        guard magnitude <= UInt128(Int128.max) else { return nil }
        let units = Int128(magnitude)
        return Amount(units: negative ? -units : units, scale: decimals)
    }

    /// The shortest decimal that reads back as `value`: for a number that arrived as
    /// decimal text (a JSON price, a YAML limit) that is the text itself, so `4.5` bps
    /// becomes exactly 4.5 and not the binary value nearest to it. Nil for NaN, infinities
    /// and what does not fit.
    public init?(decimalOf value: Double) {
        guard value.isFinite else { return nil }
        // Fast path: the fewest decimals s for which an integer m below 2^53 gives m / 10^s == value.
        // Both are exact doubles, so the division is correctly rounded: m/10^s reads back as value.
        var power = 1.0
        for scale in 0...17 {
            let m = (value * power).rounded()
            guard abs(m) < 9_007_199_254_740_992 else { break }
            if m / power == value {
                self.init(units: Int128(Int64(m)), scale: scale)
                return
            }
            power *= 10
        }
        // Swift prints the shortest round-trip form, in plain or exponent notation.
        let text = "\(value)"
        let parts = text.lowercased().split(separator: "e", maxSplits: 1)
        guard let mantissa = Amount(parts[0]) else { return nil }
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        if exponent >= 0 {
            guard exponent <= 36 else { return nil }
            let (scaled, overflow) = mantissa.units.multipliedReportingOverflow(by: Amount.powerOfTen(Swift.max(0, exponent - mantissa.scale)))
            guard !overflow else { return nil }
            self.init(units: scaled, scale: Swift.max(0, mantissa.scale - exponent))
        } else {
            let scale = mantissa.scale - exponent
            guard scale <= 36 else { return nil }
            self.init(units: mantissa.units, scale: scale)
        }
    }
}

extension Amount {
    /// The least amount of at most `decimals` decimals that is ≥ `value`; nil when out of range.
    init?(ceiling value: Double, decimals: Int) {
        guard let below = Amount(flooring: -value, decimals: decimals) else { return nil }
        self = -below
    }
}
