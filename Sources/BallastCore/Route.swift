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
