import ArgumentParser
import BallastCore
import BallastReports
import Foundation

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan the cheapest transfers that bring each token back to its target distribution.")

    @OptionGroup var market: MarketOptions

    @Option(help: "A strategy file (YAML) with a rebalance section; - reads standard input.")
    var strategy: String

    @Option(help: "Output: a table for people, or JSON for programs.")
    var format: OutputFormat = .table

    func run() async throws {
        try await reportingFailures {
            // The strategy is read before the market: a pull takes seconds, a typo must not wait for it.
            let strategy = try Inputs.strategy(strategy)
            guard let rebalancer = Rebalancer(strategy: strategy) else {
                throw InputFailure(exit: ExitStatus.badInput, lines: ["\(self.strategy): strategy \(strategy.name) has no rebalance section"])
            }
            let snapshot = try await market.load()
            let report = rebalancer.plan(snapshot)
            switch format {
            case .json: print(try JSONOutput.string(report))
            case .table: print(PlanTable.render(report, strategy: strategy))
            }
            // A desk must not read "nothing planned" as "nothing to do".
            if report.nothingPlanned { throw ExitStatus.unavailable }
        }
    }
}
