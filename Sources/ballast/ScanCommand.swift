import ArgumentParser
import BallastCore
import BallastReports
import Foundation

struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find arbitrage across every chain pair, net of fees, gas and pool depth.")

    @OptionGroup var market: MarketOptions

    @Option(help: "A strategy file (YAML) with an arbitrage section; - reads standard input.")
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
