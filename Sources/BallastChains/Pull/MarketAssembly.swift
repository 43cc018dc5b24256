import BallastCore
import Foundation

/// Turns a tick's readings into a snapshot. Pure: no I/O, no clock.
///
/// - A reading older than its source's `max_age_seconds` at `takenAt`, or stamped in the
///   future beyond the allowed skew, is left out and reported.
/// - A pool or a price in another token is put in USD through that token's own USD price on
///   the same chain this tick, agreed by the core's price consensus (so an outlier cannot
///   shift every pool on the chain). Without an agreed price the reading is left out: no USD
///   figure is made up.
/// - Balances are all or nothing per token: if one chain's balance of a token could not be
///   read, that token's balances are left out everywhere, since a plan made on a partial
///   total would move money toward a chain that only looks short.
struct MarketAssembly {
    let market: MarketConfig
    let takenAt: Date
    /// The consensus rule that agrees a quote token's USD price.
    let maxDeviationBps: Double

    /// USD figures of pools are kept to a millionth of a dollar.
    static let usdDecimals = 6

    func assemble(prices: [PriceReading], balances: [BalanceReading], routes: [RouteReading]) -> (Snapshot, [SourceFailure]) {
        var failures: [SourceFailure] = []
        var checked: [(PriceReading, PriceReading.Stated)] = []
        for reading in prices {
            switch reading.outcome.flatMap({ checkAge($0, maxAge: reading.source.maxAgeSeconds) }) {
            case .success(let stated): checked.append((reading, stated))
            case .failure(let error): failures.append(SourceFailure(source: reading.label, reason: error.reason, code: error.code))
            }
        }

        var quotes: [PriceQuote] = []
        var usdByChainToken: [String: [PriceQuote]] = [:]
        for (reading, stated) in checked {
            guard case .usd(let price) = stated.value else { continue }
            if let complaint = Self.priceComplaint(price) {
                failures.append(SourceFailure(source: reading.label, reason: complaint, code: .invalidAnswer))
                continue
            }
            let quote = PriceQuote(chain: reading.chain, token: reading.source.token, priceUSD: price, observedAt: stated.observedAt,
                                   source: reading.source.name, swapFeeBps: reading.source.swapFeeBps)
            quotes.append(quote)
            usdByChainToken["\(reading.chain)/\(reading.source.token)", default: []].append(quote)
        }
        // Each quote token's USD price on a chain is agreed once, however many pools use it.
        let consensus = PriceConsensus(maxAgeSeconds: .infinity, maxDeviationBps: maxDeviationBps)
        var agreed: [String: Double?] = [:]
        for (reading, stated) in checked {
            let quoteToken: String
            switch stated.value {
            case .usd: continue
            case .pool(_, let token, _), .relative(_, let token): quoteToken = token
            }
            let key = "\(reading.chain)/\(quoteToken)"
            if agreed[key] == nil {
                var ignored: [PriceIssue] = []
                agreed[key] = usdByChainToken[key].flatMap { consensus.reduce($0, takenAt: takenAt, issues: &ignored)?.spotPrice }
            }
            guard let usd = agreed[key] ?? nil else {
                failures.append(SourceFailure(source: reading.label, reason: "no agreed USD price for \(quoteToken) on \(reading.chain) this tick to value it against", code: .unavailable))
                continue
            }
            switch inUSD(stated, reading: reading, quoteUSD: usd).flatMap(Self.inRange) {
            case .success(let quote): quotes.append(quote)
            case .failure(let error): failures.append(SourceFailure(source: reading.label, reason: error.reason, code: error.code))
            }
        }

        var kept: [Balance] = []
        for token in Set(balances.map(\.token)).sorted() {
            let readings = balances.filter { $0.token == token }
            let unread = readings.filter { if case .failure = $0.outcome { true } else { false } }
            for reading in unread {
                if case .failure(let error) = reading.outcome { failures.append(SourceFailure(source: reading.label, reason: error.reason, code: error.code)) }
            }
            if unread.isEmpty {
                kept += readings.compactMap { r in (try? r.outcome.get()).map { Balance(chain: r.chain, token: token, amount: $0) } }
            } else {
                failures.append(SourceFailure(source: "\(token) balances", reason: "left out on every chain: \(unread.map(\.chain).joined(separator: ", ")) could not be read, and a partial total would mislead the rebalancer", code: .unavailable))
            }
        }

        var goodRoutes: [Route] = []
        for reading in routes {
            switch reading.outcome.flatMap({ route in checkFuture(route.observedAt).map { route } }) {
            case .success(let route): goodRoutes.append(route)
            case .failure(let error): failures.append(SourceFailure(source: reading.label, reason: error.reason, code: error.code))
            }
        }

        let snapshot = Snapshot(
            takenAt: takenAt, tokens: market.tokens,
            chains: market.chains.map { Chain(name: $0.name, chainID: $0.chainID) },
            prices: quotes.sorted { ($0.chain, $0.token, $0.source) < ($1.chain, $1.token, $1.source) },
            routes: goodRoutes.sorted { ($0.token, $0.from, $0.to, $0.bridge) < ($1.token, $1.from, $1.to, $1.bridge) },
            balances: kept.sorted { ($0.token, $0.chain) < ($1.token, $1.chain) })
        return (snapshot, failures.sorted { $0.source < $1.source })
    }

