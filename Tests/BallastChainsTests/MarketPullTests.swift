@testable import BallastChains
import BallastCore
import BallastHTTP
import BallastSandbox
import Foundation
import Testing

/// Pulls from a simulated market on 127.0.0.1: three chains, USDC, WETH and WBTC, so every
/// source kind (Chainlink, DefiLlama, CoinGecko, Uniswap V2 and V3) and both fee APIs are
/// on the wire.
@Suite struct MarketPullTests {
    static let market = SimulatedMarket(chains: 3, tokens: 3)
    /// The tick's deadline and backoff run on manual time, so a loaded machine cannot make a
    /// tick late; a request's own timeout is libcurl's, on the machine's clock, and generous
    /// except where a test is about it.
    static let settings = PullSettings(deadline: .seconds(3), requestTimeout: .seconds(10), connectTimeout: .seconds(5),
                                       maxAttempts: 3, backoffBase: .milliseconds(50))

    struct Pulled {
        var report: PullReport
        var server: SimulatedMarketServer
        var time: ManualTime
    }

    func pull(_ conditions: MarketConditions = MarketConditions(), rpcOverride: [String: String] = [:],
              ticks: Int = 1, betweenTicks: (ManualTime) -> Void = { _ in }, honest: Bool = true, settings: PullSettings = Self.settings,
              editChainFile: (String, String) -> String = { _, text in text },
              _ check: (Pulled) throws -> Void) async throws {
        // The market and the puller share one manual time: every age is exact. It starts at the
        // machine's date, as the webhook receiver and file sources in other tests expect.
        let time = ManualTime(date: Date())
        let server = try await SimulatedMarketServer(market: Self.market, conditions: conditions, time: time)
        do {
            let directory = try Self.market.writeChainFiles(baseURL: server.baseURL, rpcOverride: rpcOverride)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                let path = directory + "/" + name
                try editChainFile(name, try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
            }
            let config = try MarketConfig.load(directory: directory, environment: [:])
            let puller = MarketPuller(market: config, client: HTTPClient(), settings: settings, time: time)
            var report = await puller.pull()
            for _ in 1..<ticks {
                betweenTicks(time)
                report = await puller.pull()
            }
            // No wait the tick chose (a backoff, a Retry-After) runs past its deadline.
            #expect(report.elapsed < settings.deadline, "the tick took \(report.elapsed)")
            if honest { try Self.expectHonest(report.snapshot) }
            try check(Pulled(report: report, server: server, time: time))
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    /// Every figure in the snapshot is the market's own: nothing made up, nothing mixed up.
    static func expectHonest(_ snapshot: Snapshot) throws {
        for quote in snapshot.prices {
            let c = try #require(market.chainIndex(named: quote.chain)), t = try #require(market.tokenIndex(symbol: quote.token))
            let truth = market.priceUSD(t, chain: c)
            let stated = quote.pool?.spotPrice ?? quote.priceUSD
            #expect(abs(stated - truth) / truth < 1e-6, "\(quote.chain)/\(quote.token) from \(quote.source): \(stated), market \(truth)")
        }
        for route in snapshot.routes {
            #expect(route.bridge == "across" ? abs(route.feeBps - SimulatedMarket.acrossFeeBps) < 1e-9 : abs(route.feeBps - SimulatedMarket.lifiFeeBps) < 1e-9,
                    "\(route.label): \(route.feeBps) bps")
        }
        for balance in snapshot.balances {
            let c = try #require(market.chainIndex(named: balance.chain)), t = try #require(market.tokenIndex(symbol: balance.token))
            #expect(balance.amount == Amount(units: market.balanceUnits(t, chain: c), scale: market.decimals(t)))
        }
    }

    func failure(_ report: PullReport, _ source: String) -> String? {
        report.failures.first { $0.source == source }?.reason
    }

    @Test func pullsTheWholeMarketInOneTick() async throws {
        try await pull { pulled in
            let s = pulled.report.snapshot
            #expect(pulled.report.failures.isEmpty)
            #expect(s.chains.map(\.name) == ["chain00", "chain01", "chain02"])
            #expect(s.tokens == [Token(symbol: "USDC", decimals: 6), Token(symbol: "WBTC", decimals: 8), Token(symbol: "WETH", decimals: 18)])
            #expect(s.prices.count == 18)
            #expect(s.routes.count == 3 * 2 * 3 + 1)
            #expect(s.balances.count == 9)
            // One JSON-RPC request per chain carries every on-chain read.
            for c in 0..<3 { #expect(pulled.server.requests(to: .rpc(Self.market.chainName(c))) == 1) }
            #expect(pulled.server.requests(to: .defiLlama) == 1)
            #expect(pulled.server.requests(to: .coinGecko) == 3)

            // The V2 pool: reserves exact from the pair's units, USD side valued at USDC's own price ($1).
            let pool = try #require(s.prices.first { $0.chain == "chain01" && $0.token == "WETH" && $0.source == "uniswap-v2" }?.pool)
            let units = MarketState(Self.market).reserveUnits(1, chain: 1, decimals: 18)
            #expect(pool.tokenReserve == Amount(units: units.token, scale: 18))
            #expect(pool.usdReserve == Amount(5_000_000))
            #expect(pool.feeBps == 30)
            let v3 = try #require(s.prices.first { $0.chain == "chain02" && $0.source == "uniswap-v3" })
            #expect(v3.swapFeeBps == 5 && v3.pool == nil)

            // A route: the relayer's gas is the fixed part, the capital fee the proportional part.
            let route = try #require(s.routes.first { $0.label == "chain00→chain01 WETH via across" })
            #expect(route.feeFixed == Amount(units: MarketState(Self.market).acrossGasUnits(1, chain: 0, decimals: 18), scale: 18))
            #expect(route.maxAmount == Amount.product(Self.market.transferSize(1), Amount(1000), decimals: 18, rounding: .down))
            #expect(route.gasUSD == 0.8 && route.etaSeconds == 60)
            let lifi = try #require(s.routes.first { $0.bridge == "lifi" })
            #expect(lifi.gasUSD == 1.25 && lifi.etaSeconds == 120)

            // The snapshot it writes reads back as the same snapshot.
            #expect(try Snapshot.decode(json: s.encodedJSON(), source: "pulled") == s)
        }
    }

    @Test func feeQuotesAreCachedBetweenTicks() async throws {
        try await pull(ticks: 2, betweenTicks: { $0.advance(by: .seconds(59)) }) { pulled in
            #expect(pulled.report.cachedRoutes == 19)
            #expect(pulled.report.snapshot.routes.count == 19)
            #expect(pulled.server.requests(to: .across) == 18)
            #expect(pulled.server.requests(to: .rpc("chain00")) == 2)
            let health = try #require(pulled.report.health.first { $0.source == "chain00/WETH chainlink" })
            #expect(health.consecutiveFailures == 0 && health.lastSuccess != nil)
        }
    }

    /// Past `cache_seconds` (60 by default) every quote is asked for again.
    @Test func feeQuotesExpireAfterCacheSeconds() async throws {
        try await pull(ticks: 2, betweenTicks: { $0.advance(by: .seconds(60)) }) { pulled in
            #expect(pulled.report.cachedRoutes == 0)
            #expect(pulled.server.requests(to: .across) == 36)
            #expect(pulled.report.snapshot.routes.count == 19)
        }
    }

    // MARK: Faults: each leaves the tick on time, names the bad source, keeps every other source.

    @Test func serverErrorIsRetriedThenReported() async throws {
        try await pull(MarketConditions(endpointFaults: [.rpc("chain01"): .status(500)])) { pulled in
            let r = pulled.report
            #expect(pulled.server.requests(to: .rpc("chain01")) == 3)
            // Two backoffs: about 50 ms, then about 100 ms (half of each is jitter).
            #expect(pulled.time.sleeps == 2)
            #expect(r.elapsed >= .milliseconds(75) && r.elapsed <= .milliseconds(150), "\(r.elapsed)")
            #expect(failure(r, "chain01/WETH uniswap-v2")?.contains("HTTP 500: simulated trouble (after 3 attempts)") == true)
            #expect(failure(r, "chain01/WETH chainlink") != nil)
            // Balances are all or nothing per token.
            #expect(failure(r, "WETH balances")?.contains("left out on every chain: chain01") == true)
            #expect(r.snapshot.balances.isEmpty)
            // Other chains, and chain01's API prices, are all there.
            #expect(r.snapshot.prices.filter { $0.chain != "chain01" }.count == 12)
            #expect(r.snapshot.prices.contains { $0.chain == "chain01" && $0.source == "defillama" })
            #expect(r.snapshot.routes.count == 19)
        }
    }

    @Test func tooManyRequestsHonoursRetryAfter() async throws {
        try await pull(MarketConditions(endpointFaults: [.defiLlama: .tooManyRequests(retryAfterSeconds: 2, times: 1)])) { pulled in
            #expect(pulled.report.failures.isEmpty)
            #expect(pulled.server.requests(to: .defiLlama) == 2)
            // The backoff would be about 50 ms; the server asked for 2 s, and got it.
            #expect(pulled.time.sleeps == 1)
            #expect(pulled.report.elapsed == .seconds(2))
        }
    }

    @Test func retryAfterPastTheDeadlineGivesUpAtOnce() async throws {
        try await pull(MarketConditions(endpointFaults: [.defiLlama: .tooManyRequests(retryAfterSeconds: 30, times: 5)])) { pulled in
            let reason = failure(pulled.report, "chain00/USDC defillama")
            #expect(reason?.contains("HTTP 429") == true && reason?.contains("would pass the tick's deadline") == true, "\(reason ?? "")")
            // Given up without waiting: the one request was not retried.
            #expect(pulled.server.requests(to: .defiLlama) == 1)
            #expect(pulled.time.sleeps == 0)
            #expect(pulled.report.snapshot.prices.count == 18 - 3)
        }
    }

    @Test func aSourceThatNeverAnswersTimesOut() async throws {
        var quick = Self.settings
        quick.requestTimeout = .milliseconds(300)
        try await pull(MarketConditions(endpointFaults: [.coinGecko: .hang]), settings: quick) { pulled in
            let reason = failure(pulled.report, "chain02/WBTC coingecko")
            #expect(reason?.contains("timed out") == true || reason?.contains("no time left") == true, "\(reason ?? "")")
            #expect(pulled.report.snapshot.prices.count == 18 - 3)
            #expect(pulled.report.snapshot.routes.count == 19)
        }
    }

    /// A request may wait longer than the tick has left; the deadline still ends it. Each
    /// attempt is allowed ten minutes of its own, so only the deadline (1 s, handed to libcurl
    /// as the transfer's limit) can end it: without that, this test would hang for half an hour.
    /// The tick's time is manual, so the three attempts each get what is left of that second,
    /// however busy the machine.
    @Test func theDeadlineBoundsTheTickWhateverTheRequestTimeout() async throws {
        let patient = PullSettings(deadline: .seconds(1), requestTimeout: .seconds(600), maxAttempts: 3, backoffBase: .milliseconds(50))
        try await pull(MarketConditions(endpointFaults: [.rpc("chain00"): .hang]), settings: patient) { pulled in
            #expect(failure(pulled.report, "chain00/WETH chainlink")?.hasSuffix("timed out (after 3 attempts)") == true,
                    "\(failure(pulled.report, "chain00/WETH chainlink") ?? "")")
            #expect(pulled.server.requests(to: .rpc("chain00")) == 3)
            #expect(pulled.report.snapshot.prices.filter { $0.chain == "chain00" }.map(\.source).sorted() == ["coingecko", "defillama"])
        }
    }

    /// The pull's default request timeout (5 s) outlasts its deadline (3 s), so one attempt
    /// would take the whole tick; the chain's own `rpc_timeout_seconds` lets all three run.
    @Test func aChainsOwnTimeoutGovernsItsRequests() async throws {
        let slow = PullSettings(deadline: .seconds(3), requestTimeout: .seconds(5), maxAttempts: 3, backoffBase: .milliseconds(50))
        try await pull(MarketConditions(endpointFaults: [.rpc("chain00"): .hang]), settings: slow, editChainFile: { name, text in
            name == "chain00.yaml" ? text.replacingOccurrences(of: "treasury:", with: "rpc_timeout_seconds: 0.3\ntreasury:") : text
        }) { pulled in
            let reason = failure(pulled.report, "chain00/WETH chainlink")
            #expect(reason?.hasSuffix("timed out (after 3 attempts)") == true, "\(reason ?? "")")
            #expect(pulled.server.requests(to: .rpc("chain00")) == 3)
        }
    }

    @Test func connectionRefused() async throws {
        try await pull(rpcOverride: ["chain02": "http://127.0.0.1:1/rpc"]) { pulled in
            #expect(failure(pulled.report, "chain02/USDC chainlink")?.contains("could not connect") == true)
            #expect(pulled.report.failures.first { $0.source == "chain02/USDC chainlink" }?.code == .connectionRefused)
            #expect(pulled.report.snapshot.prices.filter { $0.chain == "chain02" }.map(\.source).sorted() == ["coingecko", "defillama"])
        }
    }

    @Test func malformedJSON() async throws {
        try await pull(MarketConditions(endpointFaults: [.coinGecko: .body(#"{"0xab": {"usd": 1"#)])) { pulled in
            #expect(failure(pulled.report, "chain00/WBTC coingecko")?.contains("not valid JSON") == true)
            #expect(pulled.report.snapshot.prices.count == 15)
        }
    }

    @Test func truncatedBody() async throws {
        try await pull(MarketConditions(endpointFaults: [.lifi: .truncated])) { pulled in
            #expect(failure(pulled.report, "lifi chain00→chain01 USDC")?.contains("body truncated") == true)
            #expect(pulled.report.snapshot.routes.count == 18)
        }
    }

    @Test func fiftyMegabyteBodyIsRefused() async throws {
        try await pull(MarketConditions(endpointFaults: [.defiLlama: .oversized(bytes: 50 << 20)])) { pulled in
            #expect(failure(pulled.report, "chain01/USDC defillama")?.contains("body larger than") == true)
            #expect(pulled.report.snapshot.prices.count == 15)
        }
    }

    @Test func wrongTypes() async throws {
        try await pull(MarketConditions(endpointFaults: [.across: .body(#"{"totalRelayFee": {"pct": "1", "total": true}}"#)])) { pulled in
            #expect(failure(pulled.report, "across chain02→chain00 WBTC") == "totalRelayFee.total: expected a whole number of token units as a decimal string, got boolean true")
            #expect(pulled.report.snapshot.routes.map(\.bridge) == ["lifi"])
            #expect(pulled.report.snapshot.prices.count == 18)
        }
    }

    @Test func jsonRPCErrorRevertAndMissingIDFailOnlyTheirCalls() async throws {
        let faults: [String: CallFault] = [
            Self.market.address(.feed, chain: 0, token: 1): .rpcError(code: -32000, message: "header not found"),
            Self.market.address(.pairV2, chain: 1, token: 1): .revert,
            Self.market.address(.feed, chain: 2, token: 0): .noAnswer,
        ]
        try await pull(MarketConditions(callFaults: faults)) { pulled in
            let r = pulled.report
            #expect(failure(r, "chain00/WETH chainlink") == "JSON-RPC error -32000: header not found")
            #expect(failure(r, "chain01/WETH uniswap-v2") == "JSON-RPC error 3: execution reverted")
            #expect(failure(r, "chain02/USDC chainlink")?.hasPrefix("the batch answer has no entry for id") == true)
            #expect(r.failures.count == 3, "\(r.failures)")
            #expect(r.snapshot.prices.count == 15)
            #expect(r.snapshot.balances.count == 9)
        }
    }

    @Test func zeroPricesAreRefused() async throws {
        let conditions = MarketConditions(feedAnswers: [Self.market.address(.feed, chain: 1, token: 1): 0], apiPrices: ["chain00/USDC": 0])
        try await pull(conditions) { pulled in
            #expect(failure(pulled.report, "chain01/WETH chainlink") == "chainlink: answer is 0; a price must be positive")
            #expect(failure(pulled.report, "chain00/USDC defillama")?.contains("expected a positive number, got number 0") == true)
            #expect(pulled.report.snapshot.prices.count == 16)
        }
    }

    @Test func pricesNoTokenTradesAtAreLeftOut() async throws {
        try await pull(MarketConditions(apiPrices: ["chain00/USDC": 1e300, "chain02/USDC": 1e-20])) { pulled in
            #expect(failure(pulled.report, "chain00/USDC defillama")?.hasSuffix("must be at most 1000000000000: no token trades there") == true)
            #expect(failure(pulled.report, "chain02/USDC defillama")?.hasSuffix("must be at least 1e-12: no token trades there") == true)
            #expect(pulled.report.snapshot.prices.allSatisfy { $0.priceUSD > 1e-12 && $0.priceUSD < 1e12 })
            // What was pulled is a snapshot the decoder accepts.
            #expect(throws: Never.self) { try Snapshot.decode(json: pulled.report.snapshot.encodedJSON(), source: "pulled") }
        }
    }

    @Test func nanInABodyIsRefused() async throws {
        try await pull(MarketConditions(endpointFaults: [.defiLlama: .body(#"{"coins":{"chain00:0x01":{"price":NaN,"timestamp":1}}}"#)])) { pulled in
            #expect(failure(pulled.report, "chain00/USDC defillama")?.contains("not valid JSON") == true)
            #expect(pulled.report.snapshot.prices.count == 15)
        }
    }

    @Test func staleChainlinkRound() async throws {
        try await pull(MarketConditions(staleFeeds: [Self.market.address(.feed, chain: 2, token: 1)])) { pulled in
            let reason = failure(pulled.report, "chain02/WETH chainlink")
            #expect(reason?.hasPrefix("stale: observed 7200 s before the tick") == true && reason?.hasSuffix("more than max_age_seconds 3660") == true, "\(reason ?? "")")
            #expect(pulled.report.snapshot.prices.count == 17)
            let health = try #require(pulled.report.health.first { $0.source == "chain02/WETH chainlink" })
            #expect(health.consecutiveFailures == 1 && health.lastError == reason)
        }
    }

    /// A token priced by a ratio feed times a USD feed (WBTC/BTC × BTC/USD in the shipped
    /// files); here chain00's WETH feed times its USDC feed, which answers 0.98.
    func productFeed(_ conditions: MarketConditions, _ check: (Pulled) throws -> Void) async throws {
        let weth = Self.market.address(.feed, chain: 0, token: 1), usdc = Self.market.address(.feed, chain: 0, token: 0)
        try await pull(conditions, honest: false, editChainFile: { name, text in
            name != "chain00.yaml" ? text : text.replacingOccurrences(
                of: "feed: \"\(weth)\", heartbeat_seconds: 3600}", with: "feed: \"\(weth)\", heartbeat_seconds: 3600, times: {feed: \"\(usdc)\", heartbeat_seconds: 600}}")
        }, check)
    }

    @Test func aProductOfFeedsMultipliesTheirAnswers() async throws {
        let usdc = Self.market.address(.feed, chain: 0, token: 0)
        try await productFeed(MarketConditions(feedAnswers: [usdc.lowercased(): 98_000_000])) { pulled in
            let quote = try #require(pulled.report.snapshot.prices.first { $0.chain == "chain00" && $0.token == "WETH" && $0.source == "chainlink" })
            let truth = Self.market.priceUSD(1, chain: 0) * 0.98
            #expect(abs(quote.priceUSD - truth) / truth < 1e-9, "\(quote.priceUSD) against \(truth)")
        }
    }

    /// Each feed of a product answers to its own heartbeat: a stale second feed makes the
    /// product stale although the first is fresh and the source's age limit is a day.
    @Test func aProductIsStaleWhenEitherFeedMissesItsHeartbeat() async throws {
        let usdc = Self.market.address(.feed, chain: 0, token: 0)
        try await productFeed(MarketConditions(staleFeeds: [usdc.lowercased()])) { pulled in
            let reason = try #require(failure(pulled.report, "chain00/WETH chainlink"))
            #expect(reason.hasPrefix("stale: feed \(usdc.lowercased()) was updated 7198 s before the block"), "\(reason)")  // blocks are 2 s old
            #expect(reason.hasSuffix("more than its heartbeat_seconds 600 and a minute's grace"), "\(reason)")
            #expect(pulled.report.failures.first { $0.source == "chain00/WETH chainlink" }?.code == .stale)
        }
    }

    /// Two USDC sources 5% apart: neither can be trusted, so both are reported, both stay in
    /// the snapshot for the strategy to judge, and no pool on that chain is valued with either.
    @Test func disagreeingSourcesAreReportedAndValueNoPool() async throws {
        try await pull(MarketConditions(apiPrices: ["chain01/USDC": 1.05]), honest: false) { pulled in
            let r = pulled.report
            #expect(r.priceIssues.map { "\($0.chain)/\($0.token) \($0.source)" }.sorted() == ["chain01/USDC chainlink", "chain01/USDC defillama"])
            #expect(r.snapshot.prices.filter { $0.chain == "chain01" && $0.token == "USDC" }.count == 2)
            #expect(failure(r, "chain01/WETH uniswap-v2") == "no agreed USD price for USDC on chain01 this tick to value it against")
            #expect(failure(r, "chain01/WBTC uniswap-v3") != nil)
            #expect(r.snapshot.prices.count == 16)
        }
    }

}
