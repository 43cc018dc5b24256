import BallastCore
@testable import BallastExecution
import BallastHTTP
import BallastSandbox
import BallastStore
import Foundation
import Testing

@Suite struct WebhookSubmitterTests {
    static let secretText = "0123456789abcdef-secret"

    func secret() throws -> WebhookSecret { try WebhookSecret(.environment("S"), environment: ["S": Self.secretText]) }

    /// The retry budget and backoff run on manual time (starting now: the receiver checks the
    /// signed timestamp against its clock), so a loaded machine changes no outcome here.
    func submitter(_ url: String, timeout: Double = 2, time: ManualTime = ManualTime(date: Date())) throws -> WebhookSubmitter {
        WebhookSubmitter(settings: WebhookSettings(url: url, secret: .environment("S"), timeoutSeconds: timeout),
                         secret: try secret(), client: HTTPClient(), time: time)
    }

    static func body(_ key: String, amount: String = "1.5") -> Data {
        Data(#"{"amount":"\#(amount)","idempotency_key":"\#(key)"}"#.utf8)
    }

    @Test func signaturesMatchAnIndependentHMAC() throws {
        // Python: hmac.new(secret, b"1795000000." + body, hashlib.sha256).hexdigest()
        let signature = try secret().signature(timestamp: 1_795_000_000, body: Data(#"{"idempotency_key":"k-1"}"#.utf8))
        #expect(signature == "sha256=370a70218ee9315ec9b00bbf83043216f3c0f8e5539afb9b15c5615811c97036")
    }

    @Test func secretsComeFromTheEnvironmentOrAFileAndMustBeLongEnough() throws {
        #expect(throws: ExecutionSetupError.self) { try WebhookSecret(.environment("S"), environment: [:]) }
        #expect(throws: ExecutionSetupError.self) { try WebhookSecret(.environment("S"), environment: ["S": "short"]) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-secret-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data((Self.secretText + "\n").utf8).write(to: file)
        let fromFile = try WebhookSecret(.file(file.path), environment: [:])
        #expect(fromFile.signature(timestamp: 1, body: Data()) == (try secret()).signature(timestamp: 1, body: Data()))
        let error = #expect(throws: ExecutionSetupError.self) { try WebhookSecret(.environment("S"), environment: ["S": "hunter2-x"]) }
        #expect(error?.description.contains("${S}") == true)
        #expect(error?.description.contains("hunter2") == false, "the message names the source, never the value")
    }

    @Test func aSignedPostIsAcceptedOnceThenKnownAndAReusedKeyIsCaught() async throws {
        let receiver = try await WebhookReceiver(secret: Self.secretText)
        let submitter = try submitter(receiver.url)
        #expect(await submitter.submit(key: "k-1", body: Self.body("k-1")) == .accepted(reference: "desk-1"))
        #expect(await submitter.submit(key: "k-1", body: Self.body("k-1")) == .alreadyAccepted)
        guard case .keyReused = await submitter.submit(key: "k-1", body: Self.body("k-1", amount: "2")) else {
            Issue.record("a reused key with another body must come back as keyReused")
            return
        }
        let arrivals = receiver.arrivals
        #expect(arrivals.allSatisfy { $0.signatureValid })
        #expect(arrivals.map(\.status) == [200, 409, 422])
        try await receiver.shutdown()
    }

    @Test func aWrongSecretIsRefusedNotRetried() async throws {
        let receiver = try await WebhookReceiver(secret: "another-secret-of-enough-length")
        let outcome = try await submitter(receiver.url).submit(key: "k-1", body: Self.body("k-1"))
        #expect(outcome == .refused(status: 401, reason: #"{"error": "bad signature, timestamp or key"}"#))
        #expect(receiver.arrivals.count == 1)
        try await receiver.shutdown()
    }

    @Test func serverErrorsAreRetriedWithTheSameKeyAndBody() async throws {
        let receiver = try await WebhookReceiver(secret: Self.secretText, behaviour: .status(503))
        let submitter = try submitter(receiver.url)
        let task = Task { await submitter.submit(key: "k-9", body: Self.body("k-9")) }
        var iterator = receiver.arrivalStream.makeAsyncIterator()
        _ = await iterator.next()  // the first attempt got 503
        receiver.setBehaviour(.accept)
        #expect(await task.value == .accepted(reference: "desk-1"))
        let arrivals = receiver.arrivals
        #expect(arrivals.count >= 2)
        #expect(Set(arrivals.map(\.key)) == ["k-9"])
        #expect(Set(arrivals.map(\.body)).count == 1)
        try await receiver.shutdown()
    }

    @Test func aReceiverThatNeverAnswersIsUnreachableWithinTheBudget() async throws {
        let receiver = try await WebhookReceiver(secret: Self.secretText, behaviour: .hang)
        guard case .unreachable = try await submitter(receiver.url, timeout: 0.3).submit(key: "k-1", body: Self.body("k-1")) else {
            Issue.record("a hanging receiver must be reported unreachable")
            return
        }
        try await receiver.shutdown()
        // Nothing listens any more: refused connections are unreachable too.
        guard case .unreachable = try await submitter(receiver.url, timeout: 0.3).submit(key: "k-1", body: Self.body("k-1")) else {
            Issue.record("a refused connection must be reported unreachable")
            return
        }
    }

    @Test func anAnswerTooLargeToReadIsNotTakenForARefusal() async throws {
        // A 2xx whose body is over 64 KB: the receiver may have accepted; resending gets its verdict.
        let server = try await LoopbackServer { _ in .text(String(repeating: "x", count: 200_000)) }
        let time = ManualTime(date: Date())
        guard case .unreachable = await (try submitter(server.baseURL + "/transfers", timeout: 1, time: time)).submit(key: "k-1", body: Self.body("k-1")) else {
            Issue.record("an unreadable answer must leave the action to be resent")
            return
        }
        // Within the 3 s budget: sent, then again after 0.25 s, 0.5 s and 1 s of backoff; the
        // next wait (2 s) would pass the budget.
        #expect(server.requests.count == 4, "resent with the same key")
        #expect(time.sleeps == 3 && time.elapsed == .milliseconds(1_750))
        #expect(Set(server.requests.map { $0.header("Idempotency-Key") ?? "" }) == ["k-1"])
        try await server.shutdown()
    }

    @Test func aReferenceIsKeptOnlyAsPrintableText() {
        #expect(WebhookSubmitter.reference(in: Data(#"{"reference": "desk-\u001b[31m7\u202e"}"#.utf8)) == "desk-[31m7")
        #expect(WebhookSubmitter.reference(in: Data(#"{"reference": "\u0007"}"#.utf8)) == nil)
        #expect(WebhookSubmitter.reference(in: Data(#"{"reference": 42}"#.utf8)) == nil)
        #expect(WebhookSubmitter.reference(in: Data("not json".utf8)) == nil)
    }

    @Test func aRedirectIsNeverFollowed() async throws {
        let target = try await WebhookReceiver(secret: Self.secretText)
        let redirecting = try await LoopbackServer { _ in .redirect(to: target.url) }
        let outcome = try await submitter(redirecting.baseURL + "/transfers").submit(key: "k-1", body: Self.body("k-1"))
        #expect(outcome == .refused(status: 302, reason: ""))
        #expect(target.arrivals.isEmpty)
        try await redirecting.shutdown()
        try await target.shutdown()
    }
}

@Suite struct InFlightLedgerTests {
    func action(_ status: ActionStatus, amount: String, sourceBefore: String? = nil) -> JournalAction {
        JournalAction(idempotencyKey: "k", cycle: 1,
                      transfer: PlannedTransfer(token: "WETH", leg: 1, from: "a", to: "b", bridge: "across", amount: Amount(amount)!,
                                                expectedReceived: Amount(amount)! - Amount("0.1")!, feeUSD: 1, amountUSD: 1, feeBps: 4,
                                                feeFixed: .zero, etaSeconds: 60, dependsOn: nil),
                      status: status, body: nil, validUntil: nil, sourceBalanceAtSend: sourceBefore.map { Amount($0)! },
                      createdAt: Date(), updatedAt: Date())
    }

    func market(a: String, b: String) -> Snapshot {
        Snapshot(takenAt: Date(), tokens: [Token(symbol: "WETH", decimals: 18)], chains: [Chain(name: "a", chainID: 1), Chain(name: "b", chainID: 2)],
                 balances: [Balance(chain: "a", token: "WETH", amount: Amount(a)!), Balance(chain: "b", token: "WETH", amount: Amount(b)!)])
    }

    func positions(_ s: Snapshot) -> [String] { s.balances.map { "\($0.chain) spendable \($0.amount) measured \($0.amount + $0.inFlight)" } }

    @Test func anUnsentActionLeavesItsSourceAndCountsAtItsDestination() {
        let s = InFlightLedger.apply([action(.planned, amount: "40")], to: market(a: "100", b: "0"))
        #expect(positions(s) == ["a spendable 60 measured 60", "b spendable 0 measured 39.9"])
    }

    @Test func aDebitThatShowsOnChainIsNotCountedTwice() {
        // Sent when a held 100; a now reads 60: the debit landed, the money is on its way.
        let landed = InFlightLedger.apply([action(.submitted, amount: "40", sourceBefore: "100")], to: market(a: "60", b: "0"))
        #expect(positions(landed) == ["a spendable 20 measured 60", "b spendable 0 measured 39.9"])
        // a still reads 100: not yet debited.
        let pending = InFlightLedger.apply([action(.submitted, amount: "40", sourceBefore: "100")], to: market(a: "100", b: "0"))
        #expect(positions(pending) == ["a spendable 60 measured 60", "b spendable 0 measured 39.9"])
    }

    @Test func finishedAndDryRunActionsReserveNothing() {
        for status in [ActionStatus.dryRun, .failed, .blocked] {
            #expect(positions(InFlightLedger.apply([action(status, amount: "40")], to: market(a: "100", b: "0")))
                    == ["a spendable 100 measured 100", "b spendable 0 measured 0"])
        }
    }
}
