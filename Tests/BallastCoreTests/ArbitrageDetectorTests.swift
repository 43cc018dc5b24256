@testable import BallastCore
import Testing

/// Expected figures were computed independently at 40 significant digits (mpmath: a
/// root of the profit's derivative), not with the detector's closed forms.
@Suite struct ArbitrageDetectorTests {
    @Test func linearBothSidesTradesTheCap() throws {
        var m = MarketBuilder()
        m.price("a", 100, swapFeeBps: 10)
        m.price("b", 110, swapFeeBps: 20)
        m.route("a", "b", feeBps: 5, fixed: "0.01", gas: 2)
        let report = m.scan(MarketBuilder.strategy(maxTrade: 10_000))
        let o = try #require(report.opportunities.first)
        #expect(o.amount == Amount("100"))
        #expect(o.received == Amount("99.94"))  // 100·(1 − 0.0005) − 0.01
        #expect(relativelyClose(o.costUSD, 10_010))
        #expect(relativelyClose(o.profitUSD, 959.4132))
        #expect(relativelyClose(o.roiBps, 959.4132 / 10_010 * 10_000))
        // Fees: 10 on the buy, the sell fee 99.94·110·0.002, the bridge's 0.06 tokens at 110, gas 2.
        #expect(relativelyClose(o.feesUSD, 10 + 99.94 * 110 * 0.002 + 0.06 * 110 + 2))
    }

    @Test func poolOnTheBuySide() throws {
        var m = MarketBuilder()
        m.pool("a", x: "1000", y: "3000000", feeBps: 30)
        m.price("b", 3100)
        m.route("a", "b", feeBps: 4.5, fixed: "0.0001", gas: 1.2)
        let o = try #require(m.scan().opportunities.first)
        #expect(relativelyClose(o.amount.doubleValue, 14.560560929779448309))
        #expect(relativelyClose(o.profitUSD, 655.42504336968843332))
        #expect(relativelyClose(o.costUSD, 44460.491856449558993))
    }

    @Test func poolOnTheSellSide() throws {
        var m = MarketBuilder()
        m.price("a", 3000, swapFeeBps: 5)
        m.pool("b", x: "500", y: "1600000", feeBps: 30)
        m.route("a", "b", feeBps: 6, fixed: "0.001", gas: 0.5)
        let o = try #require(m.scan().opportunities.first)
        #expect(relativelyClose(o.amount.doubleValue, 15.395465309750420119))
        #expect(relativelyClose(o.profitUSD, 1414.0259559179082455))
        #expect(relativelyClose(o.costUSD, 46209.489127215885987))
    }

    @Test func poolsOnBothSides() throws {
        var m = MarketBuilder()
        m.pool("a", x: "2000", y: "6000000", feeBps: 30)
        m.pool("b", x: "800", y: "2600000", feeBps: 5)
        m.route("a", "b", feeBps: 4, fixed: "0.002", gas: 3)
        let o = try #require(m.scan().opportunities.first)
        #expect(relativelyClose(o.amount.doubleValue, 21.94532291125378514))
        #expect(relativelyClose(o.profitUSD, 2581.4176129269408593))
        #expect(relativelyClose(o.costUSD, 66766.679113024855857))
    }

    @Test func fixedFeeBiggerThanTheTradeIsNoOpportunity() {
        var m = MarketBuilder()
        m.price("a", 100)
        m.price("b", 200)
        m.route("a", "b", fixed: "15", gas: 0)
        let report = m.scan(MarketBuilder.strategy(maxTrade: 1000), explain: 5)  // at most 10 tokens, fee 15
        #expect(report.opportunities.isEmpty)
        #expect(report.rejected.map(\.reason) == [.fixedFeeExceedsTrade])
    }

    @Test func stalePriceMakesNoOpportunityAndIsReported() {
        var m = MarketBuilder()
        m.price("a", 100, ageSeconds: 61)
        m.price("b", 120)
        m.route("a", "b")
        let report = m.scan(explain: 5)
        #expect(report.opportunities.isEmpty)
        #expect(report.rejected.map(\.reason) == [.noPrice(chain: "a")])
        #expect(report.priceIssues.map(\.description) == ["a/WETH from feed: stale, observed 61 s before the snapshot"])
    }

    @Test func staleRouteIsRejected() {
        var m = MarketBuilder()
        m.price("a", 100)
        m.price("b", 120)
        m.route("a", "b", ageSeconds: 90)
        let report = m.scan(explain: 5)
        #expect(report.opportunities.isEmpty)
        #expect(report.rejected.map(\.reason) == [.staleRoute(ageSeconds: 90)])
    }

    @Test func routeMaxAmountCaps() throws {
        var m = MarketBuilder()
        m.price("a", 100)
        m.price("b", 101)
        m.route("a", "b", max: "7.5")
        let o = try #require(m.scan(MarketBuilder.strategy(maxTrade: 1_000_000)).opportunities.first)
        #expect(o.amount == Amount("7.5"))
        #expect(relativelyClose(o.profitUSD, 7.5))
    }

    @Test func maxTradeUSDCapsAtTheBuyPrice() throws {
        var m = MarketBuilder()
        m.price("a", 3000)
        m.price("b", 3030)
        m.route("a", "b", max: "1000")
        let o = try #require(m.scan(MarketBuilder.strategy(maxTrade: 10_000)).opportunities.first)
        #expect(o.amount == Amount("3.333333333333333333"))
        #expect(o.costUSD <= 10_000)
    }

