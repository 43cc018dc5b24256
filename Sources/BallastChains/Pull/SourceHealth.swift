import Foundation
import BallastCore

/// How one source has fared across ticks: what the service shows an operator.
public struct SourceHealth: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case price, balance, route
    }

    public var source: String
    public var kind: Kind
    /// The chain the source reads (a route's sending chain).
    public var chain: String
    public var lastSuccess: Date?
    public var lastError: String?
    public var lastErrorAt: Date?
    /// How long the source's last request took, retries included (a chain's calls share their
    /// batch's time).
    public var lastLatency: Duration?
    /// Ticks in a row that this source failed; 0 after any success.
    public var consecutiveFailures: Int

    init(source: String, kind: Kind, chain: String) {
        self.source = source
        self.kind = kind
        self.chain = chain
        consecutiveFailures = 0
    }

    mutating func record(success at: Date) {
        lastSuccess = at
        consecutiveFailures = 0
    }

    mutating func record(failure reason: String, at: Date) {
        lastError = reason
        lastErrorAt = at
        consecutiveFailures += 1
    }
}

/// What one tick produced: the snapshot, and everything that went wrong on the way.
public struct PullReport: Sendable {
    public var snapshot: Snapshot
    /// Every source that gave nothing usable, and why; sorted by source.
    public var failures: [SourceFailure]
    /// Sources that disagree with the others for their (chain, token), as the core's
    /// price consensus judges them. They stay in the snapshot: the strategy that reads
    /// it decides again with its own thresholds.
    public var priceIssues: [PriceIssue]
    /// Every source's record after this tick, sorted by source.
    public var health: [SourceHealth]
    /// Fee quotes reused from the cache instead of asked for.
    public var cachedRoutes: Int
    public var elapsed: Duration
}
