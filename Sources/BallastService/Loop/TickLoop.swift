import BallastChains
import BallastCore
import BallastExecution
import BallastHTTP
import BallastStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The service's heartbeat: every interval one tick pulls the market, scans, decides, and runs
/// a rebalancing cycle when a token out of its band may act. One tick at a time: a slow tick
/// delays the next one, never overlaps it. A failing source or stage degrades the tick (it is
/// reported), it never stops the loop.
///
/// On graceful shutdown no new tick starts, the running pull is cancelled, and a cycle stops
/// before its next submission (journal writes are synchronous; a POST under way finishes).
public final class TickLoop: Service, Sendable {
    let settings: ServiceSettings
    let journal: any Journal
    let client: HTTPClient
    let time: any TimeSource
    let logger: Logger
    public let metrics: ServiceMetrics
    let state: ServiceState
    let alerts: AlertSender
    private let loader: ConfigurationLoader
    let engine: Mutex<Engine>
    /// Readiness after the last tick, to alert when it is lost and when it is back.
    private let wasReady = Mutex<Bool?>(nil)
    /// Signalled after every tick (tests and benchmarks wait on it, never on the clock).
    private let ticks: AsyncStream<TickView>.Continuation
    public let finishedTicks: AsyncStream<TickView>

    /// Loads the configuration once; throws ``ConfigurationError`` when it cannot serve.
    public init(settings: ServiceSettings, journal: any Journal, loader: @escaping ConfigurationLoader, client: HTTPClient,
                time: any TimeSource, logger: Logger, metrics: ServiceMetrics) throws(ConfigurationError) {
        self.settings = settings
        self.journal = journal
        self.client = client
        self.time = time
        self.logger = logger
        self.metrics = metrics
        self.loader = loader
        let (engine, targets) = try Self.load(loader, settings: settings, journal: journal, client: client, time: time)
        self.engine = Mutex(engine)
        state = ServiceState(startedAt: time.date,
                             lastActed: Self.lastActed(journal, tokens: engine.configuration.strategy.tokens, live: settings.live))
        alerts = AlertSender(client: client, logger: logger, metrics: metrics, time: time)
        alerts.use(targets)
        (finishedTicks, ticks) = AsyncStream.makeStream(of: TickView.self, bufferingPolicy: .bufferingNewest(16))
    }

    var configuration: ServiceConfiguration { engine.withLock { $0.configuration } }

    /// Reads the files and builds everything a configuration needs, so a start and a reload
    /// accept and refuse the same configurations.
    private static func load(_ loader: ConfigurationLoader, settings: ServiceSettings, journal: any Journal, client: HTTPClient,
                             time: any TimeSource) throws(ConfigurationError) -> (Engine, AlertSender.Targets) {
        let configuration = try loader()
        let engine = try Engine(configuration, settings: settings, journal: journal, client: client, time: time)
        return (engine, try AlertSender.targets(configuration.strategy, environment: settings.environment))
    }

