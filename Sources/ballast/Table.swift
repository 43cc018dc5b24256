/// A plain-text table for a terminal: a header, a rule, right-aligned numbers.
struct Table {
    enum Alignment { case left, right }

    struct Column {
        var title: String
        var alignment: Alignment
    }

    var columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        self.columns = columns.map { Column(title: $0.0, alignment: $0.1) }
    }

    mutating func add(_ row: [String]) {
        precondition(row.count == columns.count, "row width must match the header")
        rows.append(row)
    }

    func render() -> String {
        let widths = columns.indices.map { i in
            ([columns[i].title] + rows.map { $0[i] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { i in
                let pad = String(repeating: " ", count: widths[i] - cells[i].count)
                return columns[i].alignment == .left ? cells[i] + pad : pad + cells[i]
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = [line(columns.map(\.title)), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// Figures for people: `$12,345.67`, `4.5 bps`.
enum Figures {
    /// Beyond this a figure is printed in scientific notation: grouping 300 digits helps nobody,
    /// and no integer type holds them.
    static let largest = 1e15

    static func usd(_ value: Double) -> String {
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

    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite, abs(fraction) < largest else { return String(format: "%.3e%%", fraction * 100) }
        return trimmed(String(format: "%.2f", fraction * 100)) + "%"
    }

    static func bps(_ value: Double) -> String {
        guard value.isFinite, abs(value) < largest else { return String(format: "%.3e", value) }
        return String(format: "%.1f", value)
    }

    /// `12.50` → `12.5`, `12.00` → `12`.
    private static func trimmed(_ fixed: String) -> String {
        var s = fixed
        while s.contains("."), s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
