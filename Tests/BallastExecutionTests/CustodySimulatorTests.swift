import BallastCore
import BallastExecution
import BallastHTTP
import BallastSandbox
import Foundation
import Testing

/// The sandbox's custody simulator takes what the real webhook submitter sends, moves the
/// treasury's balances once the fill time has passed, and reports each landing signed.
@Suite struct CustodySimulatorTests {
    static let secretText = "0123456789abcdef-secret"
    static let market = SimulatedMarket(chains: 3, tokens: 2)
    static let secret = try! WebhookSecret(secretText, from: "the test's secret")

    static func order(_ key: String, amount: String = "10", from: String = "chain02", to: String = "chain00", bridge: String = "across") -> Data {
        Data(#"{"idempotency_key":"\#(key)","token":"USDC","amount":"\#(amount)","from":{"chain":"\#(from)"},"to":{"chain":"\#(to)"},"bridge":"\#(bridge)"}"#.utf8)
    }

    @Test func anAcceptedTransferLandsAfterItsFillTimeAndIsReportedSigned() async throws {
        let time = ManualTime(date: Date())
        var market = Self.market
        market.fillSeconds = 30
        let server = try await SimulatedMarketServer(market: market, time: time)
        let service = try await LoopbackServer { _ in .json(#"{"status": "confirmed"}"#) }
        let client = HTTPClient()
        let custody = CustodySimulator(market: server, secret: Self.secret, time: time, reportTo: (client, service.baseURL))
        let submitter = WebhookSubmitter(settings: WebhookSettings(url: custody.url, secret: .environment("S"), timeoutSeconds: 5),
                                         secret: try WebhookSecret(.environment("S"), environment: ["S": Self.secretText]), client: client, time: time)
        let before = server.state.balances
        #expect(await submitter.submit(key: "k-1", body: Self.order("k-1")) == .accepted(reference: "custody-1"))
        #expect(server.state.balances[2][0] == before[2][0] - 10_000_000, "10 USDC leave chain02 at once")
        #expect(await submitter.submit(key: "k-1", body: Self.order("k-1")) == .alreadyAccepted)
        guard case .keyReused? = Optional(await submitter.submit(key: "k-1", body: Self.order("k-1", amount: "11"))) else {
            Issue.record("a key reused with another body is refused with 422")
            return
        }

        time.advance(by: .seconds(29))
        #expect(await custody.land().isEmpty && custody.inFlight == 1, "not before its fill time")
        time.advance(by: .seconds(1))
        let landed = await custody.land()
        // 10 USDC less Across's 5 bps and its $0.50 relayer fee.
        #expect(landed.map(\.received) == [Amount("9.495")!] && landed.allSatisfy(\.reported))
        #expect(server.state.balances[0][0] == before[0][0] + 9_495_000)

        let report = try #require(service.requests.last)
        #expect(report.path == "/v1/actions/k-1/status" && report.method == "POST")
        let stamp = try #require(report.header("X-Ballast-Timestamp").flatMap { Int($0) })
        #expect(report.header("X-Ballast-Signature").map { Self.secret.verifies($0, timestamp: stamp, body: report.body) } == true)
        let body = try #require(try JSONSerialization.jsonObject(with: report.body) as? [String: Any])
        #expect(body["status"] as? String == "confirmed" && body["received"] as? String == "9.495" && body["idempotency_key"] as? String == "k-1")

        await client.shutdown()
        try await service.shutdown()
        try await server.shutdown()
    }

    @Test func aReportTheServiceNeverTakesIsRetriedThenGivenUp() async throws {
        let time = ManualTime(date: Date())
        var market = Self.market
        market.fillSeconds = 0
        let server = try await SimulatedMarketServer(market: market, time: time)
        let service = try await LoopbackServer { _ in .json(#"{"error": "no action with key k-9"}"#, status: 404) }
        let client = HTTPClient()
        let custody = CustodySimulator(market: server, secret: Self.secret, time: time, reportTo: (client, service.baseURL))
        let submitter = WebhookSubmitter(settings: WebhookSettings(url: custody.url, secret: .environment("S"), timeoutSeconds: 5),
                                         secret: try WebhookSecret(.environment("S"), environment: ["S": Self.secretText]), client: client, time: time)
        #expect(await submitter.submit(key: "k-9", body: Self.order("k-9")) == .accepted(reference: "custody-1"))
        for attempt in 1..<CustodySimulator.reportAttempts {
            let landed = await custody.land()
            #expect(landed.count == 1 && !landed[0].reported && !landed[0].abandoned && landed[0].attempts == attempt)
        }
        let last = await custody.land()
        #expect(last.first?.abandoned == true && last.first?.problem?.contains("404") == true, "\(last)")
        #expect(await custody.land().isEmpty, "given up: never called again")
        #expect(service.hitCount("/v1/actions/k-9/status") == CustodySimulator.reportAttempts)
        await client.shutdown()
        try await service.shutdown()
        try await server.shutdown()
    }

    @Test func itRefusesWhatACarefulSignerRefuses() async throws {
        let time = ManualTime(date: Date())
        let server = try await SimulatedMarketServer(market: Self.market, time: time)
        let client = HTTPClient()
        let custody = CustodySimulator(market: server, secret: Self.secret, time: time)
        let forged = WebhookSubmitter(settings: WebhookSettings(url: custody.url, secret: .environment("S"), timeoutSeconds: 5),
                                      secret: try WebhookSecret(.environment("S"), environment: ["S": "another-secret-of-16+"]), client: client, time: time)
        let honest = WebhookSubmitter(settings: WebhookSettings(url: custody.url, secret: .environment("S"), timeoutSeconds: 5),
                                      secret: try WebhookSecret(.environment("S"), environment: ["S": Self.secretText]), client: client, time: time)
        let forgedOutcome = await forged.submit(key: "k-2", body: Self.order("k-2"))
        guard case .refused(status: 401, _) = forgedOutcome else { Issue.record("a forged signature is refused: \(forgedOutcome)"); return }
        let tooMuch = await honest.submit(key: "k-3", body: Self.order("k-3", amount: "1000000000"))
        guard case .refused(status: 400, let reason) = tooMuch, reason.contains("insufficient balance") else {
            Issue.record("more than the chain holds is refused: \(tooMuch)")
            return
        }
        let unknown = await honest.submit(key: "k-4", body: Self.order("k-4", to: "chain09"))
        guard case .refused(status: 400, _) = unknown else { Issue.record("an unknown chain is refused: \(unknown)"); return }
        #expect(custody.acceptedKeys.isEmpty && server.state.balances == MarketState(Self.market).balances, "nothing moved")
        await client.shutdown()
        try await server.shutdown()
    }
}
