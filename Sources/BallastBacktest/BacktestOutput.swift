import BallastCore
import BallastReports
import Foundation

/// `ballast backtest --format json`: `{"strategy", "runs": [...]}`, one run per scenario.
public struct BacktestOutput: Encodable {
    var strategy: String
    var runs: [Run]

    public init(strategy: String, results: [BacktestResult]) {
        self.strategy = strategy
        runs = results.map(Run.init)
    }

    struct Ledger: Encodable {
        var feesUSD: Double
        var transfers: Int
        var outOfBandSeconds: [String: Double]
        var worstExposureUSD: Double
        var capturedProfitUSD: Double

        init(_ f: LedgerFigures) {
            feesUSD = USD.rounded(f.feesUSD)
            transfers = f.transfers
            outOfBandSeconds = f.outOfBandSeconds
            worstExposureUSD = USD.rounded(f.worstExposureUSD)
            capturedProfitUSD = USD.rounded(f.capturedProfitUSD)
        }

        enum CodingKeys: String, CodingKey {
            case feesUSD = "fees_usd", transfers, outOfBandSeconds = "out_of_band_seconds"
            case worstExposureUSD = "worst_exposure_usd", capturedProfitUSD = "captured_profit_usd"
        }
    }

    struct Note: Encodable {
        var step: Int
        var text: String
    }

    struct Run: Encodable {
        var source: String
        var seed: UInt64?
        var steps: Int
        var start: String
        var end: String
        var opportunities: Int
        var detectedProfitUSD: Double
        var solves: Int
        var cycles: Int
        var ballast: Ledger
        var greedy: Ledger
        var events: [Note]
        var alerts: [Note]

        init(_ r: BacktestResult) {
            source = r.source
            seed = r.seed
            steps = r.steps
            start = Timestamp.format(r.start)
            end = Timestamp.format(r.end)
            opportunities = r.opportunities
            detectedProfitUSD = USD.rounded(r.detectedProfitUSD)
            solves = r.solves
            cycles = r.cycles
            ballast = Ledger(r.ballast)
            greedy = Ledger(r.greedy)
            events = r.events.map { Note(step: $0.step, text: $0.text) }
            alerts = r.alerts.map { Note(step: $0.step, text: $0.text) }
        }

        enum CodingKeys: String, CodingKey {
            case source, seed, steps, start, end, opportunities, detectedProfitUSD = "detected_profit_usd", solves, cycles
            case ballast, greedy, events, alerts
        }
    }

    public func json() throws -> String { try JSONOutput.string(self) }

    /// The table for a terminal: each run's two rebalancers side by side.
    public func table() -> String {
        var table = Table([("RUN", .left), ("REBALANCER", .left), ("FEES $", .right), ("TRANSFERS", .right), ("OUT OF BAND h", .right),
                           ("WORST EXPOSURE $", .right), ("CAPTURED $", .right), ("OPPORTUNITIES", .right), ("DETECTED $", .right)])
        for run in runs {
            for (name, f) in [("ballast", run.ballast), ("greedy", run.greedy)] {
                table.add([run.source, name, Figures.usd(f.feesUSD), "\(f.transfers)",
                           String(format: "%.1f", f.outOfBandSeconds.values.reduce(0, +) / 3600), Figures.usd(f.worstExposureUSD),
                           Figures.usd(f.capturedProfitUSD), "\(run.opportunities)", Figures.usd(run.detectedProfitUSD)])
            }
        }
        var lines = [table.render()]
        for run in runs where !run.alerts.isEmpty || !run.events.isEmpty {
            lines.append("\(run.source): \(run.events.count) scenario events, \(run.alerts.count) alerts, \(run.solves) plans solved, \(run.cycles) cycles")
        }
        return lines.joined(separator: "\n")
    }
}
