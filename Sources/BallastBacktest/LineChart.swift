import BallastReports
import Foundation

/// A small inline-SVG line chart: no script, no external asset, every label escaped.
struct LineChart {
    struct Series {
        var name: String
        var values: [Double]
        var colour: String
        var dashed = false
    }

    var width = 560.0
    var height = 160.0
    var label: String
    var series: [Series]
    /// Shaded between two series of the same length (a target band).
    var band: (low: [Double], high: [Double])?

    private let pad = (left: 64.0, right: 8.0, top: 8.0, bottom: 18.0)

    func svg() -> String {
        let all = series.flatMap(\.values) + (band?.low ?? []) + (band?.high ?? [])
        let finite = all.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high - low < 1e-12 { (low, high) = (low - 1, high + 1) }
        let count = max(2, series.map(\.values.count).max() ?? 2)
        let plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom
        func x(_ i: Int) -> Double { pad.left + plotW * Double(i) / Double(count - 1) }
        func y(_ v: Double) -> Double { pad.top + plotH * (1 - (v - low) / (high - low)) }
        func path(_ values: [Double]) -> String {
            values.enumerated().filter { $0.element.isFinite }.map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }.joined(separator: " ")
        }
        var out = String(format: "<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%@\">",
                         width, height, width, height, HTMLText.escape(label))
        out += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fafbfc\" stroke=\"#dde1e8\"/>", pad.left, pad.top, plotW, plotH)
        if let band, !band.low.isEmpty {
            let upper = band.high.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }
            let lower = band.low.enumerated().reversed().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }
            out += "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"#d9ead3\" stroke=\"none\"/>"
        }
        for s in series {
            out += "<polyline class=\"series\" data-series=\"\(HTMLText.escape(s.name))\" points=\"\(path(s.values))\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"1.5\"\(s.dashed ? " stroke-dasharray=\"4 3\"" : "")/>"
        }
        out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>", pad.left - 4, pad.top + 10, Self.short(high))
        out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>", pad.left - 4, pad.top + plotH, Self.short(low))
        return out + "</svg>"
    }

    /// 1234567 → 1.23M: axis labels that fit.
    static func short(_ value: Double) -> String {
        let magnitude = abs(value)
        return switch magnitude {
        case 1e9...: String(format: "%.2fB", value / 1e9)
        case 1e6...: String(format: "%.2fM", value / 1e6)
        case 1e3...: String(format: "%.1fk", value / 1e3)
        case 1...: String(format: "%.2f", value)
        default: String(format: "%.4g", value)
        }
    }
}
