import BallastChains
import BallastCore
import BallastHTTP
import BallastSandbox
import Foundation
import Testing

/// A backtest decides from snapshots built straight from the scenario's state; the sandbox
/// serves the same state on the wire. Pulled through the real adapters, the two must agree.
@Suite struct ScenarioWireTests {
    @Test(arguments: [Scenario.shock, .growth, .bull])
    func theWireAndTheDirectSnapshotAgree(_ scenario: Scenario) async throws {
        let time = ManualTime(date: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        let market = SimulatedMarket(chains: 5, tokens: 3, bridgeFanout: SimulatedMarket.scenarioFanout)
        // Horizon 48: at step 21 the shock has struck (16), its node is down (20–23) and its
        // bridge halted; the growth chain has launched (16).
        var path = ScenarioPath(scenario, market: market, seed: 5, horizon: 48)
        var state = path.start
        for _ in 1...21 {
            time.advance(by: .seconds(60))
            _ = path.advance(at: time.date, moving: &state)
        }
        let server = try await SimulatedMarketServer(market: market, time: time)
        server.updateState { $0 = state }
        let directory = try market.writeChainFiles(baseURL: server.baseURL)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let client = HTTPClient()
        let puller = MarketPuller(market: try MarketConfig.load(directory: directory, environment: [:]), client: client,
                                  settings: PullSettings(deadline: .seconds(5), requestTimeout: .seconds(5), connectTimeout: .seconds(2),
                                                         maxAttempts: 1, backoffBase: .milliseconds(10)), time: time)
        let pulled = await puller.pull()
        let direct = MarketSnapshot(market, state: state, at: pulled.snapshot.takenAt)
        await client.shutdown()
        try await server.shutdown()

        func prices(_ s: Snapshot) -> [String: Double] {
            Dictionary(s.prices.map { ("\($0.chain)/\($0.token)/\($0.source)", $0.priceUSD) }, uniquingKeysWith: { a, _ in a })
        }
        let wire = prices(pulled.snapshot), built = prices(direct.snapshot)
        #expect(Set(wire.keys) == Set(built.keys))
        for (key, price) in wire { #expect(abs(price - (built[key] ?? 0)) <= 1e-6 * price, "\(key): wire \(price), direct \(built[key] ?? .nan)") }

        func routes(_ s: Snapshot) -> [String: Route] {
            Dictionary(s.routes.map { ("\($0.from)→\($0.to) \($0.token) \($0.bridge)", $0) }, uniquingKeysWith: { a, _ in a })
        }
        let wireRoutes = routes(pulled.snapshot), builtRoutes = routes(direct.snapshot)
        #expect(Set(wireRoutes.keys) == Set(builtRoutes.keys))
        for (key, r) in wireRoutes {
            guard let b = builtRoutes[key] else { continue }
            #expect(abs(r.feeBps - b.feeBps) < 1e-9 && r.feeFixed == b.feeFixed && r.gasUSD == b.gasUSD && r.etaSeconds == b.etaSeconds
                    && r.maxAmount == b.maxAmount, "\(key): wire \(r), direct \(b)")
        }
        #expect(Set(pulled.snapshot.balances.map { "\($0.chain)/\($0.token) \($0.amount)" })
                == Set(direct.snapshot.balances.map { "\($0.chain)/\($0.token) \($0.amount)" }))
        #expect(pulled.failures.isEmpty == direct.failures.isEmpty, "wire: \(pulled.failures.map(\.source)), direct: \(direct.failures)")
        if scenario == .shock {
            // USDC's two sources disagree on the depegged chain: its pools cannot be valued either way.
            #expect(!pulled.snapshot.prices.contains { $0.chain == market.chainName(path.depeggedChain) && $0.source.hasPrefix("uniswap") })
            #expect(!pulled.snapshot.balances.contains { $0.chain == market.chainName(path.downChain) })
            #expect(!pulled.snapshot.routes.contains { $0.from == market.chainName(path.haltedChain) || $0.to == market.chainName(path.haltedChain) })
        }
    }
}
