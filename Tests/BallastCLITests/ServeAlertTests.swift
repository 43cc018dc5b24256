import BallastSandbox
import Foundation
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
}
