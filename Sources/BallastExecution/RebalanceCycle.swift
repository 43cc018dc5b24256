import BallastCore
import BallastStore
import Foundation

/// One rebalancing cycle over every token of a strategy: read the market, plan net of what is
/// already in flight, record, and in live mode re-check and submit.
///
/// Everything is recorded before it is acted on: a process killed at any point leaves a journal
/// from which the next run resumes with the same keys, and never sends a transfer under a second key.
public struct RebalanceCycle: Sendable {
    public struct Configuration: Sendable {
        public var strategy: Strategy
        /// The strategy file as read: stored with the cycle, so it can be replayed.
        public var strategyText: String
        public var mode: CycleMode
        /// Live only: where each chain's token and treasury are.
        public var custody: CustodyDirectory?
        /// Who the journal names for this run's changes.
        public var actor: String

        public init(strategy: Strategy, strategyText: String, mode: CycleMode, custody: CustodyDirectory?, actor: String = "run") {
            self.strategy = strategy
            self.strategyText = strategyText
            self.mode = mode
            self.custody = custody
            self.actor = actor
        }
    }

    let configuration: Configuration
    let rebalancer: Rebalancer
    let detector: ArbitrageDetector?
    let journal: any Journal
    /// Reads the market: once to plan, and again just before sending.
    let readMarket: @Sendable () async throws -> Snapshot
    let submitter: (any TransferSubmitter)?
    let time: any TimeSource

    /// Nil when the strategy has no rebalance section; live mode also needs an execution section and a submitter.
    public init(configuration: Configuration, journal: any Journal, readMarket: @escaping @Sendable () async throws -> Snapshot,
                submitter: (any TransferSubmitter)?, time: any TimeSource = SystemTime()) throws(ExecutionSetupError) {
        guard let rebalancer = Rebalancer(strategy: configuration.strategy) else {
            throw ExecutionSetupError("strategy \(configuration.strategy.name) has no rebalance section")
        }
        if configuration.mode == .live {
            guard configuration.strategy.execution != nil else {
                throw ExecutionSetupError("live mode needs an execution section in strategy \(configuration.strategy.name)")
            }
            guard submitter != nil, configuration.custody != nil else {
                throw ExecutionSetupError("live mode needs the chain files (--chains) and a webhook")
            }
        }
        self.configuration = configuration
        self.rebalancer = rebalancer
        detector = ArbitrageDetector(strategy: configuration.strategy)
        self.journal = journal
        self.readMarket = readMarket
        self.submitter = submitter
        self.time = time
    }

    private var actor: String { configuration.actor }
    private var live: Bool { configuration.mode == .live }
    private var execution: ExecutionRules? { configuration.strategy.execution }

    /// What a cycle decides from `market`, before anything is recorded: the market net of what
    /// is in flight, its plan and its opportunities. The service decides every tick and runs a
    /// cycle only when a token must act.
    public struct Decision: Sendable {
        /// The market with in-flight transfers applied: what the plan was made from.
        public var market: Snapshot
        public var report: PlanReport
        public var scan: ScanReport?
        public var paused: PauseState
        /// Tokens held by an expired action until a human resolves it.
        public var waiting: [String: [JournalAction]]
        /// Tokens that rest this cycle (the service's cooldown): planned and stored like every
        /// other, so the cycle replays whole, but given no actions.
        public var resting: Set<String> = []

        /// Rests the tokens a cycle acted on less than `cooldownSeconds` before `date`.
        public mutating func rest(lastActed: [String: Date], cooldownSeconds: Double, at date: Date) {
            resting = Set(lastActed.filter { date.timeIntervalSince($0.value) < cooldownSeconds }.keys)
        }

        /// Tokens whose plan moves something and that may act now.
        public var acting: [String] {
            report.plans.filter { !$0.transfers.isEmpty && waiting[$0.token] == nil && !resting.contains($0.token) }.map(\.token)
        }
    }

    /// `scan`: the caller's scan of `market`, when it has one (balances, all that in-flight
    /// accounting changes, play no part in a scan, so it is the decision market's too).
    public func decide(_ market: Snapshot, scan: ScanReport? = nil) throws -> Decision {
        let pending = try journal.inFlight(balancesReadAt: market.takenAt)
        let decisionMarket = InFlightLedger.apply(pending, to: market)
        return Decision(market: decisionMarket, report: rebalancer.plan(decisionMarket),
                        scan: scan ?? detector?.scan(decisionMarket),
                        paused: try journal.pauseState(),
                        waiting: Dictionary(grouping: pending.filter { $0.status == .expired }, by: \.token))
    }

