import Foundation

extension Snapshot {
    /// How far in the future an observation may be stamped before it is refused as
    /// clock trouble (it would otherwise look fresh forever).
    public static let allowedClockSkew: TimeInterval = 60

    /// Decodes and validates a version 1 snapshot; every problem found is reported at once.
    public static func decode(json data: Data, source: String) throws(InvalidInput) -> Snapshot {
        let document = try DocumentParser.json(data, source: source)
        return try decode(document, source: source)
    }

    static func decode(_ document: DocumentValue, source: String) throws(InvalidInput) -> Snapshot {
        let log = ProblemLog()
        guard let root = FieldReader(document, entry: nil, what: "the snapshot", log: log) else {
            throw InvalidInput(source: source, problems: log.problems)
        }
        if let version = root.integer("version"), version != formatVersion {
            root.fail("version", "\(version) is not supported; this build reads version \(formatVersion)")
        }
        let takenAt = root.time("taken_at")

        var tokens: [Token] = []
        var tokenDecimals: [String: Int] = [:]
        for (i, item) in (root.array("tokens") ?? []).enumerated() {
            guard let r = FieldReader(item, entry: "tokens[\(i)]", what: "the entry", log: log) else { continue }
            let symbol = r.string("symbol")
            let decimals = r.integer("decimals", in: NumberRange(min: 0, max: Double(Amount.maxScale)))
            r.finish()
            guard let symbol, let decimals else { continue }
            if tokenDecimals[symbol] != nil {
                log.add(r.entry, "token \(symbol) is listed twice")
                continue
            }
            tokenDecimals[symbol] = decimals
            tokens.append(Token(symbol: symbol, decimals: decimals))
        }

        var chains: [Chain] = []
        var chainIDs: Set<Int> = []
        for (i, item) in (root.array("chains") ?? []).enumerated() {
            guard let r = FieldReader(item, entry: "chains[\(i)]", what: "the entry", log: log) else { continue }
            let name = r.string("name")
            let id = r.integer("chain_id", in: .positive)
            r.finish()
            guard let name, let id else { continue }
            if chains.contains(where: { $0.name == name }) {
                log.add(r.entry, "chain \(name) is listed twice")
            } else if !chainIDs.insert(id).inserted {
                log.add(r.entry, "chain_id \(id) is used by another chain")
            } else {
                chains.append(Chain(name: name, chainID: id))
            }
        }
        let chainNames = Set(chains.map(\.name))
        let context = ReferenceCheck(chains: chainNames, tokenDecimals: tokenDecimals, takenAt: takenAt)

        let prices = unique(root.array("prices", required: false), log: log,
                            decode: { decodePrice($0, index: $1, context: context, log: log) },
                            identity: { [$0.chain, $0.token, $0.source] },
                            duplicate: { ("prices[\($1)] (\($0.chain)/\($0.token))", "source \($0.source) appears twice for this chain and token") })
        let routes = unique(root.array("routes", required: false), log: log,
                            decode: { decodeRoute($0, index: $1, context: context, log: log) },
                            identity: { [$0.from, $0.to, $0.token, $0.bridge] },
                            duplicate: { ("routes[\($1)] (\($0.label))", "duplicate route: this bridge, token and chain pair appear earlier") })
        let balances = unique(root.array("balances", required: false), log: log,
                              decode: { decodeBalance($0, index: $1, context: context, log: log) },
                              identity: { [$0.chain, $0.token] },
                              duplicate: { ("balances[\($1)] (\($0.chain)/\($0.token))", "duplicate balance for this chain and token") })
        root.finish()

        guard log.isEmpty, let takenAt else {
            throw InvalidInput(source: source, problems: log.problems)
        }
        return Snapshot(takenAt: takenAt, tokens: tokens, chains: chains, prices: prices, routes: routes, balances: balances)
    }

    /// Decodes each entry of a list, keeping the first of any that share an identity and
    /// logging the rest as duplicates.
    private static func unique<Entry>(_ items: [DocumentValue]?, log: ProblemLog,
                                      decode: (DocumentValue, Int) -> Entry?, identity: (Entry) -> [String],
                                      duplicate: (Entry, Int) -> (entry: String, message: String)) -> [Entry] {
        var seen: Set<[String]> = []
        var entries: [Entry] = []
        for (i, item) in (items ?? []).enumerated() {
            guard let entry = decode(item, i) else { continue }
            guard seen.insert(identity(entry)).inserted else {
                let problem = duplicate(entry, i)
                log.add(problem.entry, problem.message)
                continue
            }
            entries.append(entry)
        }
        return entries
    }

    /// What entries may refer to, and the time they are judged against.
    private struct ReferenceCheck {
        var chains: Set<String>
        var tokenDecimals: [String: Int]
        var takenAt: Date?

        func chain(_ name: String?, key: String, in r: FieldReader) -> String? {
            guard let name else { return nil }
            guard chains.contains(name) else {
                r.fail(key, "names unknown chain \(name)")
                return nil
            }
            return name
        }

        /// The token's decimals, or nil (with a problem) when it is not listed.
        func token(_ symbol: String?, in r: FieldReader) -> Int? {
            guard let symbol else { return nil }
            guard let decimals = tokenDecimals[symbol] else {
                r.fail("token", "names unknown token \(symbol)")
                return nil
            }
            return decimals
        }

