import ArgumentParser
import BallastCore
import Foundation

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Pull the market once from the sources of a chains directory and save it as a snapshot.",
        discussion: """
            Sources that fail are reported on standard error and left out; the snapshot holds \
            everything that was read and checked. Exits 0 when a snapshot was written, 69 when \
            no source gave any data.
            """)

    @Option(help: "A directory of chain files (chains/*.yaml).")
    var chains: String

    @Option(help: "Where to write the snapshot; standard output when absent.")
    var out: String?

    @OptionGroup var pull: PullOptions

    func run() async throws {
        try await reportingFailures {
            if let out { try SnapshotFile.checkWritable(out) }
            let report = try await pull.run(chains: chains)
            if let out {
                try SnapshotFile.write(report.snapshot, to: out)
            } else {
                print(String(decoding: try report.snapshot.encodedJSON(), as: UTF8.self))
            }
        }
    }
}
