import ArgumentParser
import Foundation

@main
struct Ballast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ballast",
        abstract: "Cross-chain arbitrage detection and treasury rebalancing.",
        discussion: """
            Exit codes: 0 success; 64 bad command line; 65 bad input (a snapshot, strategy or \
            config that fails validation); 69 data unavailable; 70 internal error; 73 cannot write an output file; \
            74 the journal cannot be used; 75 try later (journal locked, receiver unreachable).
            """,
        version: Ballast.version,
        subcommands: [Scan.self, Plan.self, SnapshotCommand.self, Rebalance.self, Serve.self, Health.self, JournalCommand.self,
                      Pause.self, Resume.self, Check.self, BacktestCommand.self, SandboxCommand.self, Bench.self]
    )

    static let version = "0.2.0"

    /// ArgumentParser's own `main`, and one more check: output that could not be written (a full
    /// disk under `plan --format json > plan.json`) is exit 73, never a silent success.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            // The command's own failure is the exit status that matters.
            exit(withError: error)
        }
        guard fflush(nil) != 0 else { return }
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(Data("error: cannot write standard output: \(reason)\n".utf8))
        Foundation.exit(ExitStatus.cannotCreate.rawValue)
    }
}
