import Foundation

/// A constant-product pool's reserves: the price where a trade happens, and its depth.
public struct Pool: Sendable, Hashable {
    public var tokenReserve: Amount
    public var usdReserve: Amount
    public var feeBps: Double

    public init(tokenReserve: Amount, usdReserve: Amount, feeBps: Double) {
        self.tokenReserve = tokenReserve
        self.usdReserve = usdReserve
        self.feeBps = feeBps
    }

    /// The pool's marginal price, USD per token, before fees.
    public var spotPrice: Double { usdReserve.doubleValue / tokenReserve.doubleValue }
}

/// One source's price for a token on a chain, at one moment.
public struct PriceQuote: Sendable, Hashable {
    public var chain: String
    public var token: String
    public var priceUSD: Double
    public var observedAt: Date
    /// Who said so: `uniswap-v2`, `chainlink`, `defillama`…
    public var source: String
    public var pool: Pool?
    /// The cost of swapping at this price when there is no pool; 0 when absent.
    public var swapFeeBps: Double?

    public init(chain: String, token: String, priceUSD: Double, observedAt: Date, source: String,
                pool: Pool? = nil, swapFeeBps: Double? = nil) {
        self.chain = chain
        self.token = token
        self.priceUSD = priceUSD
        self.observedAt = observedAt
        self.source = source
        self.pool = pool
        self.swapFeeBps = swapFeeBps
    }
}