    /// One whole cycle, as `rebalance --once` runs it: settle, read, decide, record, submit.
    public func run() async throws -> CycleOutcome {
        let startedAt = time.date
        let settled = live ? try settleEarlierActions(at: startedAt) : []
        return try await run(decide(try await readMarket()), startedAt: startedAt, events: settled)
    }

    /// Live mode between cycles: expires and fails what is due, and submits what may go now
    /// (relay legs whose feeders delivered, actions a down receiver left planned).
    public func advance() async throws -> [CycleOutcome.ActionEvent] {
        guard live else { return [] }
        var events = try settleEarlierActions(at: time.date)
        guard !(try journal.pauseState().paused) else { return events }
        events += try await submitReadyActions().events
        return events + (try settleEarlierActions(at: time.date))
    }

    /// Records `decision` as a cycle and, in live mode, submits what it planned.
    public func run(_ decision: Decision, startedAt: Date, events earlier: [CycleOutcome.ActionEvent] = []) async throws -> CycleOutcome {
        var events = earlier
        let (decisionMarket, report, scan, paused, waiting) = (decision.market, decision.report, decision.scan, decision.paused, decision.waiting)

        let draft = try CycleDraft(
            startedAt: startedAt, mode: configuration.mode, strategyText: configuration.strategyText,
            snapshotJSON: decisionMarket.encodedJSON(), opportunitiesJSON: StoredJSON.encode(scan),
            planJSON: StoredJSON.encode(report))
        let dailyUsed = live ? try journal.submittedUSD(since: startedAt.addingTimeInterval(-86_400)) : 0
        var drafts: [ActionDraft] = []
        let (cycle, recorded) = try journal.recordCycle(draft, by: actor) { stamp in
            drafts = try actionDrafts(report, stamp: stamp, market: decisionMarket, waiting: waiting, resting: decision.resting,
                                      paused: paused, dailyUsed: dailyUsed, at: startedAt)
            return drafts
        }
        events += zip(recorded, drafts).map { .init(key: $0.idempotencyKey, token: $0.token, status: $0.status, note: $1.note) }

        var unreachable: String?, keyReused = false
        if live, !paused.paused {
            let sent = try await submitReadyActions()
            events += sent.events
            unreachable = sent.unreachable
            keyReused = sent.keyReused
            events += try settleEarlierActions(at: time.date)
        }

        let tokens = report.plans.map { plan -> CycleOutcome.TokenOutcome in
            let actions = recorded.filter { $0.token == plan.token }.count
            if let held = waiting[plan.token] {
                return .init(token: plan.token, status: "waiting", actions: 0,
                             note: "expired action \(held[0].idempotencyKey) waits for a human (journal set-status)")
            }
            if decision.resting.contains(plan.token), !plan.transfers.isEmpty {
                return .init(token: plan.token, status: "cooldown", actions: 0, note: "rests after its last cycle (rebalance.cooldown_seconds)")
            }
            return .init(token: plan.token, status: plan.status.rawValue, actions: actions, note: plan.error)
        }
        let open = try journal.inFlight(balancesReadAt: .distantFuture)
        return CycleOutcome(cycle: cycle.sequence, mode: configuration.mode, paused: paused.paused, tokens: tokens, events: events,
                            pendingFromEarlier: open.filter { $0.cycle != cycle.sequence }.count,
                            receiverUnreachable: unreachable, keyReused: keyReused, nothingPlanned: report.nothingPlanned)
    }

    // MARK: Recording

