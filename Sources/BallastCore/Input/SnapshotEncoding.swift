import Foundation

extension Snapshot {
    /// The version 1 JSON form, keys sorted so equal snapshots give equal bytes.
    ///
    /// Throws when a number is not finite: a snapshot built in code (not decoded, which
    /// refuses them) may hold one, and no NaN may be written where a price should be.
    public func encodedJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(Wire(self))
    }

    /// The snapshot's JSON shape, kept apart from the model so the model stays free of wire names.
    private struct Wire: Encodable {
        let snapshot: Snapshot
        init(_ snapshot: Snapshot) { self.snapshot = snapshot }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(Snapshot.formatVersion, forKey: "version")
            try c.encode(Timestamp.format(snapshot.takenAt), forKey: "taken_at")
            try c.encode(snapshot.tokens, forKey: "tokens")
            try c.encode(snapshot.chains, forKey: "chains")
            try c.encode(snapshot.prices.map(PriceWire.init), forKey: "prices")
            try c.encode(snapshot.routes.map(RouteWire.init), forKey: "routes")
            try c.encode(snapshot.balances.map(BalanceWire.init), forKey: "balances")
        }
    }

    private struct PriceWire: Encodable {
        let q: PriceQuote
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(q.chain, forKey: "chain")
            try c.encode(q.token, forKey: "token")
            try c.encode(q.priceUSD, forKey: "price_usd")
            try c.encode(Timestamp.format(q.observedAt), forKey: "observed_at")
            try c.encode(q.source, forKey: "source")
            try c.encodeIfPresent(q.swapFeeBps, forKey: "swap_fee_bps")
            if let pool = q.pool {
                var p = c.nestedContainer(keyedBy: Key.self, forKey: "pool")
                try p.encode(pool.tokenReserve.description, forKey: "token_reserve")
                try p.encode(pool.usdReserve.description, forKey: "usd_reserve")
                try p.encode(pool.feeBps, forKey: "fee_bps")
            }
        }
    }

    private struct RouteWire: Encodable {
        let r: Route
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(r.from, forKey: "from")
            try c.encode(r.to, forKey: "to")
            try c.encode(r.token, forKey: "token")
            try c.encode(r.bridge, forKey: "bridge")
            try c.encode(r.feeBps, forKey: "fee_bps")
            try c.encode(r.feeFixed.description, forKey: "fee_fixed")
            try c.encode(r.gasUSD, forKey: "gas_usd")
            try c.encode(r.etaSeconds, forKey: "eta_seconds")
            try c.encodeIfPresent(r.maxAmount?.description, forKey: "max_amount")
            try c.encode(Timestamp.format(r.observedAt), forKey: "observed_at")
        }
    }

    private struct BalanceWire: Encodable {
        let b: Balance
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(b.chain, forKey: "chain")
            try c.encode(b.token, forKey: "token")
            try c.encode(b.amount.description, forKey: "amount")
            try c.encode(b.inFlight.description, forKey: "in_flight")
        }
    }
}

/// A coding key spelled as a string literal, for hand-written wire shapes.
package struct Key: CodingKey, ExpressibleByStringLiteral {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(stringLiteral value: String) { stringValue = value }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
}
