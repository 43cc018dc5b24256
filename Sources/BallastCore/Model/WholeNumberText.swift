extension Double {
    /// The value rounded to a whole number, as text for messages, without the trap of
    /// `Int(self)`: a figure beyond 10¹⁵ (or not finite) prints in scientific notation.
    public var wholeNumberText: String {
        let rounded = self.rounded()
        guard rounded.isFinite, abs(rounded) < 1e15 else { return "\(self)" }
        return String(Int64(rounded))
    }
}
