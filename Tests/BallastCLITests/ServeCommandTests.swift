import BallastCore
import BallastSandbox
import BallastStore
import Crypto
import Foundation
import GRDB
import Testing

/// `ballast serve` run as a desk runs it: against the simulated market and a signed-webhook
/// receiver on 127.0.0.1, with a real journal file, driven through its HTTP API and signals.
@Suite struct ServeCommandTests {
    static let token = "test-api-token-0123456789"
    static let secret = "s3cr3t-webhook-key-for-serve-tests"

    /// The desk's strategy with an arbitrage section, as a service runs it.
    static func strategy(webhook: String, timeoutSeconds: Int = 1, name: String = "desk", cooldownSeconds: Int = 0) -> String {
        TestDesk.strategy(webhook: webhook, timeoutSeconds: timeoutSeconds, name: name, arbitrage: true, cooldownSeconds: cooldownSeconds)
    }

    static func withDesk(receiver behaviour: WebhookReceiver.Behaviour = .accept, webhookTimeout: Int = 1, cooldownSeconds: Int = 0,
                         _ body: (TestDesk) async throws -> Void) async throws {
        try await TestDesk.with(secret: secret, receiver: behaviour,
                                strategy: { strategy(webhook: $0, timeoutSeconds: webhookTimeout, cooldownSeconds: cooldownSeconds) }, body)
    }

    var bearer: [String: String] { ["Authorization": "Bearer \(Self.token)"] }

