@testable import BallastCore
import Foundation

/// Checks a plan against every rule of the lossy model (DESIGN.md, "Rebalancing") straight
/// from the snapshot and strategy, sharing nothing with the planner but the exact arithmetic
/// of `Amount` and a route's `received`. Returns every rule broken, in words.
enum PlanAudit {
    static func violations(_ plan: TransferPlan, snapshot: Snapshot, strategy: Strategy) -> [String] {
        guard plan.status != .error else { return [] }
        let rules = strategy.rebalance!
        let token = snapshot.token(plan.token)!
        let d = token.decimals
        var problems: [String] = []
        func price(_ chain: String) -> Double? {
            snapshot.prices.first { $0.chain == chain && $0.token == plan.token }?.priceUSD
        }
        var holding: [String: Amount] = [:], balance: [String: Amount] = [:]
        for b in snapshot.balances where b.token == plan.token {
            holding[b.chain] = b.amount
            balance[b.chain] = b.amount + b.inFlight
        }
        var after = balance
        for (i, t) in plan.transfers.enumerated() {
            guard let route = snapshot.routes.first(where: { $0.from == t.from && $0.to == t.to && $0.token == t.token && $0.bridge == t.bridge })
            else { problems.append("#\(i + 1) uses no route of the snapshot"); continue }
            if !t.amount.isPositive || t.amount.scale > d { problems.append("#\(i + 1) amount \(t.amount) is not a positive amount of \(d) decimals") }
            if let cap = route.maxAmount, cap < t.amount { problems.append("#\(i + 1) exceeds max_amount") }
            if route.received(sending: t.amount, decimals: d) != t.expectedReceived { problems.append("#\(i + 1) expected_received is not what the route delivers") }
            let p = price(t.from) ?? .nan
            let value = t.amount.doubleValue * p
            let fee = value * route.feeBps / 10_000 + route.feeFixed.doubleValue * p + route.gasUSD
            if value < rules.minTransferUSD * (1 - 1e-9) { problems.append("#\(i + 1) worth $\(value), below min_transfer_usd") }
            if fee > value * rules.maxFeeBps / 10_000 * (1 + 1e-9) + 1e-9 { problems.append("#\(i + 1) costs \(fee), above max_fee_bps") }
            if abs(fee - t.feeUSD) > 1e-6 * max(1, fee) { problems.append("#\(i + 1) fee_usd \(t.feeUSD), route says \(fee)") }
            let available = holding[t.from] ?? .zero
            if available < t.amount { problems.append("#\(i + 1) \(t.from) sends \(t.amount) holding only \(available)") }
            holding[t.from] = available - t.amount
            holding[t.to] = (holding[t.to] ?? .zero) + t.expectedReceived
            after[t.from] = (after[t.from] ?? .zero) - t.amount
            after[t.to] = (after[t.to] ?? .zero) + t.expectedReceived
        }
        let total = balance.values.reduce(.zero, +), held = after.values.reduce(.zero, +)
        // Rounding to token units, and safety margins nobody is left to pay, cost a dust-sized
        // amount (docs/rebalancing.md): per chain, 16 units per route into it and one more, or
        // 10⁻⁶ of a token, whichever is more; and 10⁻⁸ of the total.
        let unit = pow(10, -Double(d))
        let dustTokens = plan.positions.reduce(0.0) { sum, position in
            let into = snapshot.routes.filter { $0.token == plan.token && $0.to == position.chain }.count
            return sum + max(16 * unit * Double(into + 1), 1e-6)
        }
        let shares = rules.targets[plan.token] ?? [:]
        for position in plan.positions {
            let chain = position.chain
            let share = shares[chain] ?? TargetShare(0)
            let exact = { (amount: Amount, fraction: Double) in
                Amount.product(amount, Amount(decimalOf: fraction)!, decimals: d, rounding: .down)!
            }
            let before = exact(total, share.fraction)
            let band = share.band.map { exact(before, $0) } ?? exact(total, rules.threshold)
            let target = exact(held, share.fraction)
            let b = balance[chain] ?? .zero, a = after[chain] ?? .zero
            if position.after != a { problems.append("\(chain): AFTER \(position.after), the transfers leave \(a)") }
            if position.target != target { problems.append("\(chain): TARGET \(position.target), the share after fees is \(target)") }
            let short = b < before - band
            if position.isShort != short { problems.append("\(chain): short is \(position.isShort), expected \(short)") }
            let dust = Amount(flooring: dustTokens + 1e-8 * total.doubleValue, decimals: d)!
            if short, a < target - dust, plan.unmet[chain] != target - a {
                problems.append("\(chain) ends at \(a), below its target \(target), and unmet says \(plan.unmet[chain].map(\.description) ?? "nothing")")
            }
            if a < Amount.min(b, target) - dust { problems.append("\(chain) ends at \(a), below min(balance \(b), target \(target))") }
        }
        if plan.unmet.isEmpty != (plan.status != .partial) { problems.append("status \(plan.status) disagrees with unmet \(plan.unmet)") }
        let sum = plan.transfers.reduce(0) { $0 + $1.feeUSD }
        if abs(sum - plan.totalFeeUSD) > 1e-6 * max(1, sum) { problems.append("total_fee_usd \(plan.totalFeeUSD) is not the sum \(sum)") }
        if let o = plan.optimality, o.lowerBoundUSD > plan.totalFeeUSD * (1 + 1e-9) + 1e-9 { problems.append("lower bound above the cost") }
        return problems
    }
}
