import BallastSandbox
import Foundation
import GRDB
import Testing

/// The service alerts what the sandbox's shock scenario does to a price: a source the consensus
/// drops (a depeg, a lagging oracle) raises `price_dropped`, once per repeat window.
@Suite struct ServeAlertTests {
    @Test func aPriceTheConsensusDropsRaisesAnAlert() async throws {
        let hook = try await LoopbackServer { _ in .json("{}") }
        let alerts = "alerts:\n  - {url: \"\(hook.baseURL)/hook\", format: json, repeat_minutes: 60}"
        try await TestDesk.with(secret: ServeCommandTests.secret, receiver: .accept,
                                strategy: { TestDesk.strategy(webhook: $0, limits: alerts) }) { desk in
            // DefiLlama says USDC on chain01 is $0.90 while Chainlink says $1: 10% apart.
            desk.server.setConditions(MarketConditions(apiPrices: ["chain01/USDC": 0.9]))
            let service = try await desk.serve()
            _ = try await service.tick()
            await hook.arrival(at: "/hook")
            let sent = hook.requests.compactMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
            let dropped = sent.filter { $0["kind"] as? String == "price_dropped" }
            #expect(dropped.contains { ($0["subject"] as? String) == "chain01/USDC defillama" }, "\(sent)")
            #expect(dropped.allSatisfy { ($0["text"] as? String)?.contains("chain01/USDC") == true })
            _ = try await service.tick()
            _ = try await service.tick()
            let again = hook.requests.compactMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
                .filter { $0["kind"] as? String == "price_dropped" && $0["subject"] as? String == "chain01/USDC defillama" }
            #expect(again.count == 1, "once per repeat window, however many ticks see it")
            #expect(await service.stop().status == 0)
        }
        try await hook.shutdown()
    }

    /// A tick settles the journal before it pulls; when shutdown cuts the pull short, what the
    /// settling did (here a transfer expiring) is still alerted, though the tick is not shown.
    @Test func whatATickCutShortSettledIsStillAlerted() async throws {
        let hook = try await LoopbackServer { _ in .json("{}") }
        let alerts = "alerts:\n  - {url: \"\(hook.baseURL)/hook\", format: json}"
        try await TestDesk.with(secret: ServeCommandTests.secret, receiver: .accept,
                                strategy: { TestDesk.strategy(webhook: $0, limits: alerts) }) { desk in
            let once = try await CLIRunner.launch(["rebalance", "--once", "--live", "--chains", desk.chains, "--strategy", desk.strategy,
                                                   "--journal", desk.journal], environment: desk.environment)
            #expect(once.status == 0, "\(once.stderr)")
            let submitted = try await desk.actions().filter { $0["status"] as? String == "submitted" }.compactMap { $0["idempotency_key"] as? String }
            try #require(!submitted.isEmpty)
            // Submitted a day ago and never confirmed: the next settling expires them.
            let database = try DatabaseQueue(path: desk.journal)
            try await database.write { try $0.execute(sql: "UPDATE actions SET updated_at = updated_at - 86400 WHERE status = 'submitted'") }
            try database.close()

            let node = desk.server.market.chainName(0)
            let before = desk.server.requests(to: .rpc(node))
            desk.server.setConditions(desk.server.endpoints.reduce(into: MarketConditions()) { $0.endpointFaults[$1] = .hang })
            let service = try await ServiceProcess.start(["--chains", desk.chains, "--strategy", desk.strategy, "--journal", desk.journal,
                                                          "--live", "--interval", "60", "--deadline", "60"], environment: desk.environment)
            // The first tick's pull has begun, so its settling is done; shutdown cuts the pull.
            await desk.server.rpcArrival(on: node, count: before + 1)
            let result = await service.stop()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!service.log.contains("\"msg\":\"tick\""), "the tick was cut short, not shown: \(service.log)")
            let expired = try await desk.actions().filter { $0["status"] as? String == "expired" }.compactMap { $0["idempotency_key"] as? String }
            #expect(Set(expired) == Set(submitted))
            let sent = hook.requests.compactMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
                .filter { $0["kind"] as? String == "action_expired" }.compactMap { $0["subject"] as? String }
            #expect(Set(sent) == Set(submitted), "\(hook.requests.count) alerts")
        }
        try await hook.shutdown()
    }
}
