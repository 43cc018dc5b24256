import BallastSandbox
import Foundation

/// A desk as the command-line tests run one: the simulated market and a signed-webhook receiver
/// on 127.0.0.1, its chain files, a strategy file and a journal in a fresh directory.
struct TestDesk {
    static let market = SimulatedMarket(chains: 3, tokens: 3)
    /// The variable the strategy names for the webhook secret.
    static let secretVariable = "BALLAST_TEST_WEBHOOK_SECRET"

    let directory: URL
    let chains: String
    let strategy: String
    let server: SimulatedMarketServer
    let receiver: WebhookReceiver
    var journal: String { directory.appendingPathComponent("ballast.db").path }

    /// chain00 holds the least USDC (100 of 411) and should hold half of it: the first plan is out
    /// of band. The others give about 34 and 71, which the $0.50 relayer fee allows under 200 bps.
    static func strategy(webhook: String, timeoutSeconds: Int = 1, name: String = "desk", arbitrage: Bool = false,
                         cooldownSeconds: Int? = nil, limits: String = "") -> String {
        """
        name: \(name)
        tokens: [USDC]
        \(arbitrage ? "arbitrage: {min_profit_usd: 0, min_roi_bps: 0, max_trade_usd: 10000, max_price_age_seconds: 600}" : "")
        rebalance:
          threshold: 0.05
          min_transfer_usd: 1
          max_fee_bps: 200
          \(cooldownSeconds.map { "cooldown_seconds: \($0)" } ?? "")
          targets:
            USDC: {chain00: 0.5, chain01: 0.25, chain02: 0.25}
        execution:
          webhook:
            url: \(webhook)
            secret: ${\(secretVariable)}
            timeout_seconds: \(timeoutSeconds)
        \(limits)
        """
    }

    /// Runs `body` on a fresh desk whose strategy is `strategy(receiverURL)`, then shuts it all down.
    static func with(secret: String, receiver behaviour: WebhookReceiver.Behaviour, strategy: (String) -> String,
                     _ body: (TestDesk) async throws -> Void) async throws {
        let server = try await SimulatedMarketServer(market: market)
        let receiver = try await WebhookReceiver(secret: secret, behaviour: behaviour)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-desk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let chains = try market.writeChainFiles(baseURL: server.baseURL)
        let file = directory.appendingPathComponent("desk.yaml")
        try Data(strategy(receiver.url).utf8).write(to: file)
        defer {
            try? FileManager.default.removeItem(atPath: chains)
            try? FileManager.default.removeItem(at: directory)
        }
        var failure: (any Error)?
        do { try await body(TestDesk(directory: directory, chains: chains, strategy: file.path, server: server, receiver: receiver)) } catch {
            failure = error
        }
        try await receiver.shutdown()
        try await server.shutdown()
        if let failure { throw failure }
    }

    func ballast(_ arguments: [String]) async throws -> CLIRunner.Result {
        try await CLIRunner.launch(arguments + ["--journal", journal], environment: [:])
    }

    /// Every action, oldest first, as `journal list --format json` prints them.
    func actions() async throws -> [[String: Any]] {
        let listed = try await ballast(["journal", "list", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        return (object?["actions"] as? [[String: Any]] ?? []).reversed()
    }
}
