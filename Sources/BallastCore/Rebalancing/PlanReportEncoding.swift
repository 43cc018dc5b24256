/// The documented JSON shape of a plan (docs/cli.md): token amounts as exact decimal
/// strings, USD figures as numbers rounded to a millionth of a dollar.
extension PlanReport: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(Timestamp.format(takenAt), forKey: "taken_at")
        try c.encode(plans, forKey: "plans")
        try c.encode(priceIssues, forKey: "price_issues")
    }
}

extension TransferPlan: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(token, forKey: "token")
        try c.encode(status.rawValue, forKey: "status")
        try c.encode(transfers, forKey: "transfers")
        try c.encode(USD.rounded(totalFeeUSD), forKey: "total_fee_usd")
        // A plan with nothing to move is trivially optimal.
        try c.encode(USD.rounded(optimality?.lowerBoundUSD ?? totalFeeUSD), forKey: "lower_bound_usd")
        try c.encode(optimality?.gap ?? 0, forKey: "gap")
        if let optimality {
            try c.encode(optimality.nodes, forKey: "solver_nodes")
            try c.encode(optimality.stoppedByTimeCap, forKey: "solver_time_cap_fired")
        }
        try c.encode(unmet.mapValues(\.description), forKey: "unmet")
        try c.encode(unmetReasons, forKey: "unmet_reasons")
        try c.encode(positions, forKey: "chains")
        try c.encodeIfPresent(error, forKey: "error")
    }
}

extension Transfer: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(from, forKey: "from")
        try c.encode(to, forKey: "to")
        try c.encode(bridge, forKey: "bridge")
        try c.encode(amount.description, forKey: "amount")
        try c.encode(expectedReceived.description, forKey: "expected_received")
        try c.encode(USD.rounded(feeUSD), forKey: "fee_usd")
        try c.encode(USD.rounded(amountUSD), forKey: "amount_usd")
        try c.encode(etaSeconds, forKey: "eta_seconds")
    }
}

extension ChainPosition: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(chain, forKey: "chain")
        try c.encode(balance.description, forKey: "balance")
        try c.encode(target.description, forKey: "target")
        try c.encode(band.description, forKey: "band")
        try c.encode(after.description, forKey: "after")
        try c.encode(isShort, forKey: "short")
    }
}
