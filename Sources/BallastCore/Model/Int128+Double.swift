extension Int128 {
    /// The nearest `Double`, or within an ulp or two of it.
    ///
    /// `Double(Int128)` compiles to a slow generic call, so convert by hand: exactly via
    /// Int64 when the value fits, else from two 64-bit halves (|value| ≥ 2⁶³ there, so the
    /// halves cannot cancel).
    @inline(__always) var approximateDouble: Double {
        if self >= -0x7FFF_FFFF_FFFF_FFFF && self <= 0x7FFF_FFFF_FFFF_FFFF {
            return Double(Int64(truncatingIfNeeded: self))
        }
        let high = Int64(truncatingIfNeeded: self >> (64 as Int128))
        let low = UInt64(truncatingIfNeeded: self & 0xFFFF_FFFF_FFFF_FFFF)
        return Double(high) * 18_446_744_073_709_551_616.0 + Double(low)
    }
}