    public func run() async throws {
        var number = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            number += 1
            let began = time.elapsed
            let tick = number
            if let view = await cancelWhenGracefulShutdown({ await self.tick(tick) }) { ticks.yield(view) }
            let rest = settings.interval - (time.elapsed - began)
            guard rest > .zero else { continue }
            do { try await cancelWhenGracefulShutdown { try await self.time.sleep(for: rest) } } catch { break }
        }
        ticks.finish()
        logger.info("tick loop stopped", metadata: ["ticks": "\(number)"])
    }

    /// Reads the configuration files again (SIGHUP). A configuration that fails validation, or
    /// cannot serve, is refused: the old one stays in force and an alert says why.
    public func reload() {
        let now = time.date
        do throws(ConfigurationError) {
            let (fresh, targets) = try Self.load(loader, settings: settings, journal: journal, client: client, time: time)
            engine.withLock { $0 = fresh }
            alerts.use(targets)
            state.update {
                $0.reloadError = nil
                $0.reloadedAt = now
            }
            let configuration = fresh.configuration
            logger.notice("configuration reloaded", metadata: ["strategy": "\(configuration.strategy.name)",
                                                               "chains": "\(configuration.market.chains.count)"])
        } catch {
            metrics.countError(stage: "reload")
            state.update { $0.reloadError = "\(error)" }
            logger.error("reload refused; the previous configuration stays in force", metadata: ["problems": "\(error)"])
            alerts.send(Alert(.reloadFailed, subject: "reload", text: "reload refused, the previous configuration stays: \(error)", at: now))
        }
    }

    /// When each token's last cycle acted, from the journal: a restart keeps every cooldown
    /// running instead of acting again at once. Dry-run actions count for a dry-run service,
    /// live ones for a live service.
    static func lastActed(_ journal: any Journal, tokens: [String], live: Bool) -> [String: Date] {
        var acted: [String: Date] = [:]
        for token in tokens {
            // Newest first.
            let recent = try? journal.actions(live ? ActionQuery(token: token, limit: 50) : ActionQuery(status: .dryRun, token: token, limit: 1))
            if let newest = recent?.first(where: { ($0.status == .dryRun) != live }) { acted[token] = newest.createdAt }
        }
        return acted
    }

    /// Opportunities recorded per tick, the most profitable first.
    static let recordedOpportunities = 100

    /// One tick; nil when shutdown cut it short before anything was decided or acted on. What
    /// settling already changed in the journal is still counted and alerted.
    func tick(_ number: Int) async -> TickView? {
        let engine = self.engine.withLock { $0 }
        let startedAt = time.date, began = time.elapsed
        var errors: [(stage: String, message: String)] = []
        var events: [CycleOutcome.ActionEvent] = []
        if let cycle = engine.cycle {
            do { events = try await cycle.advance() } catch { errors.append(Self.stage(error)) }
        }
        let report = await engine.puller.pull()
        if Task.isCancelled { return cutShort(settled: events, engine: engine, at: startedAt) }
        let market = report.snapshot
        let scan = engine.detector?.scan(market)
        if let found = scan?.opportunities, !found.isEmpty {
            // The best of each tick: enough to see what was on offer and when, without letting a
            // market with thousands of marginal routes fill the journal.
            let best = found.sorted { $0.profitUSD > $1.profitUSD }.prefix(Self.recordedOpportunities)
            let cutoff = settings.opportunityRetention.map { startedAt.addingTimeInterval(-($0 / .seconds(1))) }
            do { try journal.recordOpportunities(best.map { SeenOpportunity($0, seenAt: market.takenAt) }, forgettingBefore: cutoff) } catch {
                errors.append(("journal", "\(error)"))
            }
        }
        var decision: RebalanceCycle.Decision?
        var outcome: CycleOutcome?
        if let cycle = engine.cycle, !market.balances.isEmpty {
            do {
                var d = try cycle.decide(market, scan: scan)
                // Shutdown cuts planning short (see Rebalancer): such plans are neither shown nor acted on.
                if Task.isCancelled { return cutShort(settled: events, engine: engine, at: startedAt) }
                d.rest(lastActed: state.current.lastActed, cooldownSeconds: engine.configuration.strategy.rebalance?.cooldownSeconds ?? 0,
                       at: startedAt)
                decision = d
                // Paused, no cycle is recorded (the plan is still shown): the kill switch stops
                // actions, and a resume acts at the next tick, not after a cooldown.
                if !d.acting.isEmpty, !d.paused.paused, !Task.isCancelled {
                    let acting = d.acting
                    outcome = try await cycle.run(d, startedAt: startedAt)
                    state.update { s in for token in acting { s.lastActed[token] = startedAt } }
                }
            } catch {
                errors.append(Self.stage(error))
            }
        } else if engine.cycle != nil {
            errors.append(("pull", "no balance could be read: nothing to rebalance from"))
        }
        if market.prices.isEmpty, market.routes.isEmpty, market.balances.isEmpty {
            errors.append(("pull", "no source gave any data"))
        }

        let view = TickView(number: number, startedAt: startedAt, paused: decision?.paused.paused ?? false, duration: time.elapsed - began,
                            pullDuration: report.elapsed, snapshot: market,
                            scan: scan, plan: decision?.report,
                            failures: report.failures, health: report.health, cycle: outcome, events: events, errors: errors)
        publish(view, engine: engine)
        return view
    }

    private func publish(_ view: TickView, engine: Engine) {
        state.update { s in
            s.lastTick = view
            if view.succeeded { s.lastSuccessAt = view.startedAt }
        }
        let pending = (try? journal.inFlight(balancesReadAt: .distantFuture).count) ?? 0
        metrics.record(view, pendingActions: pending)
        metrics.count(view.events + (view.cycle?.events ?? []), mode: engine.mode)
        for _ in view.failures { metrics.countError(stage: "pull") }
        for error in view.errors where error.stage != "pull" { metrics.countError(stage: error.stage) }
        raiseAlerts(view, engine: engine)
        logger.info("tick", metadata: TickLog.metadata(view))
    }

    private func cutShort(settled events: [CycleOutcome.ActionEvent], engine: Engine, at date: Date) -> TickView? {
        metrics.count(events, mode: engine.mode)
        raiseAlerts(for: events, at: date)
        return nil
    }

    private func raiseAlerts(_ view: TickView, engine: Engine) {
        let at = view.startedAt
        for o in view.scan?.opportunities ?? [] {
            alerts.send(Alert(.opportunity, subject: "\(o.token) \(o.buyChain)→\(o.sellChain) \(o.bridge)",
                              text: "\(o.token): buy on \(o.buyChain), sell on \(o.sellChain) over \(o.bridge): profit $\(Figures.usd(o.profitUSD))", at: at))
        }
        // A price the consensus would not trust (stale, or far from the other sources): a depeg
        // or a lagging oracle shows here before anything fails.
        for issue in view.scan?.priceIssues ?? view.plan?.priceIssues ?? [] {
            alerts.send(Alert(.priceDropped, subject: "\(issue.chain)/\(issue.token) \(issue.source)", text: "price source dropped: \(issue)", at: at))
        }
        // A source alerts once, in the tick its failures in a row reach a webhook's threshold;
        // sources crossing together (a provider down) make one alert.
        let webhooks = engine.configuration.strategy.alerts
        for threshold in Set(webhooks.isEmpty ? [AlertWebhook.defaultSourceFailures] : webhooks.map(\.sourceFailures)).sorted() {
            let crossing = view.health.filter { $0.consecutiveFailures == threshold }
            guard !crossing.isEmpty else { continue }
            let named = crossing.prefix(10).map { "\($0.source) (\($0.lastError ?? "no answer"))" }.joined(separator: "; ")
            alerts.send(Alert(.sourceFailing, subject: crossing.map(\.source).joined(separator: ", "),
                              text: "\(Figures.count(crossing.count, "source")) failed \(threshold) ticks in a row: \(named)"
                                  + (crossing.count > 10 ? "; and \(crossing.count - 10) more" : ""),
                              at: at, streak: threshold))
        }
        if let cycle = view.cycle {
            let planned = cycle.count(.planned) + cycle.count(.dryRun)
            if planned > 0 {
                alerts.send(Alert(.cyclePlanned, subject: "cycle \(cycle.cycle)",
                                  text: "cycle \(cycle.cycle) (\(engine.mode == .live ? "live" : "dry-run")) planned \(planned) transfer\(planned == 1 ? "" : "s")", at: at))
            }
        }
        raiseAlerts(for: view.events + (view.cycle?.events ?? []), at: at)
        for error in view.errors where error.stage == "cycle" || error.stage == "journal" {
            alerts.send(Alert(.cycleFailed, subject: error.stage, text: "\(error.stage): \(error.message)", at: at))
        }
        let readiness = self.readiness
        let before = wasReady.withLock { previous in
            defer { previous = readiness.ready }
            return previous
        }
        if before != readiness.ready, before != nil || !readiness.ready {
            alerts.send(readiness.ready
                ? Alert(.readinessBack, subject: "readiness", text: "ready again", at: at)
                : Alert(.readinessLost, subject: "readiness", text: "not ready: " + readiness.reasons.joined(separator: "; "), at: at))
        }
    }

    /// Alerts on what happened to actions: submitted, failed or blocked, expired.
    private func raiseAlerts(for events: [CycleOutcome.ActionEvent], at: Date) {
        let submitted = events.filter { $0.status == .submitted }
        if !submitted.isEmpty {
            alerts.send(Alert(.cycleSubmitted, subject: submitted.map(\.key).joined(separator: ","),
                              text: "submitted \(submitted.count) transfer\(submitted.count == 1 ? "" : "s"): \(submitted.map(\.key).joined(separator: ", "))", at: at))
        }
        for event in events where event.status == .failed || event.status == .blocked {
            alerts.send(Alert(.cycleFailed, subject: event.key, text: "\(event.key) \(event.status.rawValue): \(event.note ?? "")", at: at))
        }
        for event in events where event.status == .expired {
            alerts.send(Alert(.actionExpired, subject: event.key, text: "\(event.key) expired: \(event.note ?? "")", at: at))
        }
    }

    /// Pause or resume from the API; the journal holds the switch, so `ballast pause` and the
    /// service agree.
    func setPaused(_ paused: Bool, by actor: String, reason: String?) throws(JournalError) -> PauseState {
        let now = time.date
        let state = PauseState(paused: paused, by: actor, at: now, reason: reason)
        try journal.setPaused(state)
        alerts.send(Alert(paused ? .paused : .resumed, subject: "pause",
                          text: paused ? "paused by \(actor)\(reason.map { ": \($0)" } ?? "")" : "resumed by \(actor)", at: now))
        return state
    }

    private static func stage(_ error: any Error) -> (stage: String, message: String) {
        (error is JournalError ? "journal" : "cycle", "\(error)")
    }
}

extension TickLoop {
    /// Live only: the key status reports are signed with.
    var webhookSecret: WebhookSecret? { engine.withLock { $0.webhookSecret } }

    /// Readiness now, from the last tick and the journal file.
    var readiness: Readiness {
        Readiness(state: state.current, interval: settings.interval, now: time.date, journalPath: settings.journalPath)
    }
}