        func observed(_ r: FieldReader) -> Date? {
            guard let at = r.time("observed_at") else { return nil }
            if let takenAt, at.timeIntervalSince(takenAt) > Snapshot.allowedClockSkew {
                r.fail("observed_at", "is later than taken_at (\(Timestamp.format(takenAt))), got \(Timestamp.format(at))")
                return nil
            }
            return at
        }
    }

    /// The reader for `list[i]`, labelled by the entry's own fields (`prices[3] (arbitrum/WETH)`),
    /// or nil (with a problem logged) when the entry is not an object.
    private static func entryReader(_ item: DocumentValue, _ list: String, _ i: Int, log: ProblemLog,
                                    label: (FieldReader) -> String) -> FieldReader? {
        guard case .object = item else {
            log.add("\(list)[\(i)]", "the entry must be an object, got \(item.described)")
            return nil
        }
        // Peeking logs nothing: the label is only for naming the entry in its own problems.
        let peek = FieldReader(item, entry: nil, what: "", log: ProblemLog())!
        return FieldReader(item, entry: "\(list)[\(i)] (\(label(peek)))", what: "the entry", log: log)
    }

    private static func decodePrice(_ item: DocumentValue, index i: Int, context: ReferenceCheck, log: ProblemLog) -> PriceQuote? {
        guard let r = entryReader(item, "prices", i, log: log, label: { "\($0.peekString("chain") ?? "?")/\($0.peekString("token") ?? "?")" })
        else { return nil }
        let chain = context.chain(r.string("chain"), key: "chain", in: r)
        let tokenSymbol = r.string("token")
        let decimals = context.token(tokenSymbol, in: r)
        let price = r.number("price_usd", in: .priceUSD)
        let observed = context.observed(r)
        let source = r.string("source")
        let swapFee = r.number("swap_fee_bps", required: false, in: .feeBps)
        var pool: Pool?
        if let p = r.object("pool", required: false) {
            let tokenReserve = p.amount("token_reserve", decimals: decimals, in: .positive)
            let usdReserve = p.amount("usd_reserve", decimals: nil, in: .positive)
            let fee = p.number("fee_bps", in: .feeBps)
            p.finish()
            if let tokenReserve, let usdReserve, let fee {
                pool = Pool(tokenReserve: tokenReserve, usdReserve: usdReserve, feeBps: fee)
            }
            if swapFee != nil { r.fail("swap_fee_bps", "conflicts with pool.fee_bps; give one or the other") }
        }
        r.finish()
        guard r.isClean, let chain, let tokenSymbol, let price, let observed, let source else { return nil }
        return PriceQuote(chain: chain, token: tokenSymbol, priceUSD: price, observedAt: observed, source: source,
                          pool: pool, swapFeeBps: swapFee)
    }

    private static func decodeRoute(_ item: DocumentValue, index i: Int, context: ReferenceCheck, log: ProblemLog) -> Route? {
        guard let r = entryReader(item, "routes", i, log: log, label: { peek in
            let name = { (key: String) in peek.peekString(key) ?? "?" }
            return "\(name("from"))→\(name("to")) \(name("token")) via \(name("bridge"))"
        }) else { return nil }
        let from = context.chain(r.string("from"), key: "from", in: r)
        let to = context.chain(r.string("to"), key: "to", in: r)
        let tokenSymbol = r.string("token")
        let decimals = context.token(tokenSymbol, in: r)
        let bridge = r.string("bridge")
        let feeBps = r.number("fee_bps", in: .feeBps)
        let feeFixed = r.amount("fee_fixed", required: false, decimals: decimals, in: .nonNegative)
        let gas = r.number("gas_usd", required: false, in: .usd)
        let eta = r.integer("eta_seconds", required: false, in: .wholeSeconds)
        let maxAmount = r.amount("max_amount", required: false, decimals: decimals, in: .positive)
        let observed = context.observed(r)
        if let from, from == to { r.fail("to", "is the same chain as from") }
        r.finish()
        guard r.isClean, let from, let to, let tokenSymbol, let bridge, let feeBps, let observed else { return nil }
        return Route(from: from, to: to, token: tokenSymbol, bridge: bridge, feeBps: feeBps, feeFixed: feeFixed ?? .zero,
                     gasUSD: gas ?? 0, etaSeconds: eta ?? 0, maxAmount: maxAmount, observedAt: observed)
    }

    private static func decodeBalance(_ item: DocumentValue, index i: Int, context: ReferenceCheck, log: ProblemLog) -> Balance? {
        guard let r = entryReader(item, "balances", i, log: log, label: { "\($0.peekString("chain") ?? "?")/\($0.peekString("token") ?? "?")" })
        else { return nil }
        let chain = context.chain(r.string("chain"), key: "chain", in: r)
        let tokenSymbol = r.string("token")
        let decimals = context.token(tokenSymbol, in: r)
        let amount = r.amount("amount", decimals: decimals, in: .nonNegative)
        let inFlight = r.amount("in_flight", required: false, decimals: decimals, in: .nonNegative)
        r.finish()
        guard r.isClean, let chain, let tokenSymbol, let amount else { return nil }
        return Balance(chain: chain, token: tokenSymbol, amount: amount, inFlight: inFlight ?? .zero)
    }
}
