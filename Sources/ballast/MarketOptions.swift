import ArgumentParser
import BallastChains
import BallastCore
import BallastHTTP
import Foundation

/// Where the market comes from: a saved snapshot (replay, analysis), or the live sources
/// of a chains directory, pulled once.
struct MarketOptions: ParsableArguments {
    @Option(help: "A market snapshot (JSON, format version 1); - reads standard input.")
    var snapshot: String?

    @Option(help: "A directory of chain files (chains/*.yaml): pull the market from its sources now.")
    var chains: String?

    @Option(help: "With --chains: also save what was pulled, so the decision can be replayed.")
    var saveSnapshot: String?

    @OptionGroup var pull: PullOptions

    func validate() throws {
        guard (snapshot == nil) != (chains == nil) else { throw ValidationError("give exactly one of --snapshot FILE and --chains DIR") }
        if saveSnapshot != nil, chains == nil { throw ValidationError("--save-snapshot goes with --chains") }
    }

    /// `config`: the chain files, when the caller has already read them (a cycle reads the market twice).
    func load(config: MarketConfig? = nil) async throws -> Snapshot {
        if let snapshot { return try Inputs.snapshot(snapshot) }
        if let saveSnapshot { try SnapshotFile.checkWritable(saveSnapshot) }
        let report = try await pull.run(chains: chains!, config: config)
        if let saveSnapshot { try SnapshotFile.write(report.snapshot, to: saveSnapshot) }
        return report.snapshot
    }
}

/// How a pull behaves: its deadline and the deviation it reports.
struct PullOptions: ParsableArguments {
    @Option(help: "Seconds the whole pull may take, retries included.")
    var deadline: Double = 10

    @Option(help: "Seconds one request to one source may take once it runs.")
    var requestTimeout: Double = 4

    @Option(help: "Report a price source this many bps from the median of its (chain, token)'s sources.")
    var maxDeviationBps: Double = 100

    func validate() throws {
        guard deadline > 0, deadline <= 600 else { throw ValidationError("--deadline must be between 0 and 600 seconds") }
        guard requestTimeout > 0, requestTimeout <= 600 else { throw ValidationError("--request-timeout must be between 0 and 600 seconds") }
        guard maxDeviationBps > 0 else { throw ValidationError("--max-deviation-bps must be positive") }
    }

    var settings: PullSettings {
        var settings = PullSettings(maxDeviationBps: maxDeviationBps)
        settings.deadline = .milliseconds(Int64(deadline * 1000))
        settings.requestTimeout = min(.milliseconds(Int64(requestTimeout * 1000)), settings.deadline)
        return settings
    }

    /// Loads the chain files and pulls the market once, reporting failed sources on
    /// standard error. Throws "unavailable" when nothing at all could be read.
    func run(chains: String, config: MarketConfig? = nil) async throws -> PullReport {
        let market = try config ?? Inputs.market(chains)
        let puller = MarketPuller(market: market, client: HTTPClient(), settings: settings)
        let report = await puller.pull()
        PullSummary.write(report)
        if report.snapshot.prices.isEmpty, report.snapshot.routes.isEmpty, report.snapshot.balances.isEmpty {
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(chains): no source gave any data; nothing to decide from"])
        }
        return report
    }
}

/// A pull's outcome for the operator, on standard error so data on standard output stays clean.
enum PullSummary {
    /// Up to this many failures are listed one by one; more are summarised by cause.
    static let listedFailures = 10

    static func write(_ report: PullReport) {
        FileHandle.standardError.write(Data((lines(report).map(DocumentValue.printable).joined(separator: "\n") + "\n").utf8))
    }

    static func lines(_ report: PullReport) -> [String] {
        let s = report.snapshot
        let ms = Int(report.elapsed / .milliseconds(1))
        let failures = report.failures
        let chains = Figures.count(s.chains.count, "chain")
        var lines: [String]
        if s.prices.isEmpty, s.routes.isEmpty, s.balances.isEmpty {
            lines = ["pulled nothing from \(chains) in \(ms) ms: \(Figures.count(failures.count, "source")) failed"]
            // Every source that was asked failed to be reached (what follows from that, such as
            // balances left out, does not count against the diagnosis).
            let asked = failures.filter { $0.code != .unavailable && $0.code != .deadline }
            if !asked.isEmpty, asked.allSatisfy(\.code.isNetwork) {
                lines.append("! no source could be reached: the network looks unreachable from here (check DNS, a proxy or a firewall)")
            }
        } else {
            lines = ["pulled \(chains) in \(ms) ms: \(Figures.count(s.prices.count, "price")), \(Figures.count(s.routes.count, "route")) (\(report.cachedRoutes) from cache), \(Figures.count(s.balances.count, "balance")); \(Figures.count(failures.count, "source")) failed"]
        }
        if failures.count <= listedFailures {
            lines += failures.map { "✗ \($0)" }
        } else {
            // Many failures usually share a cause: one line per cause, with a few of its sources and one reason.
            let byCause = Dictionary(grouping: failures, by: \.code).sorted { ($0.value.count, $1.key.description) > ($1.value.count, $0.key.description) }
            for (code, group) in byCause {
                let named = group.prefix(3).map(\.source).joined(separator: ", ") + (group.count > 3 ? ", …" : "")
                lines.append("✗ \(group.count) \(code): \(named)")
                lines.append("    e.g. \(group[0].reason)")
            }
        }
        lines += report.priceIssues.map { "! \($0)" }
        return lines
    }
}

/// Writes a snapshot atomically: a reader never sees half a file.
enum SnapshotFile {
    /// Fails before a pull, not after it, when the file's directory is missing or cannot be written.
    static func checkWritable(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: directory)
        else {
            throw InputFailure(exit: ExitStatus.cannotCreate, lines: ["\(path): cannot write the snapshot there (no such directory, or not writable)"])
        }
    }

    static func write(_ snapshot: Snapshot, to path: String) throws {
        let data = try snapshot.encodedJSON()
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw InputFailure(exit: ExitStatus.cannotCreate, lines: ["\(path): cannot write the snapshot: \(error.localizedDescription)"])
        }
    }
}