    /// The plan's transfers as actions: dry_run, or planned (body frozen) unless a guard rail blocks them.
    private func actionDrafts(_ report: PlanReport, stamp: CycleStamp, market: Snapshot, waiting: [String: [JournalAction]],
                              resting: Set<String>, paused: PauseState, dailyUsed: Double, at date: Date) throws -> [ActionDraft] {
        var drafts: [ActionDraft] = []
        var used = dailyUsed
        let guardrails = execution.map { Guardrails(limits: $0.limits) }
        for plan in report.plans where waiting[plan.token] == nil && !resting.contains(plan.token) {
            let feeders = LegDependencies.feeders(of: plan.transfers, spendable: Self.spendable(plan.token, in: market))
            var blockedLegs: Set<Int> = []
            for (i, transfer) in plan.transfers.enumerated() {
                let leg = i + 1
                let dependsOn = feeders[i].map { stamp.idempotencyKey(token: plan.token, leg: $0 + 1) }
                let route = Self.route(transfer, market)
                var draft = ActionDraft(PlannedTransfer(
                    token: plan.token, leg: leg, from: transfer.from, to: transfer.to, bridge: transfer.bridge, amount: transfer.amount,
                    expectedReceived: transfer.expectedReceived, feeUSD: transfer.feeUSD, amountUSD: transfer.amountUSD,
                    feeBps: route?.feeBps ?? 0, feeFixed: route?.feeFixed ?? .zero,
                    etaSeconds: transfer.etaSeconds, dependsOn: dependsOn), status: .dryRun)
                guard live, let execution, let guardrails else { drafts.append(draft); continue }
                var refusal: String?
                if paused.paused {
                    refusal = "paused\(paused.by.map { " by \($0)" } ?? "")\(paused.reason.map { ": \($0)" } ?? "")"
                } else if let feeder = feeders[i], blockedLegs.contains(feeder) {
                    refusal = "fed by leg \(feeder + 1), which was blocked"
                } else if let why = guardrails.refusal(from: transfer.from, to: transfer.to, bridge: transfer.bridge,
                                                       amountUSD: transfer.amountUSD, usedToday: used) {
                    refusal = why
                } else if case .failure(let why) = endpoints(transfer.from, transfer.to, token: plan.token) {
                    refusal = why.reason
                }
                if let refusal {
                    blockedLegs.insert(i)
                    draft.status = .blocked
                    draft.note = refusal
                } else {
                    used += transfer.amountUSD
                    draft.status = .planned
                    let validUntil = date.addingTimeInterval(execution.webhook.validSeconds)
                    // A relay leg's body, and its validity, start once its feeder has delivered.
                    if dependsOn == nil {
                        draft.validUntil = validUntil
                        draft.body = try order(key: stamp.idempotencyKey(token: plan.token, leg: leg), cycle: stamp.sequence, leg: leg,
                                               dependsOn: nil, token: plan.token, from: transfer.from, to: transfer.to,
                                               bridge: transfer.bridge, amount: transfer.amount, minReceived: transfer.expectedReceived,
                                               feeUSD: transfer.feeUSD, amountUSD: transfer.amountUSD, createdAt: date, validUntil: validUntil)
                    }
                }
                drafts.append(draft)
            }
        }
        return drafts
    }

    private func endpoints(_ from: String, _ to: String, token: String) -> Result<(CustodyDirectory.Location, CustodyDirectory.Location), RequoteFailure> {
        guard let custody = configuration.custody else { return .failure(RequoteFailure(reason: "no chain files")) }
        return custody.location(chain: from, token: token).flatMap { f in custody.location(chain: to, token: token).map { (f, $0) } }
    }

    private func order(key: String, cycle: Int64, leg: Int, dependsOn: String?, token: String, from: String, to: String, bridge: String,
                       amount: Amount, minReceived: Amount, feeUSD: Double, amountUSD: Double, createdAt: Date, validUntil: Date) throws -> Data {
        let (source, destination) = try endpoints(from, to, token: token).get()
        return try TransferOrder(
            idempotencyKey: key, cycle: cycle, leg: leg, dependsOn: dependsOn, token: token, amount: amount.description,
            minReceived: minReceived.description, from: source, to: destination, bridge: bridge, feeUSD: feeUSD,
            requiresApproval: Guardrails(limits: execution?.limits ?? ExecutionLimits()).requiresApproval(amountUSD: amountUSD),
            createdAt: Timestamp.format(createdAt), validUntil: Timestamp.format(validUntil)
        ).encoded()
    }

    // MARK: Submitting

    private struct Sent {
        var events: [CycleOutcome.ActionEvent] = []
        var unreachable: String?
        var keyReused = false
    }

