import BallastCore
import Foundation

/// A plan as a person reads it: per token, where each chain stands, then the transfers.
package enum PlanTable {
    package static func render(_ report: PlanReport, strategy: Strategy) -> String {
        let rules = strategy.rebalance!
        var out = ["Rebalance at \(Timestamp.format(report.takenAt)) — strategy \(strategy.name): band ±\(Figures.percent(rules.threshold)) of each token's total unless a target sets its own, transfers ≥ $\(Figures.usd(rules.minTransferUSD)), fees ≤ \(Figures.bps(rules.maxFeeBps)) bps"]
        for plan in report.plans {
            out.append("")
            out.append("\(plan.token): \(headline(plan))")
            guard plan.status != .error else { continue }
            var chains = Table([("CHAIN", .left), ("BALANCE", .right), ("TARGET", .right), ("BAND", .right),
                                ("AFTER", .right), ("NOTE", .left)])
            for p in plan.positions {
                let note = plan.unmet[p.chain].map { "short, unmet \(Figures.tokens($0)): \(plan.unmetReasons[p.chain] ?? "")" } ?? (p.isShort ? "short" : "")
                chains.add([p.chain, Figures.tokens(p.balance), Figures.tokens(p.target), "±" + Figures.tokens(p.band),
                            Figures.tokens(p.after), note])
            }
            out.append(chains.render())
            if plan.status != .withinBand {
                out.append("TARGET is each chain's share of what the treasury holds after the plan's fees; AFTER counts what arrives. Amounts show 6 decimals (… where cut); --format json has them exactly.")
            }
            if !plan.transfers.isEmpty {
                out.append("")
                var transfers = Table([("#", .right), ("FROM → TO", .left), ("BRIDGE", .left), ("AMOUNT", .right),
                                       ("VALUE $", .right), ("RECEIVED", .right), ("FEE $", .right), ("ETA", .right)])
                for (i, t) in plan.transfers.enumerated() {
                    transfers.add(["\(i + 1)", "\(t.from) → \(t.to)", t.bridge, Figures.tokens(t.amount), Figures.usd(t.amountUSD),
                                   Figures.tokens(t.expectedReceived), Figures.usd(t.feeUSD), "\(t.etaSeconds) s"])
                }
                out.append(transfers.render())
            }
        }
        if !report.priceIssues.isEmpty {
            out.append("")
            out.append("Price sources left out:")
            out += report.priceIssues.map { "  • \($0)" }
        }
        return out.joined(separator: "\n")
    }

    private static func headline(_ plan: TransferPlan) -> String {
        let count = "\(plan.transfers.count) transfer\(plan.transfers.count == 1 ? "" : "s")"
        let fees = "fees $\(Figures.usd(plan.totalFeeUSD))"
        switch plan.status {
        case .withinBand: return "within band, nothing to do"
        case .rebalance: return "\(count), \(fees) (\(quality(plan)))"
        case .partial: return "PARTIAL: \(count), \(fees) (\(quality(plan))), some shortfall cannot be met"
        case .error: return "ERROR: \(plan.error ?? "no plan")"
        }
    }

    /// "optimal", or how far from optimal the solver's bound allows the plan to be.
    private static func quality(_ plan: TransferPlan) -> String {
        guard let o = plan.optimality else { return "optimal" }
        var text = o.gap <= 1e-6 ? "optimal" : "within \(Figures.percent(o.gap)) of optimal, bound $\(Figures.usd(o.lowerBoundUSD))"
        if o.stoppedByTimeCap { text += "; the solver's time cap fired, so another machine may plan differently" }
        return text
    }
}
