import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request as the server saw it.
public struct LoopbackRequest: Sendable {
    public var method: String
    /// Path and query, as sent.
    public var uri: String
    public var headers: [(String, String)]
    public var body: Data

    public var path: String { String(uri.prefix { $0 != "?" }) }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// What the server does with a request; some replies misbehave on purpose (fault injection).
public enum LoopbackReply: Sendable {
    case respond(status: Int, headers: [(String, String)], body: Data)
    /// Reads the request and never answers.
    case never
    /// A chunked body that never ends.
    case streamForever
    /// Announces `declaredLength` bytes, sends `body` (shorter), then closes.
    case truncated(declaredLength: Int, body: Data)
    /// Closes the connection without a word.
    case close
    indirect case delayed(milliseconds: Int64, LoopbackReply)

    public static func text(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> LoopbackReply {
        .respond(status: status, headers: headers, body: Data(body.utf8))
    }

    public static func json(_ body: String, status: Int = 200) -> LoopbackReply {
        .respond(status: status, headers: [("Content-Type", "application/json")], body: Data(body.utf8))
    }

    public static func redirect(to location: String) -> LoopbackReply {
        .respond(status: 302, headers: [("Location", location)], body: Data())
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 and an ephemeral port: for tests that need the wire,
/// and for the simulated market.
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (LoopbackRequest) -> LoopbackReply

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    public let port: Int

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `keepsRequests`: whether `requests` lists every request. Counts and arrivals work either
    /// way; a long-running server (a benchmark's market) keeps none, so its memory stays flat.
    /// `port` 0 picks a free one.
    public init(threads: Int = 1, keepsRequests: Bool = true, port: Int = 0, handler: @escaping Handler) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.group = group
        let recorder = RequestRecorder(keepsRequests: keepsRequests)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                recorder.connected()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(LoopbackHandler(handler: handler, recorder: recorder))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        self.port = channel.localAddress?.port ?? 0
        self.recorder = recorder
    }

    private let recorder: RequestRecorder

    /// How many requests reached `path` so far.
    public func hitCount(_ path: String) -> Int { recorder.count(path) }

    /// Returns once `count` requests for `path` have arrived (at once if they already have): a
    /// test's signal that a request is in the server's hands, instead of a sleep. The answer is
    /// when the latest of them arrived, for deadlines that must not count from whenever the
    /// waiting task happens to run next.
    @discardableResult
    public func arrival(at path: String, count: Int = 1) async -> ContinuousClock.Instant {
        await recorder.arrival(at: path, count: count)
    }

    /// Requests seen so far, oldest first (none unless the server keeps them).
    public var requests: [LoopbackRequest] { recorder.all }

    /// Connections accepted so far.
    public var connections: Int { recorder.connections }

    public func shutdown() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

/// Counts and keeps what the server received, and wakes whoever waits for a path.
final class RequestRecorder: Sendable {
    private struct State {
        var requests: [LoopbackRequest] = []
        var counts: [String: Int] = [:]
        var latest: [String: ContinuousClock.Instant] = [:]
        var waiters: [(path: String, count: Int, continuation: CheckedContinuation<ContinuousClock.Instant, Never>)] = []
    }

    private let state = Mutex(State())
    private let accepted = Mutex(0)
    private let keepsRequests: Bool

    init(keepsRequests: Bool) { self.keepsRequests = keepsRequests }

    func record(_ request: LoopbackRequest) {
        let now = ContinuousClock.now
        let woken = state.withLock { s in
            if keepsRequests { s.requests.append(request) }
            s.counts[request.path, default: 0] += 1
            s.latest[request.path] = now
            let arrived = s.counts[request.path]!
            let woken = s.waiters.filter { $0.path == request.path && $0.count <= arrived }
            s.waiters.removeAll { $0.path == request.path && $0.count <= arrived }
            return woken
        }
        for waiter in woken { waiter.continuation.resume(returning: now) }
    }

    func arrival(at path: String, count: Int) async -> ContinuousClock.Instant {
        await withCheckedContinuation { continuation in
            let arrived = state.withLock { s -> ContinuousClock.Instant? in
                if s.counts[path, default: 0] >= count { return s.latest[path] ?? .now }
                s.waiters.append((path, count, continuation))
                return nil
            }
            if let arrived { continuation.resume(returning: arrived) }
        }
    }

    func count(_ path: String) -> Int { state.withLock { $0.counts[path, default: 0] } }
    var all: [LoopbackRequest] { state.withLock { $0.requests } }
    func connected() { accepted.withLock { $0 += 1 } }
    var connections: Int { accepted.withLock { $0 } }
}

private final class LoopbackHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: LoopbackServer.Handler
    private let recorder: RequestRecorder
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(handler: @escaping LoopbackServer.Handler, recorder: RequestRecorder) {
        self.handler = handler
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            let request = LoopbackRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) },
                body: Data(body.readableBytesView))
            recorder.record(request)
            perform(handler(request), keepAlive: head.isKeepAlive, context: context)
        }
    }

    private func perform(_ reply: LoopbackReply, keepAlive: Bool, context: ChannelHandlerContext) {
        switch reply {
        case .respond(let status, let headers, let data):
            var fields = HTTPHeaders(headers)
            fields.replaceOrAdd(name: "Content-Length", value: String(data.count))
            if !keepAlive { fields.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: fields)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: data)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        case .never:
            break
        case .close:
            context.close(promise: nil)
        case .truncated(let declared, let data):
            let fields = HTTPHeaders([("Content-Length", String(declared))])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: fields))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: data)))))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .streamForever:
            let fields = HTTPHeaders([("Transfer-Encoding", "chunked")])
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: fields))), promise: nil)
            streamChunk(context: context)
        case .delayed(let milliseconds, let inner):
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(milliseconds)) {
                self.perform(inner, keepAlive: keepAlive, context: context)
            }
        }
    }

    private func streamChunk(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk)))).assumeIsolated().whenSuccess {
            self.streamChunk(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
