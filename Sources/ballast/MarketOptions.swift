import ArgumentParser
import BallastCore

/// Where the market comes from: a saved snapshot (for replay and analysis).
struct MarketOptions: ParsableArguments {
    @Option(help: "A market snapshot (JSON, format version 1).")
    var snapshot: String

    func load() async throws -> Snapshot {
        try Inputs.snapshot(snapshot)
    }
}
