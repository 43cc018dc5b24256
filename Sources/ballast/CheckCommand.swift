import ArgumentParser
import BallastCore
import BallastReports
import Foundation

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a snapshot or a chains directory, and a strategy; report every problem found.",
        discussion: "Reads no network. Exits 0 when everything is valid and agrees, 65 when anything is wrong.")

    @Option(help: "A market snapshot (JSON, format version 1); - reads standard input.")
    var snapshot: String?

    @Option(help: "A directory of chain files (chains/*.yaml); ${NAME} references are checked against the environment.")
    var chains: String?

    @Option(help: "A strategy file (YAML); - reads standard input.")
    var strategy: String

    @Option(help: "Output: a table for people, or JSON for programs.")
    var format: OutputFormat = .table

    func validate() throws {
        guard (snapshot == nil) != (chains == nil) else { throw ValidationError("give exactly one of --snapshot FILE and --chains DIR") }
    }

    func run() async throws {
        try await reportingFailures(check)
    }

    private func check() async throws {
        var problems: [CheckProblem] = []
        var loadedSnapshot: Snapshot?
        var loadedStrategy: Strategy?
        var summary: [String] = []
        var warnings: [String] = []
        // Each input is checked even when the other is broken, so one run shows everything.
        do {
            if let snapshot {
                let s = try Inputs.snapshot(snapshot)
                loadedSnapshot = s
                summary.append("\(Inputs.name(snapshot)): " + [Figures.count(s.chains.count, "chain"), Figures.count(s.tokens.count, "token"), Figures.count(s.prices.count, "price"),
                                                       Figures.count(s.routes.count, "route"), Figures.count(s.balances.count, "balance")].joined(separator: ", "))
            } else if let chains {
                let market = try Inputs.market(chains)
                // The strategy is checked against what the chain files define.
                loadedSnapshot = Inputs.skeleton(market)
                let sources = market.chains.reduce(0) { $0 + $1.prices.count }
                let routes = market.chains.reduce(0) { total, chain in total + chain.bridges.reduce(0) { $0 + $1.destinations.count * $1.tokens.count } }
                summary.append("\(chains): " + [Figures.count(market.chains.count, "chain"), Figures.count(market.tokens.count, "token"),
                                                     Figures.count(sources, "price source"), Figures.count(routes, "bridge route")].joined(separator: ", "))
                // Not an error: a market can be scanned without a treasury. But plans need balances.
                warnings += market.chains.filter { $0.treasury == nil }.map {
                    "\(chains): chain \($0.name) has no treasury, so its balances are unknown and no token with a target there can be planned"
                }
            }
        } catch let failure as InputFailure {
            problems += failure.lines.map { CheckProblem(line: $0) }
            if failure.exit == ExitStatus.unavailable { return try finish(problems, warnings: warnings, exit: failure.exit) }
        }
        do { loadedStrategy = try Inputs.strategy(strategy) } catch let failure as InputFailure {
            problems += failure.lines.map { CheckProblem(line: $0) }
            if failure.exit == ExitStatus.unavailable { return try finish(problems, warnings: warnings, exit: failure.exit) }
        }
        if let loadedSnapshot, let loadedStrategy {
            problems += loadedStrategy.problems(against: loadedSnapshot).map { CheckProblem(line: "\(Inputs.name(strategy)): \($0)") }
        }
        if let s = loadedStrategy {
            summary.append("\(Inputs.name(strategy)): strategy \(s.name), \(Figures.count(s.tokens.count, "token"))")
        }
        try finish(problems, warnings: warnings, exit: ExitStatus.badInput, summary: summary)
    }

    private func finish(_ problems: [CheckProblem], warnings: [String], exit: ExitCode, summary: [String] = []) throws {
        switch format {
        case .json:
            let report = CheckReport(ok: problems.isEmpty, problems: problems.map(\.line), warnings: warnings)
            print(try JSONOutput.string(report))
        case .table:
            for line in problems.map(\.line) { print("✗ \(line)") }
            for line in warnings { print("⚠ \(line)") }
            if problems.isEmpty {
                for line in summary { print("✓ \(line)") }
            } else {
                print("\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
            }
        }
        if !problems.isEmpty { throw exit }
    }
}

private struct CheckProblem {
    var line: String
}

private struct CheckReport: Encodable {
    var ok: Bool
    var problems: [String]
    var warnings: [String]
}
