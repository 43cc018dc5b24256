import BallastCore
import BallastExecution
import BallastStore
import Foundation
import Prometheus
import Synchronization

/// The service's Prometheus metrics, on a registry of its own (no process-wide bootstrap).
///
/// Labels name chains, tokens, sources, stages and statuses only, never ids or keys: a label's
/// values must stay few. Series whose chain, token or source left the configuration are dropped.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let tickDuration: DurationHistogram
    private let lastSuccess: Gauge
    private let pending: Gauge
    /// Per gauge name, the label sets set by the last tick, so stale ones can be dropped.
    private let series = Mutex<[String: [[String]: Gauge]]>([:])

    static let help: [String: String] = [
        "ballast_source_up": "1 when the source answered in the last tick it was asked, else 0",
        "ballast_opportunities": "Qualifying arbitrage opportunities in the last tick",
        "ballast_best_profit_usd": "Profit of the best qualifying opportunity in the last tick, USD",
        "ballast_balance": "Treasury balance read in the last tick, token units",
        "ballast_target_deviation_ratio": "(balance − target) / target after in-flight transfers, as the plan saw it",
    ]

    public init(version: String) {
        registry.makeGauge(descriptor: Self.descriptor("ballast_build_info", "Ballast's version; always 1"), labels: [("version", version)]).set(1.0)
        tickDuration = registry.makeDurationHistogram(
            descriptor: Self.descriptor("ballast_tick_duration_seconds", "How long one tick took: pull, scan, plan and any cycle"),
            buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                      .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60)])
        lastSuccess = registry.makeGauge(descriptor: Self.descriptor("ballast_last_tick_success_timestamp_seconds", "Unix time at which the last successful tick started"))
        pending = registry.makeGauge(descriptor: Self.descriptor("ballast_actions_pending", "Live actions planned, submitted or expired"))
    }

    /// The figures of one tick.
    func record(_ tick: TickView, pendingActions: Int) {
        tickDuration.record(tick.duration)
        if tick.succeeded { lastSuccess.set(tick.startedAt.timeIntervalSince1970) }
        pending.set(Double(pendingActions))

        var up: [[String]: Double] = [:]
        for source in tick.health { up[[source.chain, source.source]] = source.consecutiveFailures == 0 ? 1 : 0 }
        replace("ballast_source_up", labels: ["chain", "source"], with: up)

        var opportunities: [[String]: Double] = [:], best: [[String]: Double] = [:]
        if let scan = tick.scan {
            for token in Set(tick.snapshot.tokens.map(\.symbol)) { opportunities[[token]] = 0 }
            for o in scan.opportunities {
                opportunities[[o.token], default: 0] += 1
                best[[o.token]] = max(best[[o.token]] ?? -.infinity, o.profitUSD)
            }
        }
        replace("ballast_opportunities", labels: ["token"], with: opportunities)
        replace("ballast_best_profit_usd", labels: ["token"], with: best)

        var balances: [[String]: Double] = [:]
        for b in tick.snapshot.balances { balances[[b.chain, b.token]] = b.amount.doubleValue }
        replace("ballast_balance", labels: ["chain", "token"], with: balances)

        var deviation: [[String]: Double] = [:]
        for plan in tick.plan?.plans ?? [] {
            for p in plan.positions where p.target > .zero {
                deviation[[p.chain, plan.token]] = ((p.balance - p.target).doubleValue) / p.target.doubleValue
            }
        }
        replace("ballast_target_deviation_ratio", labels: ["chain", "token"], with: deviation)
    }

    func count(_ events: [CycleOutcome.ActionEvent], mode: CycleMode) {
        for event in events {
            registry.makeCounter(descriptor: Self.descriptor("ballast_actions_total", "Action status changes the service made, by mode and new status"),
                                 labels: [("mode", mode.rawValue), ("status", event.status.rawValue)]).increment()
        }
    }

    func countError(stage: String) {
        registry.makeCounter(descriptor: Self.descriptor("ballast_errors_total", "Errors by stage: pull (per failed source), journal, cycle, alert, reload"),
                             labels: [("stage", stage)]).increment()
    }

    /// Sets a labelled gauge's series to `values`, dropping the series not among them.
    private func replace(_ name: String, labels: [String], with values: [[String]: Double]) {
        series.withLock { series in
            var kept: [[String]: Gauge] = [:]
            for (key, value) in values where value.isFinite {
                let gauge = series[name]?[key]
                    ?? registry.makeGauge(descriptor: Self.descriptor(name, Self.help[name] ?? ""), labels: Array(zip(labels, key)))
                gauge.set(value)
                kept[key] = gauge
            }
            for (key, gauge) in series[name] ?? [:] where kept[key] == nil { registry.unregisterGauge(gauge) }
            series[name] = kept
        }
    }

    /// A whole metric name (the library would join namespace, name and unit with underscores).
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}
