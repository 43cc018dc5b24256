import BallastCore

/// A plain-text table for a terminal: a header, a rule, right-aligned numbers.
package struct Table {
    package enum Alignment { case left, right }

    struct Column {
        var title: String
        var alignment: Alignment
    }

    var columns: [Column]
    var rows: [[String]] = []

    package init(_ columns: [(String, Alignment)]) {
        self.columns = columns.map { Column(title: $0.0, alignment: $0.1) }
    }

    /// Cells come from inputs (chain, token and source names): control and format characters,
    /// bidi overrides among them, are dropped so no name can garble or forge the terminal.
    package mutating func add(_ row: [String]) {
        precondition(row.count == columns.count, "row width must match the header")
        rows.append(row.map(DocumentValue.printable))
    }

    package func render() -> String {
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
