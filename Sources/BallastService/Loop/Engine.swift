import BallastChains
import BallastCore
import BallastExecution
import BallastHTTP
import BallastStore
import Foundation

/// Everything made from one configuration: the puller (with its fee cache and source health),
/// the detector and the rebalancing cycle. A reload builds a new one and swaps it whole.
struct Engine: Sendable {
    let configuration: ServiceConfiguration
    let puller: MarketPuller
    let detector: ArbitrageDetector?
    /// Nil when the strategy has no rebalance section (the service then only scans).
    let cycle: RebalanceCycle?
    let mode: CycleMode
    /// Live only: the key the desk's signer signs status reports with (the webhook's).
    let webhookSecret: WebhookSecret?

    /// Throws ``ConfigurationError`` when live mode lacks what it needs.
    init(_ configuration: ServiceConfiguration, settings: ServiceSettings, journal: any Journal, client: HTTPClient,
         time: any TimeSource) throws(ConfigurationError) {
        let strategy = configuration.strategy
        self.configuration = configuration
        let puller = MarketPuller(market: configuration.market, client: client, settings: settings.pull, time: time)
        self.puller = puller
        detector = ArbitrageDetector(strategy: strategy)
        mode = settings.live ? .live : .dryRun
        guard strategy.rebalance != nil else {
            if settings.live { throw ConfigurationError(lines: ["--live: strategy \(strategy.name) has no rebalance section"]) }
            cycle = nil
            webhookSecret = nil
            return
        }
        var submitter: (any TransferSubmitter)?
        var custody: CustodyDirectory?
        var webhookSecret: WebhookSecret?
        if settings.live {
            guard let execution = strategy.execution else {
                throw ConfigurationError(lines: ["--live: strategy \(strategy.name) has no execution section (see docs/execution.md)"])
            }
            do {
                let secret = try WebhookSecret(execution.webhook.secret, environment: settings.environment)
                webhookSecret = secret
                submitter = WebhookSubmitter(settings: execution.webhook, secret: secret, client: client, time: time)
            } catch {
                throw ConfigurationError(lines: [error.description])
            }
            custody = CustodyDirectory(market: configuration.market)
        }
        self.webhookSecret = webhookSecret
        do {
            cycle = try RebalanceCycle(
                configuration: .init(strategy: strategy, strategyText: configuration.strategyText, mode: mode, custody: custody,
                                     actor: settings.actor),
                journal: journal,
                readMarket: {
                    // The fresh read before sending: a read that got nothing fails the send, it
                    // does not block every action on data it never had.
                    let snapshot = await puller.pull().snapshot
                    guard !(snapshot.prices.isEmpty && snapshot.balances.isEmpty) else { throw TickFailure("the fresh read got nothing") }
                    return snapshot
                },
                submitter: submitter, time: time)
        } catch {
            throw ConfigurationError(lines: [error.description])
        }
    }
}

/// A stage of a tick that could not finish.
struct TickFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
