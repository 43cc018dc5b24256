import Foundation

/// Figures for people: `$12,345.67`, `4.5 bps`.
public enum Figures {
    /// Beyond this a figure is printed in scientific notation: grouping 300 digits helps nobody,
    /// and no integer type holds them.
    public static let largest = 1e15

    public static func usd(_ value: Double) -> String {
        guard value.isFinite, abs(value) < largest else { return String(format: "%.3e", value) }
        let fixed = String(format: "%.2f", abs(value))
        let point = fixed.firstIndex(of: ".")!
        var digits = String(fixed[..<point]), grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        return (value < 0 && fixed != "0.00" ? "-" : "") + digits + grouped + fixed[point...]
    }

    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite, abs(fraction) < largest else { return String(format: "%.3e%%", fraction * 100) }
        return trimmed(String(format: "%.2f", fraction * 100)) + "%"
    }

    public static func bps(_ value: Double) -> String {
        guard value.isFinite, abs(value) < largest else { return String(format: "%.3e", value) }
        return String(format: "%.1f", value)
    }

    /// A token amount for a table: the integer part grouped (`1,363,500.3375`), at most
    /// `decimals` decimals, and `…` where digits were cut (JSON output keeps them all).
    public static func tokens(_ amount: Amount, decimals: Int = 6) -> String {
        let text = amount.description
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let parts = digits.split(separator: ".", maxSplits: 1)
        var integer = String(parts[0]), grouped = ""
        while integer.count > 3 {
            grouped = "," + integer.suffix(3) + grouped
            integer.removeLast(3)
        }
        var result = (negative ? "-" : "") + integer + grouped
        if parts.count == 2 {
            let fraction = parts[1]
            result += "." + fraction.prefix(decimals) + (fraction.count > decimals ? "…" : "")
        }
        return result
    }

    /// `1 token`, `2 tokens`, `1 opportunity`, `3 opportunities`.
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }

    /// `12.50` → `12.5`, `12.00` → `12`.
    private static func trimmed(_ fixed: String) -> String {
        var s = fixed
        while s.contains("."), s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