    /// Sends every planned action that may go now, oldest first, after re-reading the market and
    /// re-checking each against it.
    private func submitReadyActions() async throws -> Sent {
        var sent = Sent()
        let planned = try journal.actions(ActionQuery(status: .planned, limit: 10_000)).reversed()
        var ready: [(action: JournalAction, feeders: [JournalAction])] = []
        for action in planned {
            guard let feederKey = action.dependsOn, action.body == nil else { ready.append((action, [])); continue }
            // Every earlier leg into this one's source must have delivered.
            let feeders = try journal.actions(ActionQuery(cycle: action.cycle, limit: 10_000))
                .filter { $0.token == action.token && $0.to == action.from && $0.leg < action.leg }
            guard feeders.contains(where: { $0.idempotencyKey == feederKey }), feeders.allSatisfy({ $0.status == .confirmed }) else { continue }
            ready.append((action, feeders))
        }
        guard !ready.isEmpty, let submitter, let execution else { return sent }

        let fresh = try await readMarket()
        // The kill switch may have been thrown while the market was read; a read cut short by
        // shutdown would block every action on data it never got.
        if try Task.isCancelled || journal.pauseState().paused { return sent }
        let guardrails = Guardrails(limits: execution.limits)
        let onChain = Dictionary(fresh.balances.map { (BalanceKey($0.chain, $0.token), $0.amount) }, uniquingKeysWith: { a, _ in a })
        // What sources owe to sends already made (this run or earlier) whose debits do not show yet.
        var committed: [BalanceKey: Amount] = [:]
        for open in try journal.inFlight(balancesReadAt: .distantFuture)
        where open.status != .planned || open.attempts > 0 {
            let source = BalanceKey(open.from, open.token)
            if !InFlightLedger.debitShows(open, onChain: onChain[source]) {
                committed[source] = (committed[source] ?? .zero) + open.amount
            }
        }
        for (var action, feeders) in ready {
            // Shutting down: what is not yet sent stays planned, for the next run under the same key.
            if Task.isCancelled { break }
            let at = time.date
            if action.attempts == 0, let validUntil = action.validUntil, at > validUntil {
                let note = Self.lapsed(validUntil)
                try journal.transition(action.idempotencyKey, to: .failed, by: actor, note: note, update: ActionUpdate(), at: at)
                sent.events.append(.init(key: action.idempotencyKey, token: action.token, status: .failed, note: note))
                continue
            }
            if action.body == nil {
                action = try freezeRelayLeg(action, feeders: feeders, decimals: fresh.token(action.token)?.decimals, at: at)
            }
            let source = BalanceKey(action.from, action.token)
            let usedToday = try journal.submittedUSD(since: at.addingTimeInterval(-86_400))
            var refusal: String?
            switch rebalancer.requote(token: action.token, from: action.from, to: action.to, bridge: action.bridge, amount: action.amount, on: fresh) {
            case .failure(let why): refusal = "at the fresh quote: \(why.reason)"
            case .success(let quote):
                if let held = onChain[source], held < (committed[source] ?? .zero) + action.amount {
                    refusal = "\(action.from) holds \(held) \(action.token) at the fresh read, less than this and the sends not yet debited"
                } else if onChain[source] == nil {
                    refusal = "\(action.from)'s \(action.token) balance could not be read again"
                } else if let why = guardrails.refusal(from: action.from, to: action.to, bridge: action.bridge,
                                                       amountUSD: quote.amountUSD, usedToday: action.attempts > 0 ? usedToday - action.amountUSD : usedToday) {
                    refusal = why
                }
            }
            // An action that may already have reached the receiver is resent, whatever the checks say:
            // blocking it here could not stop a transfer the desk already holds.
            if let refusal, action.attempts == 0 {
                try journal.transition(action.idempotencyKey, to: .blocked, by: actor, note: refusal, update: ActionUpdate(), at: at)
                sent.events.append(.init(key: action.idempotencyKey, token: action.token, status: .blocked, note: refusal))
                continue
            }
            guard let body = action.body else { continue }
            let sourceBefore = onChain[source].map { $0 - (committed[source] ?? .zero) }
            try journal.recordAttempt(action.idempotencyKey, sourceBalance: sourceBefore, by: actor, at: at)
            let outcome = await submitter.submit(key: action.idempotencyKey, body: body)
            let (status, note, update) = Self.status(after: outcome)
            guard let status else {
                sent.unreachable = note
                // The receiver is down: the rest would only wait out the same timeouts.
                break
            }
            if case .keyReused = outcome { sent.keyReused = true }
            try journal.transition(action.idempotencyKey, to: status, by: actor, note: note, update: update, at: time.date)
            sent.events.append(.init(key: action.idempotencyKey, token: action.token, status: status, note: note))
            if status == .submitted, action.attempts == 0 { committed[source] = (committed[source] ?? .zero) + action.amount }
        }
        return sent
    }

    /// The journal status an outcome leads to; nil leaves the action planned for the next run.
    static func status(after outcome: SubmissionOutcome) -> (ActionStatus?, String, ActionUpdate) {
        switch outcome {
        case .accepted(let reference):
            return (.submitted, "accepted by the receiver" + (reference.map { " (reference \($0))" } ?? ""), ActionUpdate(reference: reference))
        case .alreadyAccepted:
            return (.submitted, "the receiver already had this key (409)", ActionUpdate())
        case .keyReused(let text):
            return (.failed, "the receiver says this key came before with a different body (422): a bug, report it" + (text.isEmpty ? "" : ": \(text)"), ActionUpdate())
        case .refused(let status, let reason):
            return (.failed, "refused by the receiver" + (status > 0 ? " (HTTP \(status))" : "") + (reason.isEmpty ? "" : ": \(reason)"), ActionUpdate())
        case .unreachable(let why):
            return (nil, "receiver unreachable, left planned for the next run: \(why)", ActionUpdate())
        }
    }

