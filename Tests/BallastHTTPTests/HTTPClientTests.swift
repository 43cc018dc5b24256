import BallastHTTP
import BallastSandbox
import Foundation
import Testing

/// Every test here talks to a real server on 127.0.0.1 over real sockets.
@Suite struct HTTPClientTests {
    /// Starts a server with the standard endpoints, runs the body, and shuts the server down.
    func withServer(_ body: (LoopbackServer, HTTPClient) async throws -> Void) async throws {
        let server = try await LoopbackServer { request in
            switch request.path {
            case "/ok": .text("hello ballast")
            case "/missing": .text("no such thing", status: 404)
            case "/broken": .text("internal trouble\nline two", status: 500)
            case "/limited": .text("slow down", status: 429, headers: [("Retry-After", "7")])
            case "/never": .never
            case "/endless": .streamForever
            case "/to-file": .redirect(to: "file:///etc/hostname")
            case "/loop": .redirect(to: "/loop")
            case "/echo": .respond(status: 200, headers: [("X-Method", request.method)], body: request.body)
            case "/headers": .text(request.header("X-Api-Key") ?? "none")
            case "/slow": .delayed(milliseconds: 50, .text("late"))
            case "/big": .respond(status: 200, headers: [], body: Data(count: 2 << 20))
            case "/cut": .truncated(declaredLength: 1000, body: Data("only part".utf8))
            case "/echo-key": .text("invalid api key \(request.header("X-Api-Key") ?? "")\u{1B}[2J\r\nFAKE LOG LINE", status: 401)
            default: .text("unknown", status: 404)
            }
        }
        let client = HTTPClient()
        do {
            try await body(server, client)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    /// Cancels `task` and checks that it ends as a cancellation, not as a timeout or an answer.
    func expectCancellation(of task: Task<HTTPResponse, any Error>, sourceLocation: SourceLocation = #_sourceLocation) async {
        task.cancel()
        let result = await task.result
        guard case .failure(let error as HTTPError) = result else {
            Issue.record("expected cancellation, got \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.code == .cancelled, sourceLocation: sourceLocation)
    }

    func expectHTTPError(_ matches: (HTTPError) -> Bool, _ operation: () async throws -> HTTPResponse,
                         sourceLocation: SourceLocation = #_sourceLocation) async -> HTTPError? {
        do {
            let response = try await operation()
            Issue.record("expected an error, got HTTP \(response.status)", sourceLocation: sourceLocation)
            return nil
        } catch let error as HTTPError {
            #expect(matches(error), "unexpected \(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected HTTPError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test func okReturnsBodyAndHeaders() async throws {
        try await withServer { server, client in
            let response = try await client.get(server.baseURL + "/ok")
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "hello ballast")
            #expect(response.header("content-length") == "13")
        }
    }

    @Test func notFoundAndServerErrorAreTypedWithBodyPrefix() async throws {
        try await withServer { server, client in
            let missing = await expectHTTPError({ $0.code == .httpStatus && $0.status == 404 }) {
                try await client.get(server.baseURL + "/missing")
            }
            #expect(missing?.description == "GET \(server.baseURL)/missing: HTTP 404: no such thing")
            let broken = await expectHTTPError({ $0.code == .httpStatus && $0.status == 500 && $0.detail == "internal trouble line two" }) {
                try await client.get(server.baseURL + "/broken")
            }
            #expect(broken?.isRetryable == true)
            #expect(missing?.isRetryable == false)
        }
    }

    @Test func tooManyRequestsCarriesRetryAfter() async throws {
        try await withServer { server, client in
            _ = await expectHTTPError({ $0.code == .httpStatus && $0.status == 429 && $0.detail == "slow down" && $0.retryAfterSeconds == 7 }) {
                try await client.get(server.baseURL + "/limited")
            }
        }
    }

    @Test func endpointThatNeverAnswersTimesOut() async throws {
        try await withServer { server, client in
            // Without the timeout this would wait forever; the error's code is the proof.
            let error = await expectHTTPError({ $0.code == .timedOut && $0.isRetryable }) {
                try await client.send(HTTPRequest(url: server.baseURL + "/never", timeout: .milliseconds(300)))
            }
            // Codes are stable snake_case, for metric labels and logs.
            #expect(error?.code.description == "timed_out")
            #expect(error?.description == "GET \(server.baseURL)/never: timed out")
        }
    }

    @Test func endlessChunkedBodyHitsTheSizeCap() async throws {
        try await withServer { server, client in
            _ = await expectHTTPError({ $0.code == .bodyTooLarge && $0.bodyLimit == 1 << 20 }) {
                try await client.send(HTTPRequest(url: server.baseURL + "/endless", timeout: .seconds(20), maxBodyBytes: 1 << 20))
            }
        }
    }

    @Test func announcedOversizeBodyIsRefused() async throws {
        try await withServer { server, client in
            _ = await expectHTTPError({ $0.code == .bodyTooLarge && $0.bodyLimit == 1 << 20 }) {
                try await client.send(HTTPRequest(url: server.baseURL + "/big", maxBodyBytes: 1 << 20))
            }
            // The same body under a larger cap arrives whole.
            let whole = try await client.send(HTTPRequest(url: server.baseURL + "/big", maxBodyBytes: 4 << 20))
            #expect(whole.body.count == 2 << 20)
        }
    }

    @Test func truncatedBodyIsAnError() async throws {
        try await withServer { server, client in
            let error = await expectHTTPError({ $0.code == .truncatedBody }) {
                try await client.get(server.baseURL + "/cut")
            }
            #expect(error?.isRetryable == true)
        }
    }

    @Test func redirectToFileIsRefusedEvenWhenFilesAreAllowed() async throws {
        try await withServer { server, client in
            for allowsFile in [false, true] {
                _ = await expectHTTPError({ $0.code == .protocolRefused }) {
                    try await client.send(HTTPRequest(url: server.baseURL + "/to-file", allowsFileScheme: allowsFile))
                }
            }
        }
    }

    @Test func redirectLoopStops() async throws {
        try await withServer { server, client in
            _ = await expectHTTPError({ $0.code == .tooManyRedirects }) {
                try await client.get(server.baseURL + "/loop")
            }
        }
    }

    @Test func fileURLIsReadOnlyWhenAllowed() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-\(UUID().uuidString).json")
        try Data("{\"local\": true}".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let client = HTTPClient()
        let allowed = try await client.send(HTTPRequest(url: file.absoluteString, allowsFileScheme: true))
        #expect(String(decoding: allowed.body, as: UTF8.self) == "{\"local\": true}")
        _ = await expectHTTPError({ $0.code == .protocolRefused }) {
            try await client.send(HTTPRequest(url: file.absoluteString))
        }
        _ = await expectHTTPError({ $0.code == .transport }) {
            try await client.send(HTTPRequest(url: file.absoluteString + ".absent", allowsFileScheme: true))
        }
    }

    @Test func otherSchemesAreRefused() async throws {
        let client = HTTPClient()
        for url in ["ftp://127.0.0.1/x", "gopher://127.0.0.1/", "dict://127.0.0.1/"] {
            _ = await expectHTTPError({ $0.code == .protocolRefused }) { try await client.get(url) }
        }
    }

    @Test func postSendsJSONBodyAndHeaders() async throws {
        try await withServer { server, client in
            let body = Data(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#.utf8)
            let response = try await client.send(.postJSON(url: server.baseURL + "/echo", body: body))
            #expect(response.body == body)
            #expect(response.header("X-Method") == "POST")
            let withKey = try await client.get(server.baseURL + "/headers", headers: [HTTPHeader("X-Api-Key", "k-123")])
            #expect(String(decoding: withKey.body, as: UTF8.self) == "k-123")
            #expect(server.requests.first { $0.path == "/echo" }?.header("Content-Type") == "application/json")
        }
    }

    @Test func fiveHundredConcurrentRequestsOnOneClient() async throws {
        try await withServer { server, client in
            let bodies = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<500 {
                    group.addTask { try await client.get(server.baseURL + "/slow").body.count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(bodies.count == 500)
            #expect(bodies.allSatisfy { $0 == 4 })
            #expect(server.hitCount("/slow") == 500)
        }
    }

    /// A host that never answers one request still answers the next on another connection:
    /// over plain HTTP/1.1 no transfer waits to share a connection with a stuck one.
    @Test func aHangingRequestDoesNotHoldOthersToTheSameHost() async throws {
        try await withServer { server, client in
            let stuck = Task { try await client.send(HTTPRequest(url: server.baseURL + "/never", timeout: .seconds(30))) }
            await server.arrival(at: "/never")
            for _ in 0..<5 {
                let answer = try await client.get(server.baseURL + "/ok")
                #expect(answer.status == 200)
            }
            // It is still waiting: the answers above did not come from its timing out.
            #expect(server.hitCount("/never") == 1)
            stuck.cancel()
            _ = await stuck.result
        }
    }

    /// Forty requests of 50 ms through two connections, each allowed 800 ms: queued behind each
    /// other they need about a second in all, so a clock that ran while they waited would fail
    /// the later ones, while each one, once running, has sixteen times the time it needs.
    @Test func aBurstWaitsItsTurnWithoutTimingOut() async throws {
        try await withServer { server, _ in
            let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 2))
            let bodies = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 {
                    group.addTask { try await client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(800))).body.count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(bodies.count == 40)
            #expect(server.connections <= 2)
        }
    }

    /// Waiting for a connection counts against `notAfter`: a request still waiting when it
    /// passes is never sent.
    @Test func aWaitingRequestPastItsDeadlineIsNotSent() async throws {
        try await withServer { server, _ in
            let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 1))
            // The one connection is held by a request that hangs for 3 s.
            let stuck = Task { try await client.send(HTTPRequest(url: server.baseURL + "/never", timeout: .seconds(3))) }
            // The deadline counts from the hanging request's arrival, not from whenever this task
            // runs next: on a loaded machine that may be after the 3 s, with the connection free
            // again (it was, once, when the deadline counted from then).
            let deadline = await server.arrival(at: "/never") + .milliseconds(200)
            _ = await expectHTTPError({ $0.code == .timedOut }) {
                try await client.send(HTTPRequest(url: server.baseURL + "/ok", notAfter: deadline))
            }
            _ = await stuck.result
            #expect(server.hitCount("/ok") == 0)
        }
    }

    /// A waiting request fails at its deadline, not when a connection next frees: here the one
    /// connection is held by a request that would hang for a minute, and it is still running
    /// (so it ends cancelled, not timed out) when the waiting one has given up.
    @Test func aWaitingRequestFailsAtItsDeadlineNotWhenAConnectionFrees() async throws {
        try await withServer { server, _ in
            let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 1))
            let stuck = Task { try await client.send(HTTPRequest(url: server.baseURL + "/never", timeout: .seconds(60))) }
            await server.arrival(at: "/never")
            let waited = await expectHTTPError({ $0.code == .timedOut }) {
                try await client.send(HTTPRequest(url: server.baseURL + "/ok", notAfter: .now + .milliseconds(200)))
            }
            #expect(waited?.detail == "no connection was free before its deadline")
            await expectCancellation(of: stuck)
            #expect(server.hitCount("/ok") == 0)
        }
    }

    @Test func cancellingTheTaskRemovesTheTransfer() async throws {
        try await withServer { server, client in
            // Uncancelled, this would end after 30 s as a timeout, not as a cancellation.
            let task = Task {
                try await client.send(HTTPRequest(url: server.baseURL + "/never", timeout: .seconds(30)))
            }
            await server.arrival(at: "/never")
            await expectCancellation(of: task)
            // The client stays usable after a cancellation.
            let answer = try await client.get(server.baseURL + "/ok")
            #expect(answer.status == 200)
        }
    }

    @Test func alreadyCancelledTaskNeverSends() async throws {
        try await withServer { server, client in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.get(server.baseURL + "/never")
            }
            let result = await task.result
            guard case .failure(let error as HTTPError) = result else {
                Issue.record("expected cancellation, got \(result)")
                return
            }
            #expect(error.code == .cancelled)
        }
    }

