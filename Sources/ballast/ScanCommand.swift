import ArgumentParser
import BallastCore
import Foundation

struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find arbitrage across every chain pair, net of fees, gas and pool depth.")

    @OptionGroup var market: MarketOptions

    @Option(help: "A strategy file (YAML) with an arbitrage section.")
    var strategy: String

    @Option(help: "Output: a table for people, or JSON for programs.")
    var format: OutputFormat = .table

    @Option(help: "Show at most this many opportunities.")
    var top: Int?

    @Flag(help: "Also show the most promising rejected routes and why they were rejected.")
    var explain = false

    @Option(help: "How many rejected routes --explain shows.")
    var explainCount = 10

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        if explainCount < 1 { throw ValidationError("--explain-count must be at least 1") }
    }

    func run() async throws {
        try await reportingFailures {
            // The strategy is read before the market: a pull takes seconds, a typo must not wait for it.
            let strategy = try Inputs.strategy(strategy)
            guard let detector = ArbitrageDetector(strategy: strategy) else {
                throw InputFailure(exit: ExitStatus.badInput, lines: ["\(self.strategy): strategy \(strategy.name) has no arbitrage section"])
            }
            let snapshot = try await market.load()
            var report = detector.scan(snapshot, explain: explain ? explainCount : 0)
            let found = report.opportunities.count
            if let top { report.opportunities = Array(report.opportunities.prefix(top)) }
            switch format {
            case .json: print(try JSONOutput.string(report))
            case .table: print(ScanTable.render(report, strategy: strategy, found: found))
            }
        }
    }
}

/// The scan as a person reads it: opportunities, then what was left out and why.
enum ScanTable {
    /// `found` counts every opportunity, when `--top` shows only the first few.
    static func render(_ report: ScanReport, strategy: Strategy, found: Int? = nil) -> String {
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
