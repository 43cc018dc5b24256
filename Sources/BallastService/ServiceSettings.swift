import BallastChains
import BallastCore
import Foundation

/// How `ballast serve` runs: fixed for the life of the process (a reload changes the
/// configuration, never these).
public struct ServiceSettings: Sendable {
    /// Time between the start of one tick and the next; a slow tick delays the next one.
    public var interval: Duration
    public var live: Bool
    public var host: String
    /// 0 asks the system for a free port (tests); the log says which one was bound.
    public var port: Int
    /// `BALLAST_API_TOKEN`: a secret, needed by every endpoint but `/livez` and `/readyz`.
    public var apiToken: String?
    public var journalPath: String
    public var pull: PullSettings
    /// Who the journal names for the service's changes.
    public var actor: String
    public var version: String
    /// The environment `${NAME}` references are read from (alert URLs, webhook secrets).
    public var environment: [String: String]
    /// How long the journal keeps the opportunities ticks saw; nil keeps them all. Up to 100 rows
    /// a tick, every tick, would otherwise fill the disk of a service left running.
    public var opportunityRetention: Duration?
    /// API connections open at once; more are closed as they arrive (see ``ConnectionGate``).
    public var maxConnections: Int
    /// How long an API connection may sit idle between requests before the server closes it.
    public var idleTimeout: Duration

    public init(interval: Duration, live: Bool, host: String, port: Int, apiToken: String?, journalPath: String,
                pull: PullSettings, actor: String = "serve", version: String, environment: [String: String],
                opportunityRetention: Duration? = nil, maxConnections: Int = 256, idleTimeout: Duration = .seconds(60)) {
        self.interval = interval
        self.live = live
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.journalPath = journalPath
        self.pull = pull
        self.actor = actor
        self.version = version
        self.environment = environment
        self.opportunityRetention = opportunityRetention
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// What SIGHUP reloads: the strategy and the chain files, read and checked together.
public struct ServiceConfiguration: Sendable {
    public var strategy: Strategy
    /// The strategy file as read: stored with each cycle, so it can be replayed.
    public var strategyText: String
    public var market: MarketConfig

    public init(strategy: Strategy, strategyText: String, market: MarketConfig) {
        self.strategy = strategy
        self.strategyText = strategyText
        self.market = market
    }
}

/// Reads the configuration files again; throws every problem found.
public typealias ConfigurationLoader = @Sendable () throws(ConfigurationError) -> ServiceConfiguration

/// Configuration that cannot be used, worded for the operator (one line per problem).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var lines: [String]
    public init(lines: [String]) { self.lines = lines }
    public var description: String { lines.joined(separator: "; ") }
}