    @Test func refusedConnectionIsNamedAsSuch() async throws {
        // Bind, learn the port, close: nothing listens there now.
        let server = try await LoopbackServer { _ in .text("") }
        let url = server.baseURL + "/gone"
        try await server.shutdown()
        _ = await expectHTTPError({ $0.code == .connectionRefused }) {
            try await HTTPClient().get(url)
        }
    }

    @Test func anUnknownHostIsNamedAsSuch() async throws {
        // .invalid never resolves (RFC 2606).
        _ = await expectHTTPError({ $0.code == .hostNotFound }) {
            try await HTTPClient().get("http://ballast-test.invalid/")
        }
    }

    @Test func errorsNameTheURLWithoutSecrets() async throws {
        try await withServer { server, client in
            let url = "http://user:pw@127.0.0.1:\(server.port)/missing/KEY-42?apikey=s3cret&x=1"
            let error = await expectHTTPError({ $0.code == .httpStatus && $0.status == 404 }) {
                try await client.send(HTTPRequest(url: url, secrets: ["KEY-42"]))
            }
            let text = error?.description ?? ""
            #expect(text.hasPrefix("GET http://…@127.0.0.1:\(server.port)/missing/***?…: HTTP 404"))
            #expect(!text.contains("s3cret") && !text.contains("pw") && !text.contains("KEY-42"))
        }
    }