    @Test func theAPIAsksForTheTokenAndAnswersWithIt() async throws {
        try await Self.withDesk { desk in
            let service = try await desk.serve()
            _ = try await service.tick()
            let base = service.url

            #expect(try await Curl.request(base + "/livez").status == 200)
            let ready = try await Curl.request(base + "/readyz")
            #expect(ready.status == 200, "\(ready.body)")
            #expect(ready.json?["ready"] as? Bool == true)

            for path in ["/v1/status", "/v1/opportunities", "/v1/plan", "/v1/journal", "/v1/sources", "/metrics"] {
                let refused = try await Curl.request(base + path)
                #expect(refused.status == 401, "\(path): \(refused.body)")
                #expect(refused.json?["error"] is String, "\(path): \(refused.body)")
                let wrong = try await Curl.request(base + path, headers: ["Authorization": "Bearer not-the-token"])
                #expect(wrong.status == 401, "\(path)")
                let accepted = try await Curl.request(base + path, headers: bearer)
                #expect(accepted.status == 200, "\(path): \(accepted.body)")
            }
            let status = try #require(try await Curl.request(base + "/v1/status", headers: bearer).json)
            #expect(status["strategy"] as? String == "desk")
            #expect(status["mode"] as? String == "dry_run")
            #expect(status["ready"] as? Bool == true)
            #expect((status["last_tick"] as? [String: Any])?["prices"] as? Int ?? 0 > 0)

            let sources = try #require(try await Curl.request(base + "/v1/sources", headers: bearer).json?["sources"] as? [[String: Any]])
            #expect(!sources.isEmpty && sources.allSatisfy { ($0["latency_ms"] as? Double ?? -1) >= 0 && $0["up"] as? Bool == true }, "\(sources)")
            #expect(Set(sources.compactMap { $0["kind"] as? String }) == ["price", "balance", "route"])

            let plan = try #require(try await Curl.request(base + "/v1/plan", headers: bearer).json)
            #expect((plan["plans"] as? [[String: Any]])?.first?["token"] as? String == "USDC")

            let history = try await Curl.request(base + "/v1/opportunities/history?since=2026-01-01T00:00:00Z&limit=10", headers: bearer)
            #expect(history.status == 200 && history.json?["opportunities"] is [Any], "\(history.body)")
            #expect(try await Curl.request(base + "/v1/opportunities/history?cursor=x", headers: bearer).status == 400)

            let openapi = try await Curl.request(base + "/v1/openapi.json", headers: bearer)
            let paths = try #require(openapi.json?["paths"] as? [String: Any], "the OpenAPI document is JSON")
            #expect(paths.keys.contains("/v1/journal") && paths.keys.contains("/v1/actions/{key}/status"))

            let unknown = try await Curl.request(base + "/v1/nothing", headers: bearer)
            #expect(unknown.status == 404)
            #expect((unknown.json?["error"] as? String)?.contains("no such endpoint") == true, "\(unknown.body)")
            // HEAD, as uptime monitors probe: GET's status and headers, no body, the same access rules.
            let probed = try await Curl.request(base + "/livez", method: "HEAD")
            #expect(probed.status == 200 && probed.body.isEmpty, "\(probed)")
            #expect(try await Curl.request(base + "/v1/status", method: "HEAD").status == 401)
            let headed = try await Curl.request(base + "/v1/status", method: "HEAD", headers: bearer)
            #expect(headed.status == 200 && headed.body.isEmpty && headed.headers["content-type"] == "application/json", "\(headed)")
            // A known path with a method it does not answer: 405 naming the ones it does, before any credentials.
            for (method, path, allowed) in [("DELETE", "/v1/journal", "GET, HEAD"), ("GET", "/v1/pause", "POST"),
                                            ("PUT", "/v1/actions/some-key/status", "POST"), ("PATCH", "/login/", "GET, HEAD, POST")] {
                let refused = try await Curl.request(base + path, method: method, headers: bearer)
                #expect(refused.status == 405 && refused.headers["allow"] == allowed, "\(method) \(path): \(refused)")
            }
            #expect(try await Curl.request(base + "/v1/journal/extra", method: "DELETE", headers: bearer).status == 404)
            let badQuery = try await Curl.request(base + "/v1/journal?since=yesterday", headers: bearer)
            #expect(badQuery.status == 400)
            #expect((badQuery.json?["error"] as? String)?.contains("RFC 3339") == true)
            let badLimit = try await Curl.request(base + "/v1/journal?limit=0", headers: bearer)
            #expect(badLimit.status == 400)
            let huge = try await Curl.request(base + "/v1/pause", method: "POST", headers: bearer, body: Data(repeating: 0x20, count: 70_000))
            #expect(huge.status == 413, "\(huge.body)")
            let unannounced = try await Curl.request(base + "/v1/pause", method: "POST", headers: bearer.merging(["Transfer-Encoding": "chunked"]) { a, _ in a },
                                                     body: Data(repeating: 0x20, count: 70_000))
            #expect(unannounced.status == 413, "a body without a length is cut at the limit too: \(unannounced.body)")
            let notJSON = try await Curl.request(base + "/v1/pause", method: "POST", headers: bearer, body: Data("pause!".utf8))
            #expect(notJSON.status == 400)

            // A browser: the login form sets an HttpOnly, SameSite=Strict cookie that is not the token.
            let login = try await Curl.request(base + "/login", method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                               body: Data("token=\(Self.token)".utf8))
            #expect(login.status == 303)
            let cookie = try #require(login.headers["set-cookie"])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
            #expect(!cookie.contains("Secure"), "plain HTTP on loopback: a Secure cookie would never come back")
            let proxied = try await Curl.request(base + "/login", method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded",
                                                                                            "X-Forwarded-Proto": "https"],
                                                 body: Data("token=\(Self.token)".utf8))
            #expect(proxied.headers["set-cookie"]?.contains("Secure") == true, "behind a TLS proxy the cookie is Secure")
            #expect(!cookie.contains(Self.token))
            let session = String(cookie.prefix { $0 != ";" })
            let page = try await Curl.request(base + "/", headers: ["Cookie": session])
            #expect(page.status == 200)
            #expect(page.body.contains("<svg class=\"band\""))
            // A change made with the cookie must come from the page itself.
            let forged = try await Curl.request(base + "/v1/pause", method: "POST", headers: ["Cookie": session, "Origin": "http://evil.example"])
            #expect(forged.status == 403)
            let wrongLogin = try await Curl.request(base + "/login", method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                    body: Data("token=guess".utf8))
            #expect(wrongLogin.status == 401)
            #expect(wrongLogin.headers["set-cookie"] == nil)
            #expect(try await Curl.request(base + "/").status == 303, "no credentials: sent to the login form")
            // Guessing at the form is slowed: after ten failures in a minute it refuses even the right
            // token for a while; the bearer API is not affected.
            for _ in 1..<10 {
                _ = try await Curl.request(base + "/login", method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                           body: Data("token=guess".utf8))
            }
            let throttled = try await Curl.request(base + "/login", method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                   body: Data("token=\(Self.token)".utf8))
            #expect(throttled.status == 429 && Int(throttled.headers["retry-after"] ?? "") ?? 0 > 0, "\(throttled.status) \(throttled.body)")
            #expect(throttled.json?["error"] as? String != nil && throttled.headers["set-cookie"] == nil)
            #expect(try await Curl.request(base + "/v1/status", headers: bearer).status == 200)

            let result = await service.stop()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!service.log.contains(Self.token))
        }
    }

    /// The cooldown lives in the journal, not only in memory: a restart does not act again at once.
    /// With no cooldown, the same restart does act again (the control).
    @Test(arguments: [900, 0])
    func aRestartKeepsTheCooldown(_ cooldown: Int) async throws {
        try await Self.withDesk(cooldownSeconds: cooldown) { desk in
            let first = try await desk.serve()
            _ = try await first.tick { $0["cycle"] != nil }
            #expect(await first.stop().status == 0)
            let recorded = try await desk.actions().count
            #expect(recorded > 0)

            let second = try await desk.serve()
            let tick = try await second.tick()
            #expect(tick["plans"] as? String == "USDC:rebalance", "still out of band: \(tick)")
            if cooldown > 0 {
                #expect(tick["cycle"] == nil, "resting after the cycle before the restart: \(tick)")
                #expect(try await desk.actions().count == recorded)
            } else {
                #expect(tick["cycle"] != nil, "without a cooldown it acts again: \(tick)")
            }
            #expect(await second.stop().status == 0)
        }
    }

    /// With the default 15-minute cooldown: blocked actions did not act, so the resume is not held back.
    @Test func pauseStopsActionsAndResumeLetsThemGo() async throws {
        try await Self.withDesk(cooldownSeconds: 900) { desk in
            let paused = try await desk.ballast(["pause", "--reason", "audit"])
            #expect(paused.status == 0, "\(paused.stderr)")
            let service = try await desk.serve(["--live"])
            let pausedTick = try await service.tick()
            #expect(pausedTick["paused"] as? String == "true" && pausedTick["cycle"] == nil, "\(pausedTick)")
            #expect(pausedTick["plans"] as? String == "USDC:rebalance", "the plan is still made and shown")
            #expect(desk.receiver.arrivals.isEmpty, "paused: nothing reaches the receiver")
            #expect(try await desk.actions().isEmpty, "paused: no cycle is recorded")

            let resumed = try await Curl.request(service.url + "/v1/resume", method: "POST", headers: bearer)
            #expect(resumed.status == 200, "\(resumed.body)")
            #expect(resumed.json?["paused"] as? Bool == false)
            let acted = try await service.tick { $0["cycle"] != nil }
            #expect(acted["paused"] == nil)
            let submitted = try await desk.actions().filter { $0["status"] as? String == "submitted" }
            #expect(!submitted.isEmpty)
            #expect(desk.receiver.arrivals.count == submitted.count)
            #expect(desk.receiver.arrivals.allSatisfy { $0.signatureValid })

            let pausedAgain = try await Curl.request(service.url + "/v1/pause", method: "POST", headers: bearer, body: Data(#"{"reason": "end of day"}"#.utf8))
            #expect(pausedAgain.json?["reason"] as? String == "end of day")
            #expect(pausedAgain.json?["by"] as? String == "api")
            let result = await service.stop()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!service.log.contains(Self.secret))
        }
    }

    @Test func readinessFollowsTheMarketDownAndBack() async throws {
        try await Self.withDesk { desk in
            let service = try await desk.serve()
            _ = try await service.tick { ($0["prices"] as? String).map { $0 != "0" } ?? false }
            #expect(try await Curl.request(service.url + "/readyz").status == 200)

            let conditions = desk.server.endpoints.reduce(into: MarketConditions()) { $0.endpointFaults[$1] = .status(503) }
            desk.server.setConditions(conditions)
            _ = try await service.tick { $0["prices"] as? String == "0" }
            let down = try await Curl.request(service.url + "/readyz")
            #expect(down.status == 503)
            #expect((down.json?["reasons"] as? [String])?.contains("every price source failed in the last tick") == true, "\(down.body)")
            // The container's health check says the same, by its exit code.
            let unhealthy = try await CLIRunner.launch(["health", "--url", service.url])
            #expect(unhealthy.status == 1)
            #expect(unhealthy.stderr.contains("not ready") && unhealthy.stderr.contains("every price source failed"), "\(unhealthy.stderr)")
            let sources = try await Curl.request(service.url + "/v1/sources", headers: bearer)
            #expect((sources.json?["sources"] as? [[String: Any]])?.contains { $0["up"] as? Bool == false && ($0["last_error"] as? String)?.contains("503") == true } == true)

            desk.server.setConditions(MarketConditions())
            _ = try await service.tick { ($0["prices"] as? String).map { $0 != "0" } ?? false }
            #expect(try await Curl.request(service.url + "/readyz").status == 200)
            let healthy = try await CLIRunner.launch(["health", "--url", service.url + "/"])
            #expect(healthy.status == 0, "\(healthy.stderr)")
            #expect(healthy.stdout.contains("\"ready\" : true"), "\(healthy.stdout)")
            #expect(try await CLIRunner.launch(["health", "--url", service.url, "--live"]).stdout == "ok\n")
            #expect(await service.stop().status == 0)
            let gone = try await CLIRunner.launch(["health", "--url", service.url, "--timeout", "2"])
            #expect(gone.status == 1, "no service: unhealthy")
        }
    }

    /// SIGTERM must land while the first POST hangs: its timeout is the test's window. 2 s was
    /// once too short on a loaded CI machine (the next tick resent); 6 s stays inside the 8 s
    /// graceful shutdown.
    @Test func sigtermDuringASubmissionFinishesItAndLeavesAConsistentJournal() async throws {
        try await Self.withDesk(receiver: .acceptAndHang, webhookTimeout: 6) { desk in
            let service = try await desk.serve(["--live"])
            var arrivals = desk.receiver.arrivalStream.makeAsyncIterator()
            let first = try #require(await arrivals.next(), "a submission reached the receiver")
            let result = await service.stop()
            #expect(result.status == 0, "\(result.stderr)\n\(service.log)")
            #expect(result.stdout.contains("\"msg\":\"stopped\""), "\(result.stdout)")
            // The POST under way was not cut: it ran to its own timeout, and no other was started.
            let actions = try await desk.actions()
            #expect(!actions.isEmpty)
            #expect(actions.allSatisfy { ["planned", "submitted"].contains($0["status"] as? String ?? "") }, "\(actions)")
            #expect(Set(desk.receiver.arrivals.map(\.key)) == [first.key])
            // The next run resends that action under the same key; nothing is sent twice under another.
            desk.receiver.setBehaviour(.accept)
            let again = try await CLIRunner.launch(["rebalance", "--once", "--live", "--chains", desk.chains, "--strategy", desk.strategy,
                                                    "--journal", desk.journal], environment: desk.environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(desk.receiver.arrivals.map(\.key).filter { $0 == first.key }.count >= 2)
            #expect(Set(desk.receiver.arrivals.map(\.key)).count == actions.count)
        }
    }

    @Test func sighupReloadsAndABadFileKeepsTheOldConfiguration() async throws {
        try await Self.withDesk { desk in
            let service = try await desk.serve()
            _ = try await service.tick()
            try Data("name: broken\ntokens: [USDC]\nrebalance: {threshold: 2}\n".utf8).write(to: URL(fileURLWithPath: desk.strategy))
            service.signal(SIGHUP)
            let refused = try #require(try await service.line { $0["msg"] as? String == "reload refused; the previous configuration stays in force" })
            #expect((refused["problems"] as? String)?.contains("threshold") == true)
            _ = try await service.tick()
            let status = try #require(try await Curl.request(service.url + "/v1/status", headers: bearer).json)
            #expect(status["strategy"] as? String == "desk")
            #expect((status["reload_error"] as? String)?.contains("threshold") == true)

            try Data(Self.strategy(webhook: desk.receiver.url, name: "desk-v2").utf8).write(to: URL(fileURLWithPath: desk.strategy))
            service.signal(SIGHUP)
            _ = try #require(try await service.line { $0["msg"] as? String == "configuration reloaded" })
            let reloaded = try #require(try await Curl.request(service.url + "/v1/status", headers: bearer).json)
            #expect(reloaded["strategy"] as? String == "desk-v2")
            #expect(reloaded["reload_error"] == nil || reloaded["reload_error"] is NSNull)
            #expect(await service.stop().status == 0)
        }
    }

    @Test func metricsCarryTheTicksFiguresWithoutIdsAsLabels() async throws {
        try await Self.withDesk { desk in
            let service = try await desk.serve()
            _ = try await service.tick { $0["cycle"] != nil }
            let metrics = try await Curl.request(service.url + "/metrics", headers: bearer)
            #expect(metrics.status == 200)
            for name in ["ballast_build_info", "ballast_tick_duration_seconds_bucket", "ballast_last_tick_success_timestamp_seconds",
                         "ballast_source_up{", "ballast_opportunities{token=\"USDC\"}", "ballast_balance{chain=\"chain00\",token=\"USDC\"}",
                         "ballast_target_deviation_ratio{", "ballast_actions_total{mode=\"dry_run\",status=\"dry_run\"}", "ballast_actions_pending"] {
                #expect(metrics.body.contains(name), "\(name) missing from\n\(metrics.body)")
            }
            let key = try #require(try await desk.actions().first?["idempotency_key"] as? String)
            #expect(!metrics.body.contains(key))
            #expect(await service.stop().status == 0)
        }
    }

    @Test func theSignerReportsDeliveryWithASignatureInsteadOfTheToken() async throws {
        try await Self.withDesk { desk in
            let service = try await desk.serve(["--live"])
            _ = try await service.tick { $0["cycle"] != nil }
            let key = try #require(try await desk.actions().first { $0["status"] as? String == "submitted" }?["idempotency_key"] as? String)
            let body = Data(#"{"idempotency_key": "\#(key)", "status": "confirmed", "received": "12.5"}"#.utf8)
            let stamp = Int(Date().timeIntervalSince1970)
            func signature(_ body: Data, _ secret: String) -> String {
                var message = Data("\(stamp).".utf8)
                message.append(body)
                return "sha256=" + HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
                    .map { String(format: "%02x", $0) }.joined()
            }
            let url = service.url + "/v1/actions/\(key)/status"
            let unsigned = try await Curl.request(url, method: "POST", body: body)
            #expect(unsigned.status == 401)
            let forged = try await Curl.request(url, method: "POST", headers: ["X-Ballast-Timestamp": "\(stamp)", "X-Ballast-Signature": signature(body, "not-the-secret-at-all")], body: body)
            #expect(forged.status == 401)
            let other = try await Curl.request(service.url + "/v1/actions/someone-else/status", method: "POST",
                                               headers: ["X-Ballast-Timestamp": "\(stamp)", "X-Ballast-Signature": signature(body, Self.secret)], body: body)
            #expect(other.status == 400, "a signed report names its key: it cannot be replayed for another action")
            let ahead = Data(#"{"idempotency_key": "\#(key)", "status": "confirmed", "received": "12.5", "delivered_at": "2099-01-01T00:00:00Z"}"#.utf8)
            let implausible = try await Curl.request(url, method: "POST", headers: ["X-Ballast-Timestamp": "\(stamp)", "X-Ballast-Signature": signature(ahead, Self.secret)], body: ahead)
            #expect(implausible.status == 400 && implausible.body.contains("after now"), "\(implausible.body)")
            #expect(!implausible.body.contains(desk.journal), "the journal's path is this machine's business")
            let baseUnits = Data(#"{"idempotency_key": "\#(key)", "status": "confirmed", "received": "12500000"}"#.utf8)
            let tooMuch = try await Curl.request(url, method: "POST", headers: ["X-Ballast-Timestamp": "\(stamp)", "X-Ballast-Signature": signature(baseUnits, Self.secret)], body: baseUnits)
            #expect(tooMuch.status == 400 && tooMuch.body.contains("base units"), "\(tooMuch.body)")
            // Another process holding the journal past its busy timeout: the signer is told to retry, not "internal error".
            var holding = Configuration()
            holding.busyMode = .timeout(30)
            holding.allowsUnsafeTransactions = true  // the lock is held across the request on purpose
            let holder = try DatabaseQueue(path: desk.journal, configuration: holding)
            try holder.inDatabase { try $0.execute(sql: "BEGIN EXCLUSIVE") }
            let busy = try await Curl.request(url, method: "POST", headers: ["X-Ballast-Timestamp": "\(stamp)", "X-Ballast-Signature": signature(body, Self.secret)], body: body)
            try holder.inDatabase { try $0.execute(sql: "COMMIT") }
            #expect(busy.status == 503 && busy.headers["retry-after"] == "1" && busy.body.contains("locked by another process"), "\(busy)")
            let signed = try await Curl.request(url, method: "POST", headers: ["X-Ballast-Timestamp": "\(stamp)", "X-Ballast-Signature": signature(body, Self.secret)], body: body)
            #expect(signed.status == 200, "\(signed.body)")
            #expect(signed.json?["status"] as? String == "confirmed")
            let shown = try await desk.ballast(["journal", "show", key])
            #expect(shown.stdout.contains("received 12.5"), "\(shown.stdout)")
            #expect(shown.stdout.contains("confirmed  signer"), "\(shown.stdout)")
            #expect(await service.stop().status == 0)
        }
    }

    @Test func opportunitiesOlderThanTheRetentionAreForgotten() async throws {
        try await Self.withDesk { desk in
            // Seen three days and one hour before the service starts.
            do {
                let journal = try SQLiteJournal(path: desk.journal, access: .readWrite)
                try journal.recordOpportunities([(3 * 86_400.0, "seeded-old"), (3_600, "seeded-recent")].map { ago, bridge in
                    SeenOpportunity(seenAt: Date().addingTimeInterval(-ago), token: "USDC", buyChain: "chain01", sellChain: "chain00",
                                    bridge: bridge, amount: Amount("1")!, profitUSD: 1, roiBps: 1)
                }, forgettingBefore: nil)
            }
            // USDC 3% dearer on chain00 than elsewhere: every tick sees an opportunity to record.
            desk.server.updateState { $0.prices[0][0] *= 1.03; $0.feedPrices[0][0] *= 1.03 }
            let service = try await desk.serve(["--keep-opportunities-days", "2"])
            _ = try await service.tick { Int($0["opportunities"] as? String ?? "") ?? 0 > 0 }
            let history = try await Curl.request(service.url + "/v1/opportunities/history?limit=1000", headers: bearer)
            let bridges = (history.json?["opportunities"] as? [[String: Any]] ?? []).compactMap { $0["bridge"] as? String }
            #expect(bridges.contains("seeded-recent") && !bridges.contains("seeded-old"), "\(history.body.prefix(2_000))")
            #expect(bridges.count > 1, "the tick's own are recorded")
            #expect(await service.stop().status == 0)
            let refused = try await CLIRunner.launch(["serve", "--chains", desk.chains, "--strategy", desk.strategy, "--keep-opportunities-days", "-1"])
            #expect(refused.status == 64 && refused.stderr.contains("--keep-opportunities-days"), "\(refused.stderr)")
        }
    }

    /// Idle clients cannot take the descriptors the service needs: past `--max-connections` a
    /// connection is closed as it arrives, and an idle one is closed after `--idle-timeout`.
    @Test func connectionsBeyondTheLimitAreClosedAndIdleOnesTimeOut() async throws {
        try await Self.withDesk { desk in
            // An idle timeout far beyond the test: only the limit can close a connection here.
            let limited = try await desk.serve(["--max-connections", "2", "--idle-timeout", "600"])
            let held = try (0..<3).map { _ in try RawConnection(to: limited.url) }
            // The one past the limit is closed at once, whichever it is; the other two stay open.
            let firstClosed = try #require(RawConnection.firstReadable(of: held, within: 20), "one connection is past the limit")
            #expect(held[firstClosed].closedByServer(within: 0))
            let admitted = held.indices.filter { $0 != firstClosed }.map { held[$0] }
            #expect(admitted.allSatisfy { !$0.readable(within: 0) }, "two connections are within the limit")
            #expect(try admitted[0].request("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") == "HTTP/1.1 200 OK")
            // Ticks go on: the limit is on the API's connections, not the service's own.
            _ = try await limited.tick()
            #expect(await limited.stop().status == 0)

            let timing = try await desk.serve(["--idle-timeout", "1"])
            #expect(try RawConnection(to: timing.url).closedByServer(within: 30), "an idle connection is closed after --idle-timeout")
            #expect(await timing.stop().status == 0)
        }
    }

    @Test func listeningBeyondLoopbackWithoutATokenIsRefused() async throws {
        try await Self.withDesk { desk in
            let run = try await CLIRunner.launch(["serve", "--chains", desk.chains, "--strategy", desk.strategy, "--journal", desk.journal,
                                                  "--listen", "0.0.0.0:0"], environment: ["BALLAST_API_TOKEN": ""])
            #expect(run.status == 65)
            #expect(run.stderr.contains("needs BALLAST_API_TOKEN"), "\(run.stderr)")
        }
    }
}

extension TestDesk {
    var environment: [String: String] { ["BALLAST_API_TOKEN": ServeCommandTests.token, TestDesk.secretVariable: ServeCommandTests.secret] }

    /// Ticks come every second: readiness allows three intervals, room for a loaded machine.
    func serve(_ extra: [String] = [], environment: [String: String]? = nil) async throws -> ServiceProcess {
        try await ServiceProcess.start(["--chains", chains, "--strategy", strategy, "--journal", journal, "--interval", "1",
                                        "--deadline", "3"] + extra, environment: environment ?? self.environment)
    }
}
