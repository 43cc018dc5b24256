import BallastCore
import BallastExecution
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
        public var secret: WebhookSecret?
        /// The service's base URL, for status reports.
        public var serviceURL: String?
        /// Across's fill time: transfers land this long after custody accepts them. Short by
        /// default, so a newcomer sees one carried out within a minute.
        public var fillSeconds: Int

        public init(scenario: Scenario, seed: UInt64 = 1, chains: Int = 5, tokens: Int = 3, horizon: Int = 120, port: Int = 0,
                    secret: WebhookSecret? = nil, serviceURL: String? = nil, fillSeconds: Int = 20) {
            self.scenario = scenario
            self.seed = seed
            self.chains = chains
            self.tokens = tokens
            self.horizon = horizon
            self.port = port
            self.secret = secret
            self.serviceURL = serviceURL
            self.fillSeconds = fillSeconds
        }
    }

    public let settings: Settings
    public let server: SimulatedMarketServer
    public let custody: CustodySimulator?
    private let client: HTTPClient?
    private let path: Mutex<ScenarioPath>
    private let time: any TimeSource

    /// Feeds go stale after this heartbeat, so a lagging oracle shows within minutes.
    public static let heartbeatSeconds = 120

    public init(_ settings: Settings, time: any TimeSource = SystemTime()) async throws {
        self.settings = settings
        self.time = time
        var market = SimulatedMarket(chains: settings.chains, tokens: settings.tokens, bridgeFanout: SimulatedMarket.scenarioFanout)
        market.fillSeconds = settings.fillSeconds
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
    /// start, and live execution through the custody simulator (when there is one) with the
    /// secret read from `secretVariable`.
    public func strategy(secretVariable: String) -> String {
        let launched = path.withLock { $0.start.launched }
        return market.strategyText(name: "sandbox-\(settings.scenario.rawValue)", chains: (0..<market.chainCount).filter { launched[$0] },
                                   custody: custody.map { ($0.url, secretVariable) })
    }

    public func shutdown() async throws {
        await client?.shutdown()
        try await server.shutdown()
    }
}