    @Test func poolSizeStaysBelowTheCapWhenTheCapBinds() throws {
        var m = MarketBuilder()
        m.pool("a", x: "1000", y: "3000000", feeBps: 30)
        m.price("b", 3100)
        m.route("a", "b", feeBps: 4.5, fixed: "0.0001", gas: 1.2, max: "5")
        let o = try #require(m.scan().opportunities.first)
        #expect(o.amount == Amount("5"))  // the unconstrained optimum is 14.56
    }

    @Test func tieBetweenBridgesGoesToTheFasterThenTheName() throws {
        var m = MarketBuilder()
        m.price("a", 100)
        m.price("b", 110)
        m.route("a", "b", bridge: "slowbridge", feeBps: 10, eta: 600)
        m.route("a", "b", bridge: "zeta", feeBps: 10, eta: 60)
        m.route("a", "b", bridge: "alpha", feeBps: 10, eta: 60)
        m.route("a", "b", bridge: "dear", feeBps: 50, eta: 10)
        let report = m.scan(MarketBuilder.strategy(maxTrade: 1000), explain: 10)
        #expect(report.opportunities.map(\.bridge) == ["alpha"])
        #expect(Set(report.rejected.map(\.bridge)) == ["slowbridge", "zeta", "dear"])
        // The same result whatever order the routes come in.
        m.snapshot.routes.reverse()
        #expect(m.scan(MarketBuilder.strategy(maxTrade: 1000)).opportunities.map(\.bridge) == ["alpha"])
    }

    @Test func thresholdsApply() {
        var m = MarketBuilder()
        m.price("a", 100)
        m.price("b", 100.5)
        m.route("a", "b", gas: 1)
        // 10 tokens: profit 5 − 1 = 4 USD on 1000: 40 bps.
        #expect(m.scan(MarketBuilder.strategy(minProfit: 4, minROIBps: 40, maxTrade: 1000)).opportunities.count == 1)
        #expect(m.scan(MarketBuilder.strategy(minProfit: 4.01, maxTrade: 1000), explain: 1).rejected.map(\.reason) == [.belowMinProfit])
        #expect(m.scan(MarketBuilder.strategy(minROIBps: 41, maxTrade: 1000), explain: 1).rejected.map(\.reason) == [.belowMinROI])
    }

    @Test func everyOrderedPairIsScannedAndSortedByProfit() {
        var m = MarketBuilder()
        for (chain, price) in [("a", 100.0), ("b", 102.0), ("c", 105.0)] { m.price(chain, price) }
        for from in ["a", "b", "c"] { for to in ["a", "b", "c"] where from != to { m.route(from, to) } }
        let report = m.scan(MarketBuilder.strategy(maxTrade: 1000))
        #expect(report.routesConsidered == 6)
        #expect(report.opportunities.map { "\($0.buyChain)\($0.sellChain)" } == ["ac", "bc", "ab"])  // $50, $29.41 (9.8 tokens · $3), $20
    }

    @Test func manipulatedPoolIsOutvotedAndCreatesNothing() {
        var m = MarketBuilder()
        m.price("a", 3000, source: "chainlink")
        m.price("b", 3001, source: "chainlink")
        m.price("b", 3002, source: "defillama")
        m.pool("b", x: "10", y: "36000", feeBps: 30, source: "pumped")  // 3600: 20% above
        m.route("a", "b")
        let report = m.scan(MarketBuilder.strategy(minProfit: 100, maxTrade: 100_000))
        #expect(report.opportunities.isEmpty)
        #expect(report.priceIssues.count == 1)
        #expect(report.priceIssues.first?.source == "pumped")
    }

    @Test func trustedPoolSetsPriceAndDepth() throws {
        var m = MarketBuilder()
        m.price("a", 3000)
        m.price("b", 3095, source: "chainlink")
        m.pool("b", x: "500", y: "1550000", feeBps: 30, source: "amm")  // 3100, within 100 bps of the median
        m.route("a", "b")
        let o = try #require(m.scan().opportunities.first)
        // Sized against the pool (finite), not against the flat 3095 quote (which would be unbounded).
        #expect(o.amount.doubleValue < 10)
    }

    @Test func tokensOutsideTheStrategyAreIgnored() {
        var m = MarketBuilder()
        m.snapshot.tokens.append(Token(symbol: "USDC", decimals: 6))
        m.price("a", 1, token: "USDC")
        m.price("b", 2, token: "USDC")
        m.route("a", "b", token: "USDC")
        #expect(m.scan().routesConsidered == 0)
    }

    @Test func sizesRoundDownToTokenDecimals() throws {
        var m = MarketBuilder()
        m.snapshot.tokens = [Token(symbol: "USDC", decimals: 6)]
        m.price("a", 1, token: "USDC")
        m.price("b", 1.01, token: "USDC")
        m.route("a", "b", token: "USDC")
        let o = try #require(m.scan(MarketBuilder.strategy(maxTrade: 1000.0 / 3, tokens: ["USDC"])).opportunities.first)
        #expect(o.amount == Amount("333.333333"))
    }

    @Test func shippedExampleFindsTheArbitrumPremium() throws {
        let report = try ArbitrageDetector(strategy: Fixtures.exampleStrategy())!.scan(Fixtures.exampleSnapshot())
        #expect(!report.opportunities.isEmpty)
        #expect(report.opportunities.allSatisfy { $0.sellChain == "arbitrum" && $0.profitUSD >= 10 })
        #expect(report.priceIssues.contains { $0.source == "quickswap" })
        #expect(zip(report.opportunities, report.opportunities.dropFirst()).allSatisfy { $0.profitUSD >= $1.profitUSD })
    }
}
