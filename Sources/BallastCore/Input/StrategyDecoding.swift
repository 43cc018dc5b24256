extension Strategy {
    /// How far target fractions may sum from 1 (they are written as decimals in YAML).
    static let targetSumTolerance = 1e-9

    /// Decodes and validates a strategy file; every problem found is reported at once,
    /// each naming its key path (`rebalance.targets.WETH: …`).
    public static func decode(yaml text: String, source: String) throws(InvalidInput) -> Strategy {
        let document = try DocumentParser.yaml(text, source: source)
        let log = ProblemLog()
        guard let root = FieldReader(document, entry: nil, what: "the strategy", log: log) else {
            throw InvalidInput(source: source, problems: log.problems)
        }
        let name = root.string("name")
        var tokens: [String] = []
        for (i, item) in (root.array("tokens") ?? []).enumerated() {
            guard case .string(let symbol) = item, !symbol.isEmpty else {
                root.fail("tokens[\(i)]", "must be a token symbol, got \(item.described)")
                continue
            }
            if tokens.contains(symbol) { root.fail("tokens[\(i)]", "lists \(symbol) twice") } else { tokens.append(symbol) }
        }
        let arbitrage = root.object("arbitrage", required: false).flatMap(decodeArbitrage)
        let rebalance = root.object("rebalance", required: false).flatMap { decodeRebalance($0, tokens: tokens) }
        let execution = root.object("execution", required: false).flatMap(decodeExecution)
        let alerts = decodeAlerts(root)
        if execution != nil, rebalance == nil { log.add(nil, "execution: a strategy acts only through its rebalance section, which is missing") }
        var deviation = defaultMaxSourceDeviationBps
        if let prices = root.object("prices", required: false) {
            deviation = prices.number("max_deviation_bps", required: false, in: .positiveBps) ?? deviation
            prices.finish()
        }
        if root.value("arbitrage", required: false) == nil, root.value("rebalance", required: false) == nil {
            log.add(nil, "a strategy needs an arbitrage section, a rebalance section, or both")
        }
        root.finish()
        guard log.isEmpty, let name else { throw InvalidInput(source: source, problems: log.problems) }
        return Strategy(name: name, tokens: tokens, arbitrage: arbitrage, rebalance: rebalance, execution: execution,
                        alerts: alerts, maxSourceDeviationBps: deviation)
    }

    private static func decodeArbitrage(_ r: FieldReader) -> ArbitrageRules? {
        let minProfit = r.number("min_profit_usd", in: .usd)
        let minROI = r.number("min_roi_bps", in: .bps)
        let maxTrade = r.number("max_trade_usd", in: .positiveUSD)
        let maxAge = r.number("max_price_age_seconds", in: .seconds)
        r.finish()
        guard let minProfit, let minROI, let maxTrade, let maxAge else { return nil }
        return ArbitrageRules(minProfitUSD: minProfit, minROIBps: minROI, maxTradeUSD: maxTrade, maxPriceAgeSeconds: maxAge)
    }

    private static func decodeRebalance(_ r: FieldReader, tokens: [String]) -> RebalanceRules? {
        let threshold = r.number("threshold", in: .bandShare)
        let minTransfer = r.number("min_transfer_usd", in: .usd)
        let maxFee = r.number("max_fee_bps", in: .feeBps)
        let maxAge = r.number("max_price_age_seconds", required: false, in: .seconds)
        let maxNodes = r.integer("max_solve_nodes", required: false, in: NumberRange(min: 0, max: 10_000_000))
        let cooldown = r.number("cooldown_seconds", required: false, in: .wholeSeconds)
        var targets: [String: [String: TargetShare]] = [:]
        if let t = r.object("targets") {
            for (token, _) in t.entries() {
                if !tokens.contains(token) { t.fail(token, "is not in the strategy's tokens") }
                guard let perChain = t.object(token) else { continue }
                var shares: [String: TargetShare] = [:]
                for (chain, value) in perChain.entries() {
                    shares[chain] = decodeShare(chain, value, in: perChain)
                }
                // Fractions are written as decimals: sum them exactly, so the check and the message
                // do not depend on binary rounding or on the order of the keys.
                let sum = shares.values.compactMap { Amount(decimalOf: $0.fraction) }.reduce(Amount.zero, +)
                if perChain.isClean, abs(sum.doubleValue - 1) > targetSumTolerance {
                    t.fail(token, "fractions sum to \(sum), must sum to 1")
                }
                targets[token] = shares
            }
            t.finish()
        }
        r.finish()
        guard r.isClean, let threshold, let minTransfer, let maxFee else { return nil }
        return RebalanceRules(threshold: threshold, minTransferUSD: minTransfer, maxFeeBps: maxFee, targets: targets,
                              maxPriceAgeSeconds: maxAge ?? RebalanceRules.defaultMaxPriceAgeSeconds,
                              maxSolveNodes: maxNodes ?? RebalanceRules.defaultMaxSolveNodes,
                              cooldownSeconds: cooldown ?? RebalanceRules.defaultCooldownSeconds)
    }

    private static func decodeExecution(_ r: FieldReader) -> ExecutionRules? {
        let webhook = r.object("webhook").flatMap(decodeWebhook)
        var limits = ExecutionLimits()
        if let l = r.object("limits", required: false) {
            limits.maxTransferUSD = l.number("max_transfer_usd", required: false, in: .positiveUSD)
            limits.maxDailyUSD = l.number("max_daily_usd", required: false, in: .positiveUSD)
            limits.approvalUSD = l.number("approval_usd", required: false, in: .positiveUSD)
            limits.bridges = names("bridges", in: l)
            limits.chains = names("chains", in: l)
            l.finish()
        }
        let expire = r.number("expire_factor", required: false, in: NumberRange(min: 1, max: 1_000))
        r.finish()
        guard r.isClean, let webhook else { return nil }
        return ExecutionRules(webhook: webhook, limits: limits, expireFactor: expire ?? ExecutionRules.defaultExpireFactor)
    }

    private static func decodeWebhook(_ r: FieldReader) -> WebhookSettings? {
        let url = r.string("url")
        if let url {
            let lower = url.lowercased()
            let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"].contains { lower.hasPrefix($0 + ":") || lower.hasPrefix($0 + "/") || lower == $0 }
            if !lower.hasPrefix("https://"), !loopback {
                r.fail("url", "must be https:// (plain http only to a loopback receiver): transfers and signatures must not cross a network in clear")
            }
        }
        var secret: SecretReference?
        switch (r.string("secret", required: false), r.string("secret_file", required: false)) {
        case (let text?, nil):
            // Only a whole `${NAME}` reference: a secret written into the file itself is refused.
            if let name = environmentName(text) {
                secret = .environment(name)
            } else {
                r.fail("secret", "must be a reference to the environment, ${NAME}: never the secret itself")
            }
        case (nil, let path?): secret = .file(path)
        case (nil, nil): r.fail("secret", "missing: give secret: ${NAME} or secret_file: PATH")
        case (_?, _?): r.fail("secret", "give secret or secret_file, not both")
        }
        let timeout = r.number("timeout_seconds", required: false, in: NumberRange(min: 0, minInclusive: false, max: 300))
        let valid = r.number("valid_seconds", required: false, in: NumberRange(min: 10, max: 86_400))
        r.finish()
        guard r.isClean, let url, let secret else { return nil }
        return WebhookSettings(url: url, secret: secret, timeoutSeconds: timeout ?? WebhookSettings.defaultTimeoutSeconds,
                               validSeconds: valid ?? WebhookSettings.defaultValidSeconds)
    }

    /// `alerts:`, a list of webhooks.
    private static func decodeAlerts(_ root: FieldReader) -> [AlertWebhook] {
        guard let items = root.array("alerts", required: false) else { return [] }
        var alerts: [AlertWebhook] = []
        for (i, item) in items.enumerated() {
            guard let r = FieldReader(item, entry: root.entry, prefix: "alerts[\(i)].", what: "alerts[\(i)]", log: root.log) else { continue }
            var url: ConfiguredValue?
            if let text = r.string("url") {
                if let name = environmentName(text) {
                    url = .environment(name)
                } else if text.contains("${") {
                    r.fail("url", "must be a URL or a whole reference to the environment, ${NAME}")
                } else if !text.lowercased().hasPrefix("https://"), !text.lowercased().hasPrefix("http://") {
                    r.fail("url", "must be an http:// or https:// URL, got \(text)")
                } else {
                    url = .literal(text)
                }
            }
            var format: AlertWebhook.Format?
            if let text = r.string("format") {
                format = AlertWebhook.Format(rawValue: text)
                if format == nil { r.fail("format", "must be slack or json, got \(text)") }
            }
            let repeatMinutes = r.number("repeat_minutes", required: false, in: NumberRange(min: 0, max: 10_080))
            let failures = r.integer("source_failures", required: false, in: NumberRange(min: 1, max: 10_000))
            r.finish()
            guard let url, let format else { continue }
            alerts.append(AlertWebhook(url: url, format: format, repeatMinutes: repeatMinutes ?? AlertWebhook.defaultRepeatMinutes,
                                       sourceFailures: failures ?? AlertWebhook.defaultSourceFailures))
        }
        return alerts
    }

    /// `NAME` of a whole `${NAME}` reference, nil for anything else.
    private static func environmentName(_ text: String) -> String? {
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return nil }
        let name = text.dropFirst(2).dropLast()
        return name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) ? String(name) : nil
    }

    private static func names(_ key: String, in r: FieldReader) -> [String]? {
        guard let items = r.array(key, required: false) else { return nil }
        var names: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let name) = item, !name.isEmpty else {
                r.fail("\(key)[\(i)]", "must be a name, got \(item.described)")
                continue
            }
            names.append(name)
        }
        return names
    }

    /// A chain's target: a plain fraction, or `{target: fraction, band: fraction of the target}`.
    private static func decodeShare(_ chain: String, _ value: DocumentValue, in reader: FieldReader) -> TargetShare? {
        guard case .object = value else { return reader.number(chain, in: .share).map { TargetShare($0) } }
        guard let share = reader.object(chain) else { return nil }
        let fraction = share.number("target", in: .share)
        let band = share.number("band", required: false, in: .bandShare)
        share.finish()
        return fraction.map { TargetShare($0, band: band) }
    }

    /// What in this strategy the snapshot cannot satisfy: unknown tokens, unknown target chains.
    public func problems(against snapshot: Snapshot) -> [Problem] {
        var problems: [Problem] = []
        let chains = Set(snapshot.chains.map(\.name))
        for (i, token) in tokens.enumerated() where snapshot.token(token) == nil {
            problems.append(Problem(entry: nil, message: "tokens[\(i)] names \(token), which the market does not list"))
        }
        for (token, weights) in (rebalance?.targets ?? [:]).sorted(by: { $0.key < $1.key }) {
            for chain in weights.keys.sorted() where !chains.contains(chain) {
                problems.append(Problem(entry: nil, message: "rebalance.targets.\(token).\(chain) names a chain the market does not list"))
            }
        }
        return problems
    }
}
