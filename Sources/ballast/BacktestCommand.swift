import ArgumentParser
import BallastBacktest
import BallastCore
import BallastSandbox
import BallastStore
import Foundation

struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Run the service's decision loop in simulated time on a scenario or saved snapshots, against the seed's greedy rebalancer.",
        discussion: """
            Each step: the market moves, transfers land after their ETA with what their route delivers, and a \
            token out of its band that is not resting (rebalance.cooldown_seconds) gets a cycle, with the journal's \
            in-flight rules, exactly as `serve --live` against a custody system. Scenarios step one simulated minute \
            at a time on the simulated market (chain00…, USDC/WETH/WBTC/TK3…; strategies/scenario.yaml fits \
            its default five chains); --snapshots replays a directory of \
            snapshot files (from --save-snapshot or `ballast snapshot`) or a journal's recorded cycles, in time \
            order (or a single snapshot file), with the treasury starting from the first one's balances. The same inputs and seed give the same \
            report. See docs/sandbox.md. Exit codes: 0 done; 64 bad command line; 65 bad strategy or snapshot, or a \
            strategy that does not fit the market; 69 no snapshots; 73 cannot write the report; 74 the journal \
            cannot be read.
            """)

    @Option(help: "A strategy file (YAML) with a rebalance section; - reads standard input.")
    var strategy: String

    @Option(help: "calm, bull, bear, growth, shock, or all of them.")
    var scenario: String?

    @Option(help: "Steps of one simulated minute (with --scenario).")
    var steps = 1_440

    @Option(help: "The same seed gives the same run.")
    var seed: UInt64 = 1

    @Option(help: "Chains of the simulated market (with --scenario).")
    var chainCount = 5

    @Option(help: "Tokens of the simulated market (with --scenario).")
    var tokenCount = 3

    @Option(help: "A directory of snapshot JSON files, one snapshot file, or a journal file, to replay.")
    var snapshots: String?

    @Option(help: "Write a self-contained HTML report here.")
    var report: String?

    @Option(help: "Output: a table for people, or JSON for programs.")
    var format: OutputFormat = .table

    func validate() throws {
        guard (scenario == nil) != (snapshots == nil) else { throw ValidationError("give --scenario NAME or --snapshots PATH, one of them") }
        if let scenario, scenario != "all", Scenario(rawValue: scenario) == nil {
            throw ValidationError("--scenario must be calm, bull, bear, growth, shock or all")
        }
        guard (1...1_000_000).contains(steps) else { throw ValidationError("--steps must be 1–1000000") }
        guard (2...200).contains(chainCount) else { throw ValidationError("--chain-count must be 2–200") }
        guard (1...50).contains(tokenCount) else { throw ValidationError("--token-count must be 1–50") }
    }

    func run() async throws {
        try await reportingFailures {
            let (text, strategy) = try Inputs.strategyFile(self.strategy)
            guard strategy.rebalance != nil else {
                throw InputFailure(exit: ExitStatus.badInput, lines: ["\(self.strategy): strategy \(strategy.name) has no rebalance section"])
            }
            let sources: [BacktestSource]
            if let scenario {
                let chosen = scenario == "all" ? Scenario.allCases : [Scenario(rawValue: scenario)!]
                sources = chosen.map { .scenario($0, steps: steps, seed: seed, chains: chainCount, tokens: tokenCount) }
            } else {
                sources = [.snapshots(try Self.snapshots(snapshots!))]
            }
            let progress = ProgressBar()
            var results: [BacktestResult] = []
            for (i, source) in sources.enumerated() {
                let backtest: Backtest
                do { backtest = try Backtest(strategy: strategy, strategyText: text, source: source) } catch {
                    throw InputFailure(exit: ExitStatus.badInput, lines: ["\(error)"])
                }
                let label = sources.count > 1 ? "\(source.name) (\(i + 1)/\(sources.count))" : source.name
                do {
                    results.append(try await backtest.run { step, steps in progress.show(label, step, of: steps) })
                } catch let error as BacktestError {
                    throw InputFailure(exit: ExitStatus.badInput, lines: ["\(self.strategy): \(error)"])
                }
                progress.finish()
            }
            let output = BacktestOutput(strategy: strategy.name, results: results)
            if let report {
                do { try Data(BacktestReport.html(results, strategy: strategy.name).utf8).write(to: URL(fileURLWithPath: report)) } catch {
                    throw InputFailure(exit: ExitStatus.cannotCreate, lines: ["\(report): cannot write the report: \(error.localizedDescription)"])
                }
            }
            switch format {
            case .json: print(try output.json())
            case .table: print(output.table())
            }
        }
    }

    /// Snapshot files of a directory (`*.json`), or the snapshots a journal's cycles stored.
    static func snapshots(_ path: String) throws -> [Snapshot] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(path): no such directory or journal"])
        }
        var found: [Snapshot] = []
        if !isDirectory.boolValue, !isSQLite(path) {
            // Whatever its name: a snapshot saved without `.json` replays, and a file that is
            // neither is named as a bad snapshot, not as a damaged journal.
            found = [try Inputs.snapshot(path)]
        } else if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for name in names.sorted() where name.hasSuffix(".json") {
                found.append(try Inputs.snapshot((path as NSString).appendingPathComponent(name)))
            }
        } else {
            do {
                let journal = try SQLiteJournal(path: path, access: .readOnly)
                var sequence: Int64 = 1
                let last = try journal.lastCycle()?.sequence ?? 0
                while sequence <= last {
                    // Pruned cycles leave gaps.
                    if let cycle = try journal.cycle(sequence) {
                        do { found.append(try Snapshot.decode(json: cycle.snapshotJSON, source: "\(path) cycle \(sequence)")) } catch {
                            throw InputFailure(validation: error)
                        }
                    }
                    sequence += 1
                }
            } catch let error as JournalError {
                throw InputFailure(journal: error)
            }
        }
        guard !found.isEmpty else { throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(path): no snapshots to replay"]) }
        return found
    }

    /// Whether the file begins with SQLite's header, as every journal does.
    private static func isSQLite(_ path: String) -> Bool {
        guard let file = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? file.close() }
        return (try? file.read(upToCount: 16)) == Data("SQLite format 3\0".utf8)
    }
}

/// A progress bar on standard error, drawn only at a terminal (a pipe or a log gets none).
final class ProgressBar: Sendable {
    private let drawing = isatty(2) == 1

    func show(_ label: String, _ step: Int, of steps: Int) {
        guard drawing, steps > 0, step == steps || step % max(1, steps / 200) == 0 else { return }
        let width = 30, done = width * step / steps
        let bar = String(repeating: "#", count: done) + String(repeating: "-", count: width - done)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(100 * step / steps)% step \(step)/\(steps)".utf8))
    }

    func finish() { if drawing { FileHandle.standardError.write(Data("\n".utf8)) } }
}
