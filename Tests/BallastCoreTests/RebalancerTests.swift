@testable import BallastCore
import Foundation
import Testing

@Suite struct RebalancerTests {
    func strategy(_ targets: [String: Double], threshold: Double = 0.05, minTransfer: Double = 0, maxFee: Double = 100,
                  token: String = "WETH") -> Strategy {
        Strategy(name: "t", tokens: [token],
                 rebalance: RebalanceRules(threshold: threshold, minTransferUSD: minTransfer, maxFeeBps: maxFee,
                                           targets: [token: targets]))
    }

    func market(balances: [String: (String, String)], price: Double = 2000) -> MarketBuilder {
        var m = MarketBuilder()
        for chain in ["a", "b", "c", "d"] { m.price(chain, price) }
        for (chain, (amount, inFlight)) in balances {
            m.snapshot.balances.append(Balance(chain: chain, token: "WETH", amount: Amount(amount)!, inFlight: Amount(inFlight)!))
        }
        return m
    }

    func plan(_ m: MarketBuilder, _ s: Strategy) throws -> TransferPlan {
        try #require(Rebalancer(strategy: s)!.plan(m.snapshot).plans.first)
    }

    @Test func withinBandPlansNothing() throws {
        let m = market(balances: ["a": ("52", "0"), "b": ("48", "0")])
        let p = try plan(m, strategy(["a": 0.5, "b": 0.5]))
        #expect(p.status == .withinBand)
        #expect(p.transfers.isEmpty)
        #expect(p.positions.allSatisfy { $0.after == $0.balance })
    }

    @Test func shortChainIsBroughtUpToTargetExactly() throws {
        var m = market(balances: ["a": ("80", "0"), "b": ("20", "0")])
        m.route("a", "b", feeBps: 5, fixed: "0.001", gas: 1.5)
        let p = try plan(m, strategy(["a": 0.5, "b": 0.5]))
        #expect(p.status == .rebalance)
        let t = try #require(p.transfers.first)
        #expect((t.from, t.to, t.amount) == ("a", "b", Amount("30")!))
        #expect(t.expectedReceived == Amount("29.984"))  // 30 − 0.015 − 0.001
        let expectedFee: Double = 30 * 2000 * 0.0005 + 0.001 * 2000 + 1.5
        #expect(relativelyClose(t.feeUSD, expectedFee))
        #expect(p.positions.first { $0.chain == "b" }?.after == Amount("50"))
    }

    @Test func relaysThroughAnIntermediateChainWhenThatIsTheOnlyWay() throws {
        var m = market(balances: ["a": ("90", "0"), "b": ("10", "0"), "c": ("0", "0")])
        m.route("a", "b", feeBps: 4)
        m.route("b", "c", feeBps: 4)
        let p = try plan(m, strategy(["a": 0.4, "b": 0.1, "c": 0.5]))
        #expect(p.status == .rebalance)
        // a gives its surplus of 50; b relays it (and stays at its target).
        #expect(p.transfers.map { "\($0.from)→\($0.to) \($0.amount)" } == ["a→b 50", "b→c 50"])
    }

    @Test func prefersTheCheaperRelayOverADearDirectRoute() throws {
        var m = market(balances: ["a": ("100", "0"), "b": ("0", "0"), "c": ("0", "0")])
        m.route("a", "c", bridge: "dear", feeBps: 40)
        m.route("a", "b", feeBps: 5)
        m.route("b", "c", feeBps: 5)
        let p = try plan(m, strategy(["a": 0.5, "c": 0.5]))
        #expect(p.transfers.map(\.bridge) == ["across", "across"])
        let expectedFee: Double = 50 * 2000 * 0.001
        #expect(relativelyClose(p.totalFeeUSD, expectedFee))
    }

    @Test func unreachableChainIsReportedAsUnmetAndTheRestIsPlanned() throws {
        var m = market(balances: ["a": ("100", "0"), "b": ("0", "0"), "c": ("0", "0")])
        m.route("a", "b", feeBps: 5)
        let p = try plan(m, strategy(["a": 0.4, "b": 0.3, "c": 0.3]))
        #expect(p.status == .partial)
        #expect(p.unmet == ["c": Amount("30")!])
        #expect(p.unmetReasons == ["c": "no bridge route reaches it"])
        #expect(p.transfers.map { "\($0.to) \($0.amount)" } == ["b 30"])
    }

    @Test func inFlightCountsAndGiversSendOnlyWhatTheyHoldOnChain() throws {
        // a: 10 on chain + 60 arriving = 70 virtual (target 35); it may send only its 10.
        var m = market(balances: ["a": ("10", "60"), "b": ("0", "0")])
        m.route("a", "b")
        let p = try plan(m, strategy(["a": 0.5, "b": 0.5]))
        #expect(p.status == .partial)
        #expect(p.transfers.map(\.amount) == [Amount("10")!])
        #expect(p.unmet == ["b": Amount("25")!])
        #expect(p.unmetReasons == ["b": "not enough surplus can reach it"])
    }

