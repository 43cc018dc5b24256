/// What a desk wants: which tokens, when an arbitrage is worth taking, and where
/// inventory should sit. Read from `strategies/NAME.yaml`.
public struct Strategy: Sendable, Hashable {
    public var name: String
    public var tokens: [String]
    public var arbitrage: ArbitrageRules?
    public var rebalance: RebalanceRules?
    /// How far (in bps) a source may stray from the median of a (chain, token)'s fresh
    /// sources before it is dropped; `prices.max_deviation_bps`, default 100.
    public var maxSourceDeviationBps: Double

    public static let defaultMaxSourceDeviationBps = 100.0

    public init(name: String, tokens: [String], arbitrage: ArbitrageRules? = nil, rebalance: RebalanceRules? = nil,
                maxSourceDeviationBps: Double = Strategy.defaultMaxSourceDeviationBps) {
        self.name = name
        self.tokens = tokens
        self.arbitrage = arbitrage
        self.rebalance = rebalance
        self.maxSourceDeviationBps = maxSourceDeviationBps
    }
}

/// When an opportunity qualifies.
public struct ArbitrageRules: Sendable, Hashable {
    public var minProfitUSD: Double
    public var minROIBps: Double
    public var maxTradeUSD: Double
    /// Every price and route an opportunity uses must be at most this old at `taken_at`.
    public var maxPriceAgeSeconds: Double

    public init(minProfitUSD: Double, minROIBps: Double, maxTradeUSD: Double, maxPriceAgeSeconds: Double) {
        self.minProfitUSD = minProfitUSD
        self.minROIBps = minROIBps
        self.maxTradeUSD = maxTradeUSD
        self.maxPriceAgeSeconds = maxPriceAgeSeconds
    }
}

/// Where inventory should sit, and what moving it may cost.
public struct RebalanceRules: Sendable, Hashable {
    /// The band around each target, as a fraction of the token's total.
    public var threshold: Double
    public var minTransferUSD: Double
    /// A transfer dearer than this, all in, is not planned.
    public var maxFeeBps: Double
    /// Per token, per chain, the fraction of the total to hold there; they sum to 1.
    public var targets: [String: [String: Double]]
    /// Prices and route quotes older than this are not used to cost transfers.
    public var maxPriceAgeSeconds: Double

    public static let defaultMaxPriceAgeSeconds = 600.0

    public init(threshold: Double, minTransferUSD: Double, maxFeeBps: Double, targets: [String: [String: Double]],
                maxPriceAgeSeconds: Double = RebalanceRules.defaultMaxPriceAgeSeconds) {
        self.threshold = threshold
        self.minTransferUSD = minTransferUSD
        self.maxFeeBps = maxFeeBps
        self.targets = targets
        self.maxPriceAgeSeconds = maxPriceAgeSeconds
    }
}
