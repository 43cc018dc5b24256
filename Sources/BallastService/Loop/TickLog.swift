import BallastCore
import Logging

/// The one log line each tick writes: its figures, for an operator reading logs at night.
enum TickLog {
    static func metadata(_ view: TickView) -> Logger.Metadata {
        var m: Logger.Metadata = [
            "tick": "\(view.number)",
            "ms": "\(Int(view.duration / .milliseconds(1)))",
            "prices": "\(view.snapshot.prices.count)",
            "routes": "\(view.snapshot.routes.count)",
            "balances": "\(view.snapshot.balances.count)",
            "failed_sources": "\(view.failures.count)",
            "opportunities": "\(view.scan?.opportunities.count ?? 0)",
        ]
        if let best = view.scan?.opportunities.map(\.profitUSD).max() { m["best_profit_usd"] = "\(Figures.usd(best))" }
        if let plan = view.plan {
            m["plans"] = .string(plan.plans.map { "\($0.token):\($0.status.rawValue)" }.joined(separator: ","))
        }
        if view.paused { m["paused"] = "true" }
        if let cycle = view.cycle {
            m["cycle"] = "\(cycle.cycle)"
            m["actions"] = "\(cycle.events.count)"
        }
        if !view.events.isEmpty { m["status_changes"] = "\(view.events.count)" }
        if !view.errors.isEmpty { m["errors"] = .string(view.errors.map { "\($0.stage): \($0.message)" }.joined(separator: "; ")) }
        return m
    }
}
