import ArgumentParser
import BallastCore
import BallastService
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: a tick loop, the HTTP API and dashboard, metrics and alerts.",
        discussion: """
            Every interval one tick pulls the market, scans it, and when a token leaves its band runs the \
            rebalancing cycle (dry-run unless --live, exactly as `rebalance --once`), one token at most once \
            per rebalance.cooldown_seconds. SIGHUP reloads the chain files and the strategy (a reload that fails \
            validation keeps the old ones); SIGTERM or SIGINT stops after journal writes and POSTs under way. \
            The API token comes from BALLAST_API_TOKEN; without it the service listens on loopback only, and \
            refuses changes. See docs/operations.md and docs/api.md. \
            Exit codes: 0 stopped by a signal; 64 bad command line; 65 bad configuration; 69 cannot listen \
            (the address is in use); 74 the journal cannot be used; 75 another process holds the journal.
            """)

    @Option(help: "A directory of chain files (chains/*.yaml).")
    var chains: String

    @Option(help: "A strategy file (YAML).")
    var strategy: String

    @OptionGroup var journal: JournalOptions

    @Flag(help: "Submit transfers through the strategy's execution webhook (default: dry-run).")
    var live = false

    @Option(help: "Seconds from the start of one tick to the start of the next.")
    var interval: Double = 30

    @Option(help: "Where the HTTP API listens: HOST:PORT (port 0 picks a free one).")
    var listen = "127.0.0.1:8080"

    @Option(help: "Log lines on standard output: json or text.")
    var logFormat: LineLogHandler.Format = .json

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Days the journal keeps the opportunities ticks saw (/v1/opportunities/history); older ones are forgotten as ticks record new ones. 0 keeps them all.")
    var keepOpportunitiesDays = 30

    @Option(help: "API connections open at once; more are closed as they arrive, so idle clients cannot take the descriptors ticks need.")
    var maxConnections = 256

    @Option(help: "Seconds an API connection may sit idle between requests before it is closed.")
    var idleTimeout: Double = 60

    @OptionGroup var pull: PullOptions

    func validate() throws {
        guard strategy != Inputs.standardInput else { throw ValidationError("--strategy must name a file: SIGHUP reads it again") }
        try Self.checkSeconds(interval, "--interval")
        guard (1...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be a whole number from 1 to 100000") }
        try Self.checkSeconds(idleTimeout, "--idle-timeout")
        guard (0...36_500).contains(keepOpportunitiesDays) else { throw ValidationError("--keep-opportunities-days must be a whole number of days from 0 to 36500") }
        guard Self.address(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8080 or [::1]:8080") }
    }

    /// A duration option in seconds: 0.01 to a day, kept to the millisecond.
    private static func checkSeconds(_ seconds: Double, _ option: String) throws {
        guard seconds.isFinite, seconds >= 0.01, seconds <= 86_400 else { throw ValidationError("\(option) must be between 0.01 and 86400 seconds") }
    }

    private static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1000)) }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        return (host, port)
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let (host, port) = Self.address(listen)!
        let format = logFormat, level = logLevel
        let logger = Logger(label: "ballast") { label in LineLogHandler(label: label, format: format, level: level) }
        let (chains, strategy) = (self.chains, self.strategy)
        let loader: ConfigurationLoader = { () throws(ConfigurationError) in
            do {
                return try Inputs.serviceConfiguration(chains: chains, strategy: strategy)
            } catch let failure as InputFailure {
                throw ConfigurationError(lines: failure.lines)
            } catch {
                throw ConfigurationError(lines: ["\(error)"])
            }
        }
        do {
            try await ServiceRunner.run(
                settings: ServiceSettings(
                    interval: Self.duration(interval), live: live, host: host, port: port,
                    apiToken: environment["BALLAST_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }, journalPath: journal.path,
                    pull: pull.settings, version: Ballast.version, environment: environment,
                    opportunityRetention: keepOpportunitiesDays == 0 ? nil : .seconds(keepOpportunitiesDays * 86_400),
                    maxConnections: maxConnections, idleTimeout: Self.duration(idleTimeout)),
                loader: loader, logger: logger)
        } catch let failure as ServiceRunner.StartFailure {
            Terminal.error(failure.description)
            switch failure {
            case .configuration: throw ExitStatus.badInput
            case .journal(let error): throw InputFailure(journal: error).exit
            case .journalHeld: throw ExitStatus.tryLater
            case .refused: throw ExitStatus.badInput
            }
        } catch {
            // Such as the address already in use: the service cannot run here.
            Terminal.error("cannot serve on \(listen): \(error)")
            throw ExitStatus.unavailable
        }
    }
}

extension LineLogHandler.Format: ExpressibleByArgument {}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension Inputs {
    /// The strategy and chain files as the service runs them, checked against each other.
    static func serviceConfiguration(chains: String, strategy path: String) throws -> ServiceConfiguration {
        let market = try Inputs.market(chains)
        let (text, strategy) = try Inputs.strategyFile(path)
        let problems = strategy.problems(against: skeleton(market))
        guard problems.isEmpty else { throw InputFailure(exit: ExitStatus.badInput, lines: problems.map { "\(path): \($0)" }) }
        return ServiceConfiguration(strategy: strategy, strategyText: text, market: market)
    }
}