    /// A long path (a request naming a hundred coins) is cut, after masking, so the cut never
    /// leaves part of a secret showing.
    @Test func longURLsAreCutAfterMasking() throws {
        let secret = "SECRETSECRETSECRET"
        let long = "https://node.example/v2/" + String(repeating: "a", count: 90) + secret + String(repeating: "b", count: 200) + "?k=v"
        let redacted = HTTPRequest(url: long, secrets: [secret]).redactedURL
        #expect(redacted.count < 130)
        #expect(redacted.hasSuffix("…?…"))
        #expect(!redacted.contains("SECRET"))
        #expect(redacted.contains("***"))
    }

    @Test func errorBodiesAreMaskedAndKeptOnOneLine() async throws {
        try await withServer { server, client in
            let request = HTTPRequest(url: server.baseURL + "/echo-key", headers: [HTTPHeader("X-Api-Key", "k-secret-77")],
                                      secrets: ["k-secret-77"])
            let error = await expectHTTPError({ $0.code == .httpStatus && $0.status == 401 }) {
                try await client.send(request)
            }
            let text = error?.description ?? ""
            #expect(text.hasSuffix("HTTP 401: invalid api key ***[2J  FAKE LOG LINE"), "\(text)")
            #expect(!text.contains("k-secret-77") && !text.contains("\n") && !text.contains("\u{1B}"))
        }
    }
}
