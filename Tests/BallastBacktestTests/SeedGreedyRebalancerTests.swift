import BallastCore
import BallastSimulation
import Foundation
import Testing

/// The baseline is the seed's `balance_liquidity`, no better and no worse.
@Suite struct SeedGreedyRebalancerTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    /// USDC at $1 on a, b, c, d; targets a quarter each with a band of a quarter of it.
    static func plan(balances: [String: Int], routes: [(String, String, Double)], minTransferUSD: Double = 0) throws -> [SeedGreedyRebalancer.Move] {
        let chains = ["a", "b", "c", "d"]
        let strategy = try Strategy.decode(yaml: """
            name: g
            tokens: [USDC]
            rebalance:
              threshold: 0.05
              min_transfer_usd: \(minTransferUSD)
              max_fee_bps: 50
              targets:
                USDC: {a: {target: 0.25, band: 0.25}, b: {target: 0.25, band: 0.25}, c: {target: 0.25, band: 0.25}, d: {target: 0.25, band: 0.25}}
            """, source: "test")
        let snapshot = Snapshot(takenAt: at, tokens: [Token(symbol: "USDC", decimals: 6)],
                                chains: chains.enumerated().map { Chain(name: $1, chainID: $0 + 1) },
                                prices: chains.map { PriceQuote(chain: $0, token: "USDC", priceUSD: 1, observedAt: at, source: "feed") },
                                routes: routes.map { Route(from: $0.0, to: $0.1, token: "USDC", bridge: "b\(Int($0.2))", feeBps: $0.2, observedAt: at) },
                                balances: chains.map { Balance(chain: $0, token: "USDC", amount: Amount(balances[$0] ?? 0)) })
        let positions = Rebalancer(strategy: strategy)!.positions(snapshot)
        let spendable = Dictionary(uniqueKeysWithValues: chains.map { ("\($0)/USDC", Amount(balances[$0] ?? 0)) })
        return SeedGreedyRebalancer.plan(snapshot, positions: positions, spendable: spendable, minTransferUSD: minTransferUSD, price: { _, _ in 1 })
    }

    @Test func theLargestShortfallIsServedFirstFromTheLargestExcessOverTheCheapestDirectRoute() throws {
        // Total 400, targets 100: a holds 50 over, b 150 over, c and d are short by 100 each (c first, by name).
        // c: b's excess first, over b→c's cheaper bridge; a has no route to c. d: a and b have 50 each left, a first by name.
        let moves = try Self.plan(balances: ["a": 150, "b": 250], routes: [("b", "c", 10), ("b", "c", 4), ("a", "d", 5), ("b", "d", 5)])
        #expect(moves.map { "\($0.route.from)→\($0.route.to) \($0.route.bridge) \($0.amount)" } == ["b→c b4 100", "a→d b5 50", "b→d b5 50"])
        #expect(moves.first?.received == Amount("99.96"), "fees come off what arrives")
    }

    @Test func withoutADirectRouteItLeavesTheChainShort() throws {
        #expect(try Self.plan(balances: ["a": 400], routes: [("a", "b", 5), ("b", "c", 5), ("c", "d", 5)]).map(\.route.to) == ["b"])
    }

    @Test func itSkipsTransfersBelowTheMinimum() throws {
        #expect(try Self.plan(balances: ["a": 110, "b": 110, "c": 110, "d": 70], routes: [("a", "d", 5)], minTransferUSD: 50).isEmpty)
        #expect(try Self.plan(balances: ["a": 110, "b": 110, "c": 110, "d": 70], routes: [("a", "d", 5)], minTransferUSD: 5).count == 1)
    }
}
