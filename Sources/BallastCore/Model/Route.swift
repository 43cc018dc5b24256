import Foundation

/// A bridge that carries a token from one chain to another, with what it costs.
public struct Route: Sendable, Hashable {
    public var from: String
    public var to: String
    public var token: String
    public var bridge: String
    /// Proportional fee, in basis points of the amount sent.
    public var feeBps: Double
    /// Fixed fee, in token units, taken from what arrives.
    public var feeFixed: Amount
    /// Gas paid on the sending side, in USD.
    public var gasUSD: Double
    public var etaSeconds: Int
    /// The most one transfer may carry; nil for no limit.
    public var maxAmount: Amount?
    public var observedAt: Date

    public init(from: String, to: String, token: String, bridge: String, feeBps: Double, feeFixed: Amount = .zero,
                gasUSD: Double = 0, etaSeconds: Int = 0, maxAmount: Amount? = nil, observedAt: Date) {
        self.from = from
        self.to = to
        self.token = token
        self.bridge = bridge
        self.feeBps = feeBps
        self.feeFixed = feeFixed
        self.gasUSD = gasUSD
        self.etaSeconds = etaSeconds
        self.maxAmount = maxAmount
        self.observedAt = observedAt
    }

    /// `ethereum→arbitrum WETH via across`, for messages and tables.
    public var label: String { "\(from)→\(to) \(token) via \(bridge)" }
}

extension Route {
    /// What arrives when `amount` is sent, exactly: the proportional fee rounded up, the
    /// fixed fee taken, the result rounded down to `decimals`. Negative when the fixed fee
    /// is larger than the amount; nil only if the figures do not fit an `Amount`.
    public func received(sending amount: Amount, decimals: Int) -> Amount? {
        guard let exact = Amount(decimalOf: feeBps) else { return nil }
        // A rate with absurdly many decimals is rounded up to 24 of them: the fee never shrinks.
        let bps = exact.scale <= 24 ? exact : exact.roundedDown(toDecimals: 24) + Amount(units: 1, scale: 24)
        guard let fee = Amount.product(amount, Amount(units: bps.units, scale: bps.scale + 4), decimals: decimals, rounding: .up)
        else { return nil }
        return (amount - fee - feeFixed).roundedDown(toDecimals: decimals)
    }
}
