import Testing

/// Benchmarks refuse sizes that make no sense or would not fit in memory, before doing anything.
@Suite struct BenchCommandTests {
    @Test(arguments: [
        ["bench", "pull", "--connections-per-host", "0"],
        ["bench", "pull", "--latency-ms=-5"],
        ["bench", "pull", "--chains", "5", "--fanout", "9"],
        ["bench", "scan", "--chains", "100000", "--tokens", "100000"],
        ["bench", "plan", "--chains", "2"],
        ["bench", "journal", "--runs", "0"],
    ])
    func nonsenseIsABadCommandLine(_ arguments: [String]) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("Error: need"), "\(result.stderr)")
    }
}