    @Test func routeCapacitySplitsAcrossBridges() throws {
        var m = market(balances: ["a": ("100", "0"), "b": ("0", "0")])
        m.route("a", "b", bridge: "cheap", feeBps: 2, max: "20")
        m.route("a", "b", bridge: "wide", feeBps: 6)
        let p = try plan(m, strategy(["a": 0.5, "b": 0.5]))
        #expect(Set(p.transfers.map { "\($0.bridge) \($0.amount)" }) == ["cheap 20", "wide 30"])
    }

    @Test func noTransferBelowTheMinimum() throws {
        var m = market(balances: ["a": ("100", "0"), "b": ("40", "0")], price: 10)
        m.route("a", "b")
        // b needs 30 tokens = $300, under the $500 minimum: better unmet than a dust transfer.
        let p = try plan(m, strategy(["a": 0.5, "b": 0.5], threshold: 0.01, minTransfer: 500))
        #expect(p.transfers.isEmpty)
        #expect(p.status == .partial)
        #expect(p.unmet == ["b": Amount("30")!])
        #expect(p.unmetReasons["b"]?.hasPrefix("the shortfall is below the smallest allowed transfer") == true)
    }

    @Test func maxFeeExcludesDearRoutesAndSmallTransfersOverFixedFees() throws {
        var m = market(balances: ["a": ("100", "0"), "b": ("0", "0")], price: 10)
        m.route("a", "b", bridge: "dear", feeBps: 80)
        m.route("a", "b", bridge: "fixed", feeBps: 0, gas: 30)  // $30 on a $500 transfer is 600 bps
        let p = try plan(m, strategy(["a": 0.5, "b": 0.5], maxFee: 50))
        #expect(p.transfers.isEmpty)
        #expect(p.unmet == ["b": Amount("50")!])
        // The gas-only route is usable from $6,000 ($30 at 50 bps); 50 tokens ($500) is below that.
        #expect(p.unmetReasons["b"]?.hasPrefix("the shortfall is below the smallest allowed transfer") == true)
        // With a bigger treasury, the same fixed fee is under 50 bps: $30 on $10,000 is 30 bps.
        var dearOnly = m
        dearOnly.snapshot.routes.removeAll { $0.bridge == "fixed" }
        #expect(try plan(dearOnly, strategy(["a": 0.5, "b": 0.5], maxFee: 50)).unmetReasons == ["b": "no usable route reaches it (1 fee above max_fee_bps)"])
        var big = market(balances: ["a": ("2000", "0"), "b": ("0", "0")], price: 10)
        big.snapshot.routes = m.snapshot.routes
        let q = try plan(big, strategy(["a": 0.5, "b": 0.5], maxFee: 50))
        #expect(q.transfers.map(\.bridge) == ["fixed"])
    }

    @Test func staleRouteQuotesAreNotUsed() throws {
        var m = market(balances: ["a": ("100", "0"), "b": ("0", "0")])
        m.route("a", "b", ageSeconds: 3600)
        let p = try plan(m, strategy(["a": 0.5, "b": 0.5]))
        #expect(p.status == .partial)
        #expect(p.unmetReasons == ["b": "no usable route reaches it (1 quote older than max_price_age_seconds)"])
    }

    @Test func shippedExamplePlansEveryTokenFeasibly() throws {
        let snapshot = try Fixtures.exampleSnapshot()
        let strategy = try Fixtures.exampleStrategy()
        let report = Rebalancer(strategy: strategy)!.plan(snapshot)
        #expect(report.plans.map(\.token) == ["WETH", "USDC", "WBTC"])
        #expect(report.plans.map(\.status) == [.rebalance, .rebalance, .withinBand])
        for plan in report.plans {
            let rules = strategy.rebalance!
            for transfer in plan.transfers {
                let price: Double = transfer.token == "USDC" ? 1.0 : transfer.token == "WETH" ? 3000.0 : 97_000.0
                let value: Double = transfer.amount.doubleValue * price
                #expect(value >= rules.minTransferUSD * 0.99)
                let feeCap: Double = value * rules.maxFeeBps / 10_000 * 1.01
                #expect(transfer.feeUSD <= feeCap)
                #expect(transfer.amount.scale <= snapshot.token(plan.token)!.decimals)
            }
            // Short chains end at their targets; nobody ends below zero.
            for position in plan.positions {
                #expect(!position.after.isNegative)
                if position.isShort { #expect(position.after == position.target) }
            }
            // Executable in order: a chain sends only what it holds or has already been sent.
            for transfer in plan.transfers {
                let onChain = snapshot.balances.first { $0.chain == transfer.from && $0.token == plan.token }?.amount ?? .zero
                let received = plan.transfers.prefix { $0 != transfer }.filter { $0.to == transfer.from }.map(\.amount).reduce(.zero, +)
                let sent = plan.transfers.prefix { $0 != transfer }.filter { $0.from == transfer.from }.map(\.amount).reduce(.zero, +)
                let available = onChain + received - sent
                #expect(transfer.amount <= available)
            }
        }
    }
}
