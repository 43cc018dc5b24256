import BallastCore
import BallastHTTP
import Foundation
import Synchronization

/// `ballast sandbox`: the simulated market on loopback moving through a scenario, with a
/// custody simulator for live mode. The caller paces it: each ``step()`` moves the market one
/// step and lands what is due.
public final class Sandbox: Sendable {
    public struct Settings: Sendable {
        public var scenario: Scenario
        public var seed: UInt64
        public var chains: Int
        public var tokens: Int
        /// Steps over which the scenario's events unfold.
        public var horizon: Int
        public var port: Int
        /// The webhook secret the custody simulator verifies and signs reports with; nil runs no custody.
        public var secret: String?
        /// The service's base URL, for status reports.
        public var serviceURL: String?

        public init(scenario: Scenario, seed: UInt64 = 1, chains: Int = 5, tokens: Int = 3, horizon: Int = 120, port: Int = 0,
                    secret: String? = nil, serviceURL: String? = nil) {
            self.scenario = scenario
            self.seed = seed
            self.chains = chains
            self.tokens = tokens
            self.horizon = horizon
            self.port = port
            self.secret = secret
            self.serviceURL = serviceURL
        }
    }

    public let settings: Settings
    public let server: SimulatedMarketServer
    public let custody: CustodySimulator?
    private let client: HTTPClient?
    private let path: Mutex<ScenarioPath>
    private let time: any TimeSource

    /// Transfers land after this long: short, so a newcomer sees one carried out within a minute.
    public static let fillSeconds = 20
    /// Feeds go stale after this heartbeat, so a lagging oracle shows within minutes.
    public static let heartbeatSeconds = 120

    public init(_ settings: Settings, time: any TimeSource = SystemTime()) async throws {
        self.settings = settings
        self.time = time
        var market = SimulatedMarket(chains: settings.chains, tokens: settings.tokens)
        market.fillSeconds = Self.fillSeconds
        market.feedHeartbeatSeconds = Self.heartbeatSeconds
        let path = ScenarioPath(settings.scenario, market: market, seed: settings.seed, horizon: settings.horizon)
        self.path = Mutex(path)
        let server = try await SimulatedMarketServer(market: market, threads: 2, time: time, port: settings.port)
        server.updateState { $0 = path.start }
        self.server = server
        let client = settings.serviceURL != nil && settings.secret != nil ? HTTPClient() : nil
        self.client = client
        custody = settings.secret.map { secret in
            CustodySimulator(market: server, secret: secret, time: time,
                             reportTo: client.flatMap { c in settings.serviceURL.map { (c, $0) } })
        }
    }

    public var market: SimulatedMarket { server.market }

    /// Moves the market one step and lands the transfers that are due.
    public func step() async -> (events: [ScenarioEvent], landings: [CustodySimulator.Landing]) {
        let date = time.date
        let events = path.withLock { path in server.updateState { path.advance(at: date, moving: &$0) } }
        let landings = await custody?.land() ?? []
        return (events, landings)
    }

    /// Writes the chain files pointing at this sandbox into `directory` (created if need be).
    public func writeChainFiles(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in market.chainFiles(baseURL: server.baseURL) {
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
        }
    }

    /// A strategy for this market: every token, even targets over the chains there from the
    /// start, a short cooldown, and live execution through the custody simulator with the
    /// secret read from `secretVariable`.
    public func strategy(secretVariable: String) -> String {
        let launched = path.withLock { $0.start.launched }
        let chains: [String] = (0..<market.chainCount).filter { launched[$0] }.map(market.chainName)
        let tokens: [String] = (0..<market.tokenCount).map(market.symbol)
        // Fractions with four decimals summing exactly to 1: the first chain takes the remainder.
        let each = 10_000 / chains.count
        let first = 10_000 - (chains.count - 1) * each
        let targets: String = chains.enumerated().map { i, name in "\(name): \(Double(i == 0 ? first : each) / 10_000)" }.joined(separator: ", ")
        var lines = [
            "# Written by `ballast sandbox --scenario \(settings.scenario.rawValue)`: a strategy for the simulated market.",
            "name: sandbox-\(settings.scenario.rawValue)",
            "tokens: [\(tokens.joined(separator: ", "))]",
            "arbitrage: {min_profit_usd: 5, min_roi_bps: 2, max_trade_usd: 50000, max_price_age_seconds: 300}",
            "rebalance:",
            "  threshold: 0.05",
            "  min_transfer_usd: 10",
            "  max_fee_bps: 50",
            "  cooldown_seconds: 60",
            "  targets:",
        ]
        lines += tokens.map { "    \($0): {\(targets)}" }
        if let custody {
            lines += ["execution:", "  webhook:", "    url: \(custody.url)", "    secret: ${\(secretVariable)}", "    timeout_seconds: 5"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func shutdown() async throws {
        await client?.shutdown()
        try await server.shutdown()
    }
}
