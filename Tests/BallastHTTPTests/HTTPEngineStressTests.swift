@testable import BallastHTTP
import CCurl
import BallastSandbox
import Foundation
import Synchronization
import Testing

/// Many transfers, cancelled at random before, during and after they complete: every caller
/// is resumed exactly once, no transfer is lost to another's cancellation, and shutdown joins.
@Suite struct HTTPEngineStressTests {
    @Test func tenThousandRequestsWithRandomCancellationsThenShutdown() async throws {
        let server = try await LoopbackServer(threads: 2) { request in
            // Some answer at once, some after a moment: cancellations land in every phase.
            request.uri.hasSuffix("0") ? .delayed(milliseconds: 2, .text("ok")) : .text("ok")
        }
        let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 64))
        let outcomes = Mutex<[String: Int]>([:])
        var generator = SystemRandomNumberGenerator()
        let plan = (0..<10_000).map { _ in Int.random(in: 0..<4, using: &generator) }
        await withTaskGroup(of: String.self) { group in
            for (i, when) in plan.enumerated() {
                group.addTask {
                    // A generous timeout: under a sanitizer the same work runs many times slower.
                    let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/r\(i)", timeout: .seconds(300))) }
                    switch when {
                    case 0: task.cancel()  // before it is sent, or as it is
                    case 1: await Task.yield(); task.cancel()  // while it runs, most likely
                    case 2: _ = await task.result; task.cancel()  // after it completed: must be a no-op
                    default: break
                    }
                    switch await task.result {
                    case .success(let response): return response.status == 200 && response.body == Data("ok".utf8) ? "ok" : "wrong body"
                    case .failure(let error as HTTPError) where error.code == .cancelled: return "cancelled"
                    case .failure(let error): return "failed: \(error)"
                    }
                }
            }
            for await outcome in group { outcomes.withLock { $0[outcome, default: 0] += 1 } }
        }
        let counts = outcomes.withLock { $0 }
        #expect(counts.values.reduce(0, +) == 10_000, "every caller resumed: \(counts)")
        #expect(Set(counts.keys).isSubset(of: ["ok", "cancelled"]), "\(counts)")
        // Transfers never cancelled, or cancelled only after completing, all succeeded.
        #expect(counts["ok", default: 0] >= plan.filter { $0 >= 2 }.count)
        // Still usable, then shut down: later requests fail as cancelled instead of hanging.
        #expect(try await client.get(server.baseURL + "/after").status == 200)
        await client.shutdown()
        await client.shutdown()  // twice is fine
        await #expect(throws: HTTPError.self) { try await client.get(server.baseURL + "/late") }
        try await server.shutdown()
    }

    @Test func shutdownResumesTransfersInFlight() async throws {
        let (arrivals, arrived) = AsyncStream<Void>.makeStream()
        let server = try await LoopbackServer { _ in
            arrived.yield()
            return .never
        }
        let client = HTTPClient()
        let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/never", timeout: .seconds(60))) }
        var iterator = arrivals.makeAsyncIterator()
        _ = await iterator.next()  // the request is at the server
        await client.shutdown()
        guard case .failure(let error as HTTPError) = await task.result else {
            Issue.record("a transfer in flight at shutdown must fail as cancelled")
            return
        }
        #expect(error.code == .cancelled)
        try await server.shutdown()
    }
}

/// A cancellation that reaches the engine after its transfer completed must touch nothing,
/// even when a newer transfer got the freed easy handle's address.
@Suite struct LateCancellationTests {
    func perform(_ transfer: CurlTransfer, on engine: CurlEngine) async -> Result<HTTPResponse, any Error> {
        do {
            return .success(try await withCheckedThrowingContinuation { continuation in
                transfer.attach(continuation)
                engine.submit(transfer)
            })
        } catch {
            return .failure(error)
        }
    }

    @Test func aLateCancellationLeavesTheNextTransferAlone() async throws {
        let (arrivals, arrived) = AsyncStream<String>.makeStream()
        let server = try await LoopbackServer { request in
            arrived.yield(request.path)
            return request.path == "/ok" ? .text("ok") : .never
        }
        let engine = CurlEngine(maxConnectionsPerHost: 8, maxTotalConnections: 8, maxStreamsPerConnection: 1)
        let first = try CurlTransfer(request: HTTPRequest(url: server.baseURL + "/ok"))
        _ = try await perform(first, on: engine).get()
        let second = try CurlTransfer(request: HTTPRequest(url: server.baseURL + "/never", timeout: .milliseconds(300)))
        let waiting = Task { await perform(second, on: engine) }
        var iterator = arrivals.makeAsyncIterator()
        while await iterator.next() != "/never" {}
        engine.cancel(first)
        guard case .failure(let error as HTTPError) = await waiting.value else {
            Issue.record("the second transfer must time out on its own")
            return
        }
        #expect(error.code == .timedOut)
        await engine.shutdown()
        try await server.shutdown()
    }

    @Test func releasingTwiceFreesOnce() throws {
        // glibc aborts on a double free: a second release must not reach curl_easy_cleanup.
        let transfer = try CurlTransfer(request: HTTPRequest(url: "http://127.0.0.1:9/"))
        transfer.fail(.cancelled)
        transfer.fail(.cancelled)
        transfer.finish(CURLE_OK)
    }
}
