import BallastCore
import BallastHTTP
import Foundation

/// Pulls a whole multi-chain market into a snapshot, once per call to `pull()`.
///
/// Everything a tick needs is fetched at once through one libcurl client: one JSON-RPC
/// batch per chain, grouped price API requests, a fee quote per route (reused from a
/// cache while fresh). No source is waited for past the tick's deadline; a source that
/// fails is reported and the tick goes on without it. The puller keeps fee quotes and
/// each source's health between ticks, so a service holds one for its lifetime.
public actor MarketPuller {
    public let market: MarketConfig
    private let settings: PullSettings
    private let fetcher: RetryingFetcher
    private let time: any TimeSource
    private let now: @Sendable () -> Date
    private let chainReaders: [ChainReader]
    private let priceAPIs: PriceAPIFetch
    private let feeRequests: [FeeRequest]
    /// Every value from the environment, masked in whatever a pull reports.
    private let secrets: [String]
    /// Quotes by route label, each fresh until an `elapsed` reading of `time`.
    private var feeCache: [String: (route: Route, until: Duration)] = [:]
    private var health: [String: SourceHealth] = [:]

    /// `time` dates the snapshot and runs deadlines, retries and the fee cache.
    public init(market: MarketConfig, client: HTTPClient, settings: PullSettings = PullSettings(),
                time: any TimeSource = SystemTime()) {
        self.market = market
        self.settings = settings
        self.time = time
        // Snapshot times are written to the millisecond; a finer clock would not read back the same.
        self.now = { Date(timeIntervalSince1970: (time.date.timeIntervalSince1970 * 1000).rounded(.down) / 1000) }
        let fetcher = RetryingFetcher(client: client, settings: settings, time: time)
        self.fetcher = fetcher
        chainReaders = market.chains.map(ChainReader.init).filter(\.hasReads)
        priceAPIs = PriceAPIFetch(market: market, fetcher: fetcher)
        feeRequests = FeeRequest.all(in: market)
        secrets = market.secrets
    }

    private enum Part: Sendable {
        case chain(prices: [PriceReading], balances: [BalanceReading])
        case prices([PriceReading])
        case route(RouteReading, cacheSeconds: Double)
    }

    /// One tick: fetch, check, assemble.
    public func pull() async -> PullReport {
        let started = time.elapsed
        let deadline = started + settings.deadline
        var cached: [RouteReading] = []
        var toFetch: [FeeRequest] = []
        for request in feeRequests {
            if let entry = feeCache[request.label], entry.until > started {
                cached.append(RouteReading(label: request.label, chain: request.fromChain, outcome: .success(entry.route)))
            } else {
                toFetch.append(request)
            }
        }

        let fetcher = self.fetcher, settings = self.settings, now = self.now, time = self.time
        let readers = chainReaders, priceAPIs = self.priceAPIs
        /// A part and how long it took (retries included): each of its sources' latency.
        func timed(_ work: @escaping @Sendable () async -> Part) -> @Sendable () async -> (Part, Duration) {
            { let start = time.elapsed; let part = await work(); return (part, time.elapsed - start) }
        }
        let timedParts = await withTaskGroup(of: (Part, Duration).self, returning: [(Part, Duration)].self) { group in
            for reader in readers {
                group.addTask(operation: timed { await Self.readChain(reader, fetcher: fetcher, settings: settings, deadline: deadline) })
            }
            for index in 0..<priceAPIs.requestCount {
                group.addTask(operation: timed { .prices(await priceAPIs.fetch(index, with: fetcher, deadline: deadline)) })
            }
            for request in toFetch {
                group.addTask(operation: timed {
                    .route(await request.fetch(with: fetcher, deadline: deadline, now: now), cacheSeconds: request.bridge.cacheSeconds)
                })
            }
            var parts: [(Part, Duration)] = []
            for await part in group { parts.append(part) }
            return parts
        }
        let parts = timedParts.map(\.0)
        var latency: [String: Duration] = [:]
        for (part, took) in timedParts {
            switch part {
            case .chain(let p, let b): for label in p.map(\.label) + b.map(\.label) { latency[label] = took }
            case .prices(let p): for label in p.map(\.label) { latency[label] = took }
            case .route(let reading, _): latency[reading.label] = took
            }
        }

        var prices: [PriceReading] = []
        var balances: [BalanceReading] = []
        var fetchedRoutes: [RouteReading] = []
        let fetchedAt = time.elapsed
        for part in parts {
            switch part {
            case .chain(let p, let b):
                prices += p
                balances += b
            case .prices(let p):
                prices += p
            case .route(let reading, let seconds):
                fetchedRoutes.append(reading)
                if case .success(let route) = reading.outcome, seconds > 0 {
                    feeCache[reading.label] = (route, fetchedAt + .seconds(seconds))
                }
            }
        }

        let takenAt = now()

        let (snapshot, assembled) = MarketAssembly(market: market, takenAt: takenAt, maxDeviationBps: settings.maxDeviationBps)
            .assemble(prices: prices, balances: balances, routes: cached + fetchedRoutes)
        // A reason may quote an answer, and an answer may echo a key: mask every secret here,
        // where all of them are known, before anything is reported or kept.
        let failures = assembled.map { SourceFailure(source: $0.source, reason: Redaction.masking($0.reason, secrets: secrets), code: $0.code) }
        // The tick reports disagreement; it does not judge freshness again (each source's own
        // max age already has), so any age passes here.
        let consensus = PriceConsensus(maxAgeSeconds: .infinity, maxDeviationBps: settings.maxDeviationBps)
            .reduce(snapshot, tokens: snapshot.tokens)

        let failed = Dictionary(failures.map { ($0.source, $0.reason) }, uniquingKeysWith: { first, _ in first })
        // Health records what was asked this tick; a quote from the cache was not.
        let fetched: [(String, (SourceHealth.Kind, String))] = prices.map { ($0.label, (.price, $0.chain)) }
            + balances.map { ($0.label, (.balance, $0.chain)) } + fetchedRoutes.map { ($0.label, (.route, $0.chain)) }
        for (label, (kind, chain)) in Dictionary(fetched, uniquingKeysWith: { a, _ in a }) {
            var record = health[label] ?? SourceHealth(source: label, kind: kind, chain: chain)
            if let reason = failed[label] { record.record(failure: reason, at: takenAt) } else { record.record(success: takenAt) }
            record.lastLatency = latency[label]
            health[label] = record
        }
        return PullReport(snapshot: snapshot, failures: failures, priceIssues: consensus.issues,
                          health: health.values.sorted { $0.source < $1.source }, cachedRoutes: cached.count,
                          elapsed: time.elapsed - started)
    }

    /// Sends the chain's batch (split only past the node's batch limit) and reads the answers;
    /// a failed request fails every call it carried.
    private static func readChain(_ reader: ChainReader, fetcher: RetryingFetcher, settings: PullSettings,
                                  deadline: Duration) async -> Part {
        guard let rpc = reader.chain.rpc else { return .chain(prices: [], balances: []) }
        var answers: [Result<DocumentValue, SourceError>] = []
        for batch in reader.batches(limit: settings.rpcBatchLimit) {
            let request = fetcher.request(rpc.url, method: .post, headers: [HTTPHeader("Content-Type", "application/json")],
                                          body: JSONRPC.batchBody(batch), endpoint: rpc, timeoutSeconds: reader.chain.rpcTimeoutSeconds)
            switch await fetcher.send(request, deadline: deadline) {
            case .success(let response):
                do {
                    answers += try JSONRPC.decodeBatch(response.body, count: batch.count)
                } catch {
                    answers += Array(repeating: .failure(SourceError("\(reader.chain.name) rpc: \(error.reason)", code: error.code)), count: batch.count)
                }
            case .failure(let error):
                answers += Array(repeating: .failure(error), count: batch.count)
            }
        }
        let (prices, balances) = reader.readings(answers)
        return .chain(prices: prices, balances: balances)
    }
}
