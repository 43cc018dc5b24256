import Foundation

/// The documented JSON shape of a scan (docs/cli.md): token amounts as exact decimal
/// strings, USD figures as numbers rounded to a millionth of a dollar.
extension ScanReport: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(Timestamp.format(takenAt), forKey: "taken_at")
        try c.encode(opportunities, forKey: "opportunities")
        try c.encode(priceIssues, forKey: "price_issues")
        if !rejected.isEmpty { try c.encode(rejected, forKey: "rejected") }
    }
}

extension Opportunity: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try encodeRoute(token, buyChain, sellChain, bridge, into: &c)
        try c.encode(amount.description, forKey: "amount")
        try c.encode(received.description, forKey: "received")
        try c.encode(USD.rounded(costUSD), forKey: "cost_usd")
        try c.encode(USD.rounded(proceedsUSD), forKey: "proceeds_usd")
        try c.encode(USD.rounded(feesUSD), forKey: "fees_usd")
        try c.encode(USD.rounded(profitUSD), forKey: "profit_usd")
        try c.encode((roiBps * 100).rounded() / 100, forKey: "roi_bps")
        try c.encode(etaSeconds, forKey: "eta_seconds")
    }
}

extension PriceIssue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(chain, forKey: "chain")
        try c.encode(token, forKey: "token")
        try c.encode(source, forKey: "source")
        try c.encode(description, forKey: "reason")
    }
}

extension RejectedCandidate: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try encodeRoute(token, buyChain, sellChain, bridge, into: &c)
        try c.encode(reason.description, forKey: "reason")
        try c.encodeIfPresent(bestProfitUSD.map(USD.rounded), forKey: "best_profit_usd")
        try c.encodeIfPresent(amount?.description, forKey: "amount")
    }
}

/// The four keys that name a trade's route, shared by opportunities and rejections.
private func encodeRoute(_ token: String, _ buyChain: String, _ sellChain: String, _ bridge: String,
                         into c: inout KeyedEncodingContainer<Key>) throws {
    try c.encode(token, forKey: "token")
    try c.encode(buyChain, forKey: "buy_chain")
    try c.encode(sellChain, forKey: "sell_chain")
    try c.encode(bridge, forKey: "bridge")
}
