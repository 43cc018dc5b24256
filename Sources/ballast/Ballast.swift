import ArgumentParser

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
}
