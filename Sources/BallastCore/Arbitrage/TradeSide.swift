/// One side of an arbitrage (where the token is bought, or where it is sold), reduced to
/// the numbers the economics need.
///
/// Without a pool the side trades at a fixed unit price (`P·(1+s)` when buying,
/// `P·(1−s)` when selling). With a constant-product pool (token reserve `x`, USD reserve
/// `y`, `k = 1 − fee`) buying `q` costs `y·q / ((x − q)·k)` and selling `r` yields
/// `r·k·y / (x + r·k)`.
struct TradeSide: Sendable {
    let isPool: Bool
    /// USD per token, fee included, for a side without a pool.
    let unitPrice: Double
    let x: Double
    let y: Double
    let k: Double
    /// USD per token before fees: sizes trades in USD and values bridge fees.
    let spot: Double

    static func buying(_ price: MarketPrice) -> TradeSide { side(price, feeSign: 1) }
    static func selling(_ price: MarketPrice) -> TradeSide { side(price, feeSign: -1) }

    private static func side(_ price: MarketPrice, feeSign: Double) -> TradeSide {
        switch price {
        case .quote(let p, let feeBps):
            TradeSide(isPool: false, unitPrice: p * (1 + feeSign * feeBps / 10_000), x: 0, y: 0, k: 1, spot: p)
        case .pool(let pool):
            TradeSide(isPool: true, unitPrice: 0, x: pool.tokenReserve.doubleValue, y: pool.usdReserve.doubleValue,
                      k: 1 - pool.feeBps / 10_000, spot: pool.spotPrice)
        }
    }

    /// USD paid for `q` tokens; infinite when a pool cannot supply them.
    @inline(__always) func cost(_ q: Double) -> Double {
        guard isPool else { return unitPrice * q }
        return q < x ? y * q / ((x - q) * k) : .infinity
    }

    /// USD received for `r` tokens (nothing for nothing).
    @inline(__always) func proceeds(_ r: Double) -> Double {
        guard r > 0 else { return 0 }
        return isPool ? r * k * y / (x + r * k) : unitPrice * r
    }

    /// What the same trade would cost or yield with no fee: the fee is the difference.
    func feeFreeCost(_ q: Double) -> Double { isPool ? (q < x ? y * q / (x - q) : .infinity) : spot * q }
    func feeFreeProceeds(_ r: Double) -> Double { r <= 0 ? 0 : isPool ? r * y / (x + r) : spot * r }
}

/// A bridge's terms: `received(q) = a·q − fixed`, and `gas` USD paid to send.
struct BridgeTerms: Sendable {
    /// `1 − fee_bps/10⁴`.
    let a: Double
    let fixed: Double
    let gas: Double

    init(_ route: Route) {
        a = 1 - route.feeBps / 10_000
        fixed = route.feeFixed.doubleValue
        gas = route.gasUSD
    }

    @inline(__always) func received(_ q: Double) -> Double { a * q - fixed }
}

/// The profit-maximising size of one route, exact in closed form.
///
/// Profit is `proceeds(a·q − F) − cost(q) − gas`. Below `q = F/a` nothing arrives, so the
/// search is on `(F/a, qMax]`, where proceeds are concave and costs convex: profit is
/// concave and its stationary point, clamped to the interval, is the maximiser. The
/// stationary point solves `a·proceeds'(a·q − F) = cost'(q)`:
///
/// - no pools: the derivative is constant, so the answer is `qMax` when it is positive;
/// - pool on the buy side: `q = x − √(x·y / (k·a·p))`;
/// - pool on the sell side: `r = (√(a·k·x·y / c) − x) / k`, `q = (r + F) / a`;
/// - pools on both: taking square roots of both marginal terms leaves an equation linear
///   in q: `q = (α·x_A − β·(x_B − k_B·F)) / (α + β·k_B·a)` with `α = √(a·k_B·x_B·y_B)`,
///   `β = √(x_A·y_A / k_A)`.
enum OptimalSize {
    /// The maximiser on `(F/a, qMax]`, or nil when that interval is empty (the fixed fee
    /// swallows every allowed size) or profit only falls in it.
    @inline(__always)
    static func solve(buy: TradeSide, bridge: BridgeTerms, sell: TradeSide, qMax: Double) -> Double? {
        let a = bridge.a, f = bridge.fixed
        let lo = f / a
        // A pool cannot sell its whole reserve; stay a hair inside it.
        let hi = buy.isPool ? min(qMax, buy.x * (1 - 1e-12)) : qMax
        guard a > 0, hi > lo else { return nil }
        let stationary: Double
        switch (buy.isPool, sell.isPool) {
        case (false, false):
            return a * sell.unitPrice > buy.unitPrice ? hi : nil
        case (true, false):
            let p = sell.unitPrice
            guard p > 0 else { return nil }
            stationary = buy.x - (buy.x * buy.y / (buy.k * a * p)).squareRoot()
        case (false, true):
            let c = buy.unitPrice
            let r = ((a * sell.k * sell.x * sell.y / c).squareRoot() - sell.x) / sell.k
            stationary = (r + f) / a
        case (true, true):
            let alpha = (a * sell.k * sell.x * sell.y).squareRoot()
            let beta = (buy.x * buy.y / buy.k).squareRoot()
            stationary = (alpha * buy.x - beta * (sell.x - sell.k * f)) / (alpha + beta * sell.k * a)
        }
        guard stationary > lo else { return nil }
        return min(stationary, hi)
    }
}
