import BallastCore
import Foundation

/// The scan as a person reads it: opportunities, then what was left out and why.
package enum ScanTable {
    /// `found` counts every opportunity, when `--top` shows only the first few.
    package static func render(_ report: ScanReport, strategy: Strategy, found: Int? = nil) -> String {
        var out: [String] = []
        let rules = strategy.arbitrage!
        out.append("Arbitrage at \(Timestamp.format(report.takenAt)) — strategy \(strategy.name): profit ≥ $\(Figures.usd(rules.minProfitUSD)), ROI ≥ \(Figures.bps(rules.minROIBps)) bps, trade ≤ $\(Figures.usd(rules.maxTradeUSD)), prices ≤ \(rules.maxPriceAgeSeconds.wholeNumberText) s old")
        let total = found ?? report.opportunities.count
        var counts = "\(Figures.count(report.routesConsidered, "route")) considered, \(Figures.count(total, "opportunity", "opportunities"))"
        if total > report.opportunities.count { counts += " (the best \(report.opportunities.count) shown)" }
        out.append(counts)
        out.append("")
        if report.opportunities.isEmpty {
            out.append("No opportunity qualifies.")
        } else {
            var table = Table([("TOKEN", .left), ("ROUTE", .left), ("BRIDGE", .left), ("AMOUNT", .right),
                               ("COST $", .right), ("FEES $", .right), ("PROFIT $", .right), ("ROI bps", .right), ("ETA", .right)])
            for o in report.opportunities {
                table.add([o.token, "\(o.buyChain) → \(o.sellChain)", o.bridge, Figures.tokens(o.amount),
                           Figures.usd(o.costUSD), Figures.usd(o.feesUSD), Figures.usd(o.profitUSD),
                           Figures.bps(o.roiBps), "\(o.etaSeconds) s"])
            }
            out.append(table.render())
            if report.opportunities.contains(where: { $0.costUSD > rules.maxTradeUSD }) {
                out.append("COST includes the buy side's swap fee and price impact; the trade cap applies to the amount at the buy chain's spot price.")
            }
        }
        if !report.priceIssues.isEmpty {
            out.append("")
            out.append("Price sources left out:")
            out += report.priceIssues.map { "  • \($0)" }
        }
        if !report.rejected.isEmpty {
            out.append("")
            out.append("Most promising rejected routes:")
            var table = Table([("TOKEN", .left), ("ROUTE", .left), ("BRIDGE", .left), ("BEST PROFIT $", .right), ("WHY", .left)])
            for r in report.rejected {
                table.add([r.token, "\(r.buyChain) → \(r.sellChain)", r.bridge,
                           r.bestProfitUSD.map(Figures.usd) ?? "—", r.reason.description])
            }
            out.append(table.render())
        }
        return out.joined(separator: "\n")
    }
}
