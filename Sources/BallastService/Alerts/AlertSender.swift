import BallastCore
import BallastHTTP
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

typealias AlertFormat = AlertWebhook.Format

/// Delivers alerts to the strategy's webhooks from a queue of its own, so a slow or broken
/// receiver never delays a tick. Each webhook hears the same (kind, subject) at most once per
/// its `repeat_minutes`; failures are logged and counted, never fatal.
final class AlertSender: Service, Sendable {
    struct Target: Sendable {
        var url: String
        /// How the URL may be named in a log: `${NAME}` when it is a secret.
        var shownAs: String
        var secret: String?
        var format: AlertFormat
        var repeatSeconds: Double
        var sourceFailures: Int
    }

    /// A strategy's webhooks, resolved against the environment.
    struct Targets: Sendable {
        var strategy: String
        var list: [Target]
    }

    private let client: HTTPClient
    private let logger: Logger
    private let metrics: ServiceMetrics
    private let time: any TimeSource
    private let queue: AsyncStream<Alert>
    private let input: AsyncStream<Alert>.Continuation
    /// The webhooks in force (replaced on reload), and when each last sent each alert.
    private let state = Mutex<(targets: [Target], strategy: String, lastSent: [String: Date])>(([], "", [:]))

    init(client: HTTPClient, logger: Logger, metrics: ServiceMetrics, time: any TimeSource) {
        self.client = client
        self.logger = logger
        self.metrics = metrics
        self.time = time
        (queue, input) = AsyncStream.makeStream(of: Alert.self, bufferingPolicy: .bufferingNewest(1_000))
    }

    /// The strategy's webhooks; a `${NAME}` whose variable is unset makes the configuration unusable.
    static func targets(_ strategy: Strategy, environment: [String: String]) throws(ConfigurationError) -> Targets {
        var problems: [String] = []
        var targets: [Target] = []
        for (i, webhook) in strategy.alerts.enumerated() {
            guard let url = webhook.url.resolve(environment) else {
                problems.append("alerts[\(i)].url: the environment variable in \(webhook.url) is not set")
                continue
            }
            targets.append(Target(url: url, shownAs: webhook.url.isSecret ? webhook.url.description : Redaction.url(url, secrets: []),
                                  secret: webhook.url.isSecret ? url : nil, format: webhook.format, repeatSeconds: webhook.repeatMinutes * 60,
                                  sourceFailures: webhook.sourceFailures))
        }
        guard problems.isEmpty else { throw ConfigurationError(lines: problems) }
        return Targets(strategy: strategy.name, list: targets)
    }

    /// Puts `targets` in force (at start and on reload).
    func use(_ targets: Targets) {
        state.withLock {
            $0.targets = targets.list
            $0.strategy = targets.strategy
        }
    }

    /// Past this many remembered (webhook, kind, subject) sends, the expired ones are dropped.
    static let rememberedAlerts = 1_000

    /// Queues an alert; never waits.
    func send(_ alert: Alert) {
        input.yield(alert)
    }

    func run() async throws {
        // Alerts raised while stopping are still delivered: the queue ends once the stream is
        // finished at shutdown and drained.
        await withGracefulShutdownHandler {
            for await alert in queue { await deliver(alert) }
        } onGracefulShutdown: { [input] in
            input.finish()
        }
    }

    private func deliver(_ alert: Alert) async {
        let (due, logged): ([(Target, String)], Bool) = state.withLock { s in
            let now = time.date
            // Subjects include action keys, so the record would grow for ever: what is older
            // than every window can no longer hold anything back.
            if s.lastSent.count > Self.rememberedAlerts {
                let longest = s.targets.map(\.repeatSeconds).reduce(AlertWebhook.defaultRepeatMinutes * 60, max)
                s.lastSent = s.lastSent.filter { now.timeIntervalSince($0.value) < longest }
            }
            // The log hears every alert too, under the same repeat rule (the default window).
            let logKey = "log \(alert.kind.rawValue) \(alert.subject)"
            let logged = s.lastSent[logKey].map { now.timeIntervalSince($0) >= AlertWebhook.defaultRepeatMinutes * 60 } ?? true
            if logged { s.lastSent[logKey] = now }
            return (s.targets.enumerated().compactMap { i, target in
                if alert.kind == .sourceFailing, alert.streak != target.sourceFailures { return nil }
                let key = "\(i) \(alert.kind.rawValue) \(alert.subject)"
                if let last = s.lastSent[key], now.timeIntervalSince(last) < target.repeatSeconds { return nil }
                s.lastSent[key] = now
                return (target, s.strategy)
            }, logged)
        }
        if logged {
            logger.notice("alert", metadata: ["kind": "\(alert.kind.rawValue)", "subject": "\(alert.subject)", "text": "\(alert.text)"])
        }
        await withTaskGroup(of: Void.self) { group in
            for (target, strategy) in due {
                group.addTask { [client, logger, metrics] in
                    var request = HTTPRequest.postJSON(url: target.url, body: alert.body(target.format, strategy: strategy))
                    request.timeout = .seconds(5)
                    request.connectTimeout = .seconds(3)
                    request.maxRedirects = 0
                    request.maxBodyBytes = 16 << 10
                    request.secrets = target.secret.map { [$0] } ?? []
                    do {
                        _ = try await client.send(request)
                    } catch {
                        metrics.countError(stage: "alert")
                        logger.warning("alert not delivered", metadata: [
                            "webhook": "\(target.shownAs)", "kind": "\(alert.kind.rawValue)",
                            "error": "\(Redaction.masking("\(error)", secrets: request.secrets))",
                        ])
                    }
                }
            }
        }
    }
}
