import Foundation

/// One (chain, token)'s price after its sources have been reconciled: a pool's reserves
/// where a trusted pool exists (they set both price and depth), else the median price.
public enum MarketPrice: Sendable, Hashable {
    /// A quote without depth; trading costs `swapFeeBps` on either side.
    case quote(priceUSD: Double, swapFeeBps: Double)
    /// A constant-product pool.
    case pool(Pool)

    /// USD per token before fees.
    public var spotPrice: Double {
        switch self {
        case .quote(let price, _): price
        case .pool(let pool): pool.spotPrice
        }
    }
}

/// A snapshot's prices after consensus, laid out by token then chain, in the order given.
public struct MarketPrices: Sendable {
    /// `prices[token * chainCount + chain]`; nil where no source could be trusted.
    public let prices: [MarketPrice?]
    public let chainCount: Int
    /// Every source left out, and why.
    public let issues: [PriceIssue]

    public subscript(token token: Int, chain chain: Int) -> MarketPrice? { prices[token * chainCount + chain] }
}

/// Why a source was left out of a (chain, token)'s price.
public struct PriceIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case stale(ageSeconds: Double)
        /// Further from the median of the fresh sources than allowed.
        case outlier(deviationBps: Double, median: Double)
    }

    public var chain: String
    public var token: String
    public var source: String
    public var reason: Reason

    public var description: String {
        switch reason {
        case .stale(let age):
            "\(chain)/\(token) from \(source): stale, observed \(age.wholeNumberText) s before the snapshot"
        case .outlier(let bps, let median):
            "\(chain)/\(token) from \(source): dropped, \(bps.wholeNumberText) bps from the median \(median) of the fresh sources"
        }
    }
}

/// Reduces several sources for one (chain, token) to one trusted price.
///
/// The rule: keep the sources no older than `maxAgeSeconds`; take the median of their
/// prices; drop (and report) every source further than `maxDeviationBps` from it. A
/// manipulated or broken pool is thereby outvoted and never creates an opportunity. If a
/// trusted pool remains, the deepest one (by USD reserve) is used; otherwise the median of
/// the trusted quotes, with the highest of their swap fees (the conservative choice).
public struct PriceConsensus: Sendable {
    public var maxAgeSeconds: Double
    public var maxDeviationBps: Double

    public init(maxAgeSeconds: Double, maxDeviationBps: Double) {
        self.maxAgeSeconds = maxAgeSeconds
        self.maxDeviationBps = maxDeviationBps
    }

    /// The price for one (chain, token) at `takenAt`, or nil when no source can be trusted.
    public func reduce(_ quotes: some Collection<PriceQuote>, takenAt: Date, issues: inout [PriceIssue]) -> MarketPrice? {
        var fresh: [(quote: PriceQuote, price: Double)] = []
        fresh.reserveCapacity(quotes.count)
        for quote in quotes {
            let age = takenAt.timeIntervalSince(quote.observedAt)
            if age > maxAgeSeconds {
                issues.append(PriceIssue(chain: quote.chain, token: quote.token, source: quote.source, reason: .stale(ageSeconds: age)))
            } else {
                fresh.append((quote, quote.pool?.spotPrice ?? quote.priceUSD))
            }
        }
        guard !fresh.isEmpty else { return nil }
        if fresh.count == 1 { return Self.price(of: fresh[0].quote) }

        let median = Self.median(fresh.map(\.price))
        var trusted: [PriceQuote] = []
        for (quote, price) in fresh {
            let deviation = abs(price - median) / median * 10_000
            if deviation > maxDeviationBps {
                issues.append(PriceIssue(chain: quote.chain, token: quote.token, source: quote.source,
                                         reason: .outlier(deviationBps: deviation, median: median)))
            } else {
                trusted.append(quote)
            }
        }
        guard !trusted.isEmpty else { return nil }
        if let deepest = trusted.compactMap(\.pool).max(by: { $0.usdReserve < $1.usdReserve }) {
            return .pool(deepest)
        }
        let swapFee = trusted.map { $0.swapFeeBps ?? 0 }.max() ?? 0
        return .quote(priceUSD: Self.median(trusted.map(\.priceUSD)), swapFeeBps: swapFee)
    }

    /// One trusted price per (token, chain) of a snapshot, and every source left out.
    public func reduce(_ snapshot: Snapshot, tokens: [Token]) -> MarketPrices {
        let chainCount = snapshot.chains.count
        let chains = NameLookup(snapshot.chains.map(\.name))
        let symbols = NameLookup(tokens.map(\.symbol))
        var grouped = [[PriceQuote]](repeating: [], count: tokens.count * chainCount)
        for quote in snapshot.prices {
            guard let t = symbols.index(of: quote.token), let c = chains.index(of: quote.chain) else { continue }
            grouped[t * chainCount + c].append(quote)
        }
        var issues: [PriceIssue] = []
        let prices = grouped.map { $0.isEmpty ? nil : reduce($0, takenAt: snapshot.takenAt, issues: &issues) }
        return MarketPrices(prices: prices, chainCount: chainCount, issues: issues)
    }

    private static func price(of quote: PriceQuote) -> MarketPrice {
        if let pool = quote.pool { return .pool(pool) }
        return .quote(priceUSD: quote.priceUSD, swapFeeBps: quote.swapFeeBps ?? 0)
    }

    package static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

extension MarketPrice {
    /// How many tokens `usd` buys at the spot price, exactly, rounded down to `decimals`:
    /// for a pool `usd·x/y` from its exact reserves, for a quote `usd/P` from the price's
    /// decimal form.
    public func quantity(forUSD usd: Double, decimals: Int) -> Amount? {
        guard let dollars = Amount(decimalOf: usd) else { return nil }
        switch self {
        case .quote(let price, _):
            return Amount(decimalOf: price).flatMap { Amount.quotient(dollars, $0, decimals: decimals, rounding: .down) }
        case .pool(let pool):
            return Amount.product(dollars, pool.tokenReserve, decimals: min(36, dollars.scale + pool.tokenReserve.scale), rounding: .down)
                .flatMap { Amount.quotient($0, pool.usdReserve, decimals: decimals, rounding: .down) }
        }
    }
}
