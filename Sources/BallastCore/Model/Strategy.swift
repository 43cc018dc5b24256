/// What a desk wants: which tokens, when an arbitrage is worth taking, and where
/// inventory should sit. Read from `strategies/NAME.yaml`.
public struct Strategy: Sendable, Hashable {
    public var name: String
    public var tokens: [String]
    public var arbitrage: ArbitrageRules?
    public var rebalance: RebalanceRules?
    /// How live mode submits transfers; nil leaves the strategy dry-run only.
    public var execution: ExecutionRules?
    /// Where the service sends alerts; empty for none.
    public var alerts: [AlertWebhook]
    /// How far (in bps) a source may stray from the median of a (chain, token)'s fresh
    /// sources before it is dropped; `prices.max_deviation_bps`, default 100.
    public var maxSourceDeviationBps: Double

    public static let defaultMaxSourceDeviationBps = 100.0

    public init(name: String, tokens: [String], arbitrage: ArbitrageRules? = nil, rebalance: RebalanceRules? = nil,
                execution: ExecutionRules? = nil, alerts: [AlertWebhook] = [],
                maxSourceDeviationBps: Double = Strategy.defaultMaxSourceDeviationBps) {
        self.name = name
        self.tokens = tokens
        self.arbitrage = arbitrage
        self.rebalance = rebalance
        self.execution = execution
        self.alerts = alerts
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
    /// The band around each target, as a fraction of the token's total; a target with its
    /// own band (``TargetShare/band``) uses that instead.
    public var threshold: Double
    public var minTransferUSD: Double
    /// A transfer dearer than this, all in, is not planned.
    public var maxFeeBps: Double
    /// Per token, per chain, the share of the total to hold there; the fractions sum to 1.
    public var targets: [String: [String: TargetShare]]
    /// Prices and route quotes older than this are not used to cost transfers.
    public var maxPriceAgeSeconds: Double
    /// Branch-and-bound nodes the solver may spend on one token's plan: the budget that makes
    /// plans deterministic (`rebalance.max_solve_nodes`).
    public var maxSolveNodes: Int
    /// The service leaves a token at rest this long after a cycle that acted on it
    /// (`rebalance.cooldown_seconds`): transfers take time to land.
    public var cooldownSeconds: Double

    public static let defaultMaxPriceAgeSeconds = 600.0
    /// Chosen with `ballast bench plan`: 200 nodes left a 10-chain plan unproven, and 20- and
    /// 30-chain plans 0.4% and 3.7% dearer in total than 1,000 did; 1,000 plans 30 chains in
    /// about 2–2.5 s (README, "Performance").
    public static let defaultMaxSolveNodes = 1_000
    public static let defaultCooldownSeconds = 900.0

    public init(threshold: Double, minTransferUSD: Double, maxFeeBps: Double, targets: [String: [String: TargetShare]],
                maxPriceAgeSeconds: Double = RebalanceRules.defaultMaxPriceAgeSeconds,
                maxSolveNodes: Int = RebalanceRules.defaultMaxSolveNodes, cooldownSeconds: Double = RebalanceRules.defaultCooldownSeconds) {
        self.threshold = threshold
        self.minTransferUSD = minTransferUSD
        self.maxFeeBps = maxFeeBps
        self.targets = targets
        self.maxPriceAgeSeconds = maxPriceAgeSeconds
        self.maxSolveNodes = maxSolveNodes
        self.cooldownSeconds = cooldownSeconds
    }
}

/// One chain's target for a token: a fraction of the token's total, and optionally its own band.
public struct TargetShare: Sendable, Hashable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public var fraction: Double
    /// The band as a fraction of this chain's target (0.25: short below 75% of target); nil
    /// for the strategy's `threshold` of the token's total.
    public var band: Double?

    public init(_ fraction: Double, band: Double? = nil) {
        self.fraction = fraction
        self.band = band
    }

    public init(floatLiteral value: Double) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Double(value)) }
}
