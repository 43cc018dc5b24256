import BallastCore

/// The strategy's limits and allowlists, asked of every live action before it is recorded
/// as planned and again just before it is sent. The answer is a reason to block, or nil.
struct Guardrails {
    let limits: ExecutionLimits

    func refusal(from: String, to: String, bridge: String, amountUSD: Double, usedToday: Double) -> String? {
        if let bridges = limits.bridges, !bridges.contains(bridge) { return "bridge \(bridge) is not in execution.limits.bridges" }
        if let chains = limits.chains {
            for chain in [from, to] where !chains.contains(chain) { return "chain \(chain) is not in execution.limits.chains" }
        }
        if let cap = limits.maxTransferUSD, amountUSD > cap {
            return "worth $\(Figures.usd(amountUSD)), above execution.limits.max_transfer_usd ($\(Figures.usd(cap)))"
        }
        if let cap = limits.maxDailyUSD, usedToday + amountUSD > cap {
            return "would bring the last 24 hours to $\(Figures.usd(usedToday + amountUSD)), above execution.limits.max_daily_usd ($\(Figures.usd(cap)))"
        }
        return nil
    }

    func requiresApproval(amountUSD: Double) -> Bool {
        limits.approvalUSD.map { amountUSD > $0 } ?? false
    }
}