    /// Freezes a relay leg's body now that every leg feeding its source has delivered: it forwards
    /// the planned amount less whatever the feeders delivered short of what was expected.
    private func freezeRelayLeg(_ action: JournalAction, feeders: [JournalAction], decimals: Int?, at date: Date) throws -> JournalAction {
        let shortfall = feeders.reduce(Amount.zero) { $0 + Amount.max(.zero, $1.expectedReceived - ($1.received ?? $1.expectedReceived)) }
        let amount = Amount.max(.zero, action.amount - shortfall)
        let route = Route(from: action.from, to: action.to, token: action.token, bridge: action.bridge, feeBps: action.feeBps,
                          feeFixed: action.feeFixed, observedAt: date)
        // The token's decimals from the fresh read; failing that, as many as the planned figures carry.
        let received = route.received(sending: amount, decimals: decimals ?? max(action.amount.scale, action.expectedReceived.scale)) ?? .zero
        let validUntil = date.addingTimeInterval(execution?.webhook.validSeconds ?? WebhookSettings.defaultValidSeconds)
        let pricePerToken = action.amountUSD / action.amount.doubleValue
        let body = try order(key: action.idempotencyKey, cycle: action.cycle, leg: action.leg, dependsOn: action.dependsOn,
                             token: action.token, from: action.from, to: action.to, bridge: action.bridge, amount: amount,
                             minReceived: Amount.max(.zero, received), feeUSD: action.feeUSD, amountUSD: amount.doubleValue * pricePerToken,
                             createdAt: date, validUntil: validUntil)
        try journal.freeze(action.idempotencyKey, body: body, amount: amount, expectedReceived: Amount.max(.zero, received),
                           validUntil: validUntil, by: actor, at: date)
        return try journal.action(action.idempotencyKey) ?? action
    }

    // MARK: Housekeeping

    /// Expires what was submitted too long ago, drops planned actions never sent by their
    /// valid_until, and fails relay legs whose feeder will never deliver.
    private func settleEarlierActions(at date: Date) throws -> [CycleOutcome.ActionEvent] {
        guard let execution else { return [] }
        var events: [CycleOutcome.ActionEvent] = []
        let open = try journal.inFlight(balancesReadAt: .distantFuture)
        let byKey = Dictionary(open.map { ($0.idempotencyKey, $0) }, uniquingKeysWith: { a, _ in a })
        for action in open {
            var move: (ActionStatus, String)?
            switch action.status {
            case .submitted:
                let window = max(Double(action.etaSeconds), 60) * execution.expireFactor
                if date.timeIntervalSince(action.updatedAt) > window {
                    move = (.expired, "not confirmed within \(Int(window)) s of submission: still counted in flight; resolve with journal set-status")
                }
            case .planned:
                if action.attempts == 0, let validUntil = action.validUntil, date > validUntil {
                    move = (.failed, Self.lapsed(validUntil))
                } else if let feeder = action.dependsOn, byKey[feeder] == nil,
                          let status = try journal.action(feeder)?.status, status == .failed || status == .blocked {
                    move = (.failed, "its feeder \(feeder) is \(status.rawValue): nothing to forward")
                }
            default: break
            }
            if let (status, note) = move {
                try journal.transition(action.idempotencyKey, to: status, by: actor, note: note, update: ActionUpdate(), at: date)
                events.append(.init(key: action.idempotencyKey, token: action.token, status: status, note: note))
            }
        }
        return events
    }

    // MARK: Helpers

    private static func lapsed(_ validUntil: Date) -> String { "never sent before its valid_until (\(Timestamp.format(validUntil)))" }

    private static func spendable(_ token: String, in market: Snapshot) -> [String: Amount] {
        Dictionary(market.balances.filter { $0.token == token }.map { ($0.chain, $0.amount) }, uniquingKeysWith: { a, _ in a })
    }

    private static func route(_ t: Transfer, _ market: Snapshot) -> Route? {
        market.routes.first { $0.token == t.token && $0.from == t.from && $0.to == t.to && $0.bridge == t.bridge }
    }
}
