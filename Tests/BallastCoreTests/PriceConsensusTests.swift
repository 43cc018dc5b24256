@testable import BallastCore
import Foundation
import Testing

@Suite struct PriceConsensusTests {
    let takenAt = MarketBuilder.takenAt
    let consensus = PriceConsensus(maxAgeSeconds: 60, maxDeviationBps: 100)

    func quote(_ price: Double, source: String, age: Double = 1, swapFee: Double? = nil, pool: (String, String)? = nil) -> PriceQuote {
        PriceQuote(chain: "a", token: "WETH", priceUSD: price, observedAt: takenAt.addingTimeInterval(-age), source: source,
                   pool: pool.map { Pool(tokenReserve: Amount($0.0)!, usdReserve: Amount($0.1)!, feeBps: 30) }, swapFeeBps: swapFee)
    }

    @Test func medianOfFreshQuotesWithTheHighestSwapFee() {
        var issues: [PriceIssue] = []
        let price = consensus.reduce([quote(3000, source: "x", swapFee: 5), quote(3010, source: "y", swapFee: 10),
                                      quote(3004, source: "z")], takenAt: takenAt, issues: &issues)
        #expect(price == .quote(priceUSD: 3004, swapFeeBps: 10))
        #expect(issues.isEmpty)
    }

    @Test func outlierIsDroppedAndReported() {
        var issues: [PriceIssue] = []
        let price = consensus.reduce([quote(3000, source: "x"), quote(3002, source: "y"), quote(3400, source: "pumped")],
                                     takenAt: takenAt, issues: &issues)
        #expect(price == .quote(priceUSD: 3001, swapFeeBps: 0))
        #expect(issues.map(\.source) == ["pumped"])
    }

    @Test func staleSourcesAreLeftOutAndNoFreshSourceMeansNoPrice() {
        var issues: [PriceIssue] = []
        #expect(consensus.reduce([quote(3000, source: "old", age: 61)], takenAt: takenAt, issues: &issues) == nil)
        #expect(issues.map(\.description) == ["a/WETH from old: stale, observed 61 s before the snapshot"])
    }

    @Test func twoSourcesThatDisagreeLeaveNoTrustedPrice() {
        var issues: [PriceIssue] = []
        // 3000 and 3100 are each 164 bps from their mean: neither can be trusted.
        #expect(consensus.reduce([quote(3000, source: "x"), quote(3100, source: "y")], takenAt: takenAt, issues: &issues) == nil)
        #expect(issues.count == 2)
    }

    @Test func deepestTrustedPoolSetsPriceAndDepth() {
        var issues: [PriceIssue] = []
        let price = consensus.reduce([quote(3000, source: "feed"), quote(3000, source: "shallow", pool: ("10", "30000")),
                                      quote(3001, source: "deep", pool: ("1000", "3001000"))], takenAt: takenAt, issues: &issues)
        #expect(price == .pool(Pool(tokenReserve: Amount("1000")!, usdReserve: Amount("3001000")!, feeBps: 30)))
    }

    @Test func aPoolIsJudgedByItsReservesNotItsStatedPrice() {
        var issues: [PriceIssue] = []
        // The pool claims 3000 but its reserves say 3600: that is what a trade would meet.
        let price = consensus.reduce([quote(3000, source: "x"), quote(3001, source: "y"),
                                      quote(3000, source: "liar", pool: ("10", "36000"))], takenAt: takenAt, issues: &issues)
        #expect(price == .quote(priceUSD: 3000.5, swapFeeBps: 0))
        #expect(issues.map(\.source) == ["liar"])
    }
}

@Suite struct WholeNumberTextTests {
    /// Issue 9: one source quoting 1e300 made the outlier message trap converting its bps to Int.
    @Test func hugeFiguresPrintWithoutTrapping() {
        #expect(2.6.wholeNumberText == "3")
        #expect((-41.4).wholeNumberText == "-41")
        #expect((3e300).wholeNumberText == "3e+300")
        #expect(Double.infinity.wholeNumberText == "inf")
        var m = MarketBuilder()
        m.price("a", 2000, source: "x")
        m.price("a", 2001, source: "y")
        m.price("a", 1e300, source: "z")
        m.price("b", 2100)
        let issues = m.scan().priceIssues
        #expect(issues.contains { $0.source == "z" && $0.description.contains("bps from the median") })
    }
}