    /// A price outside the range a snapshot may hold (docs/snapshot-format.md) is a broken
    /// source, not a market: it is left out here, as the snapshot decoder would refuse it.
    static func priceComplaint(_ price: Double) -> String? {
        NumberRange.priceUSD.complaint(price).map { "a price of $\(price) \($0): no token trades there" }
    }

    private static func inRange(_ quote: PriceQuote) -> Result<PriceQuote, SourceError> {
        priceComplaint(quote.priceUSD).map { .failure(SourceError($0)) } ?? .success(quote)
    }

    private func checkAge(_ stated: PriceReading.Stated, maxAge: Double) -> Result<PriceReading.Stated, SourceError> {
        let age = takenAt.timeIntervalSince(stated.observedAt)
        if age > maxAge {
            return .failure(SourceError("stale: observed \(Int(age)) s before the tick, more than max_age_seconds \(DocumentValue.format(maxAge))",
                                        code: .stale))
        }
        return checkFuture(stated.observedAt).map { stated }
    }

    private func checkFuture(_ observed: Date) -> Result<Void, SourceError> {
        let ahead = observed.timeIntervalSince(takenAt)
        guard ahead <= Snapshot.allowedClockSkew else {
            return .failure(SourceError("observed \(Int(ahead)) s after the tick: a clock is wrong, so the figure cannot be dated"))
        }
        return .success(())
    }

    private func inUSD(_ stated: PriceReading.Stated, reading: PriceReading, quoteUSD: Double) -> Result<PriceQuote, SourceError> {
        let token = reading.source.token
        switch stated.value {
        case .usd:
            return .failure(SourceError("already in USD"))
        case .relative(let price, _):
            var swapFee = reading.source.swapFeeBps
            if case .uniswapV3(_, _, let fee) = reading.source.kind { swapFee = swapFee ?? fee }
            return .success(PriceQuote(chain: reading.chain, token: token, priceUSD: price * quoteUSD, observedAt: stated.observedAt,
                                       source: reading.source.name, swapFeeBps: swapFee))
        case .pool(let reserves, _, let fee):
            guard let rate = Amount(decimalOf: quoteUSD),
                  let usdReserve = Amount.product(reserves.quote, rate, decimals: Self.usdDecimals, rounding: .down),
                  usdReserve.isPositive, Amount(usdReserve.description) != nil else {
                return .failure(SourceError("the pool's USD reserve (\(reserves.quote) at $\(quoteUSD)) cannot be held exactly"))
            }
            let pool = Pool(tokenReserve: reserves.base, usdReserve: usdReserve, feeBps: fee)
            return .success(PriceQuote(chain: reading.chain, token: token, priceUSD: pool.spotPrice, observedAt: stated.observedAt,
                                       source: reading.source.name, pool: pool))
        }
    }
}
