import BallastChains
import BallastCore
import BallastReports
import Foundation

/// Files a person or another program writes: read exactly as the command line reads them.
enum DocumentTargets {
    static func json(_ input: Data) -> Bool {
        (try? DocumentParser.json(input, source: "fuzz")) != nil
    }

    static func strategy(_ input: Data) -> Bool {
        (try? Strategy.decode(yaml: DocumentParser.text(input, source: "fuzz"), source: "fuzz")) != nil
    }

    /// What `scan` and `plan` do with a strategy and a snapshot, both formats. A report that
    /// cannot be written as JSON is a finding: `ballast` would exit 70 on it.
    ///
    /// The solver's node budget is held to at most `maxSolveNodes`: a strategy may ask for ten
    /// million nodes, and that plan is slow by request, not a hang. (What a budget costs is
    /// `ballast bench plan`'s to measure.)
    static func snapshot(_ input: Data) -> Bool {
        let parts = FuzzTarget.parts(input)
        guard parts.count == 2,
              var strategy = try? Strategy.decode(yaml: DocumentParser.text(parts[0], source: "fuzz"), source: "fuzz"),
              let snapshot = try? Snapshot.decode(json: parts[1], source: "fuzz") else { return false }
        if let budget = strategy.rebalance?.maxSolveNodes { strategy.rebalance?.maxSolveNodes = min(budget, maxSolveNodes) }
        if let detector = ArbitrageDetector(strategy: strategy) {
            let report = detector.scan(snapshot, explain: 5)
            _ = ScanTable.render(report, strategy: strategy)
            writable(report)
        }
        if let rebalancer = Rebalancer(strategy: strategy) {
            let report = rebalancer.plan(snapshot)
            _ = PlanTable.render(report, strategy: strategy)
            writable(report)
        }
        return true
    }

    static func chains(_ input: Data) -> Bool {
        let files = FuzzTarget.parts(input).enumerated().map { (path: "chain\($0.offset).yaml", data: Optional($0.element)) }
        return (try? MarketConfig.decode(files: files, environment: ["RPC_KEY": "fuzz-key", "API_KEY": "fuzz-key"])) != nil
    }

    static let maxSolveNodes = 200

    private static func writable(_ report: some Encodable) {
        do {
            _ = try JSONOutput.string(report)
        } catch {
            fatalError("a report could not be written as JSON: \(error)")
        }
    }
}
