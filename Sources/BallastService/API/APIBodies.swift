import BallastChains
import BallastCore
import BallastReports
import BallastStore
import Foundation

/// The shapes the API answers with (docs/api.md); keys are snake_case like the command line's JSON.
struct ReadinessBody: Encodable {
    let ready: Bool
    let reasons: [String]
}

/// A report of the last tick (`scan` or `plan` JSON) with the tick's number.
struct TickBody<Report: Encodable>: Encodable {
    let tick: Int
    let report: Report

    enum Key: String, CodingKey { case tick }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(tick, forKey: .tick)
    }
}

struct PauseBody: Encodable {
    let paused: Bool
    let by: String?
    let at: String?
    let reason: String?

    init(_ state: PauseState) {
        paused = state.paused
        by = state.by
        at = state.at.map(Timestamp.format)
        reason = state.reason
    }

    enum CodingKeys: String, CodingKey { case paused, by, at, reason }

    /// Every key, null when unset: the shape does not change with the state.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(paused, forKey: .paused)
        try c.encode(by, forKey: .by)
        try c.encode(at, forKey: .at)
        try c.encode(reason, forKey: .reason)
    }
}

struct SourceBody: Encodable {
    let source: String, kind: String, chain: String, up: Bool
    let lastSuccess: String?, lastError: String?, lastErrorAt: String?
    let consecutiveFailures: Int
    let latencyMS: Double?

    init(_ h: SourceHealth) {
        source = h.source
        kind = h.kind.rawValue
        chain = h.chain
        up = h.consecutiveFailures == 0
        lastSuccess = h.lastSuccess.map(Timestamp.format)
        lastError = h.lastError
        lastErrorAt = h.lastErrorAt.map(Timestamp.format)
        consecutiveFailures = h.consecutiveFailures
        latencyMS = h.lastLatency.map { ($0 / .milliseconds(1) * 10).rounded() / 10 }
    }

    enum CodingKeys: String, CodingKey {
        case source, kind, chain, up, lastSuccess = "last_success", lastError = "last_error", lastErrorAt = "last_error_at"
        case consecutiveFailures = "consecutive_failures", latencyMS = "latency_ms"
    }
}

struct SeenOpportunityRow: Encodable {
    let seenAt: String, token: String, buyChain: String, sellChain: String, bridge: String, amount: String
    let profitUSD: Double, roiBps: Double

    init(_ o: SeenOpportunity) {
        seenAt = Timestamp.format(o.seenAt)
        (token, buyChain, sellChain, bridge, amount) = (o.token, o.buyChain, o.sellChain, o.bridge, o.amount.description)
        profitUSD = USD.rounded(o.profitUSD)
        roiBps = (o.roiBps * 10).rounded() / 10
    }

    enum CodingKeys: String, CodingKey {
        case seenAt = "seen_at", token, buyChain = "buy_chain", sellChain = "sell_chain", bridge, amount
        case profitUSD = "profit_usd", roiBps = "roi_bps"
    }
}

struct JournalPage: Encodable {
    let actions: [ActionRow]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey { case actions, nextCursor = "next_cursor" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(actions, forKey: .actions)
        // null when there is no further page: present either way, so a client can rely on it.
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}

struct StatusBody: Encodable {
    struct Tick: Encodable {
        let number: Int, startedAt: String, durationMS: Int
        let prices: Int, routes: Int, balances: Int, failedSources: Int, opportunities: Int
        let plans: [String: String]
        let cycle: Int64?
        let errors: [[String: String]]

        enum CodingKeys: String, CodingKey {
            case number, startedAt = "started_at", durationMS = "duration_ms", prices, routes, balances
            case failedSources = "failed_sources", opportunities, plans, cycle, errors
        }
    }

    let version: String, strategy: String, mode: String, startedAt: String, intervalSeconds: Double
    let chains: [String]
    let ready: Bool, reasons: [String]
    let paused: PauseBody?
    let lastTick: Tick?
    let lastSuccessAt: String?
    let reloadedAt: String?, reloadError: String?

    init(loop: TickLoop) {
        let s = loop.state.current
        version = loop.settings.version
        let configuration = loop.configuration
        strategy = configuration.strategy.name
        mode = loop.settings.live ? "live" : "dry_run"
        startedAt = Timestamp.format(s.startedAt)
        intervalSeconds = loop.settings.interval / .seconds(1)
        chains = configuration.market.chains.map(\.name)
        let readiness = loop.readiness
        ready = readiness.ready
        reasons = readiness.reasons
        paused = (try? loop.journal.pauseState()).map(PauseBody.init)
        lastTick = s.lastTick.map { t in
            Tick(number: t.number, startedAt: Timestamp.format(t.startedAt), durationMS: Int(t.duration / .milliseconds(1)),
                 prices: t.snapshot.prices.count, routes: t.snapshot.routes.count, balances: t.snapshot.balances.count,
                 failedSources: t.failures.count, opportunities: t.scan?.opportunities.count ?? 0,
                 plans: Dictionary((t.plan?.plans ?? []).map { ($0.token, $0.status.rawValue) }, uniquingKeysWith: { a, _ in a }),
                 cycle: t.cycle?.cycle, errors: t.errors.map { ["stage": $0.stage, "message": $0.message] })
        }
        lastSuccessAt = s.lastSuccessAt.map(Timestamp.format)
        reloadedAt = s.reloadedAt.map(Timestamp.format)
        reloadError = s.reloadError
    }

    enum CodingKeys: String, CodingKey {
        case version, strategy, mode, startedAt = "started_at", intervalSeconds = "interval_seconds", chains, ready, reasons, paused
        case lastTick = "last_tick", lastSuccessAt = "last_success_at", reloadedAt = "reloaded_at", reloadError = "reload_error"
    }
}
