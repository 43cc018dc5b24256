import Foundation

/// An HTTP client on libcurl: one multi handle on its own thread, many transfers in
/// flight at once over reused connections, each bounded in time and size.
///
/// Non-2xx answers are thrown as `HTTPError` with code `.httpStatus`; cancelling the calling task
/// removes its transfer from libcurl.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Connections open at once to one host; more transfers wait their turn, or share a
        /// connection where the host speaks HTTP/2.
        public var maxConnectionsPerHost: Int
        public var maxTotalConnections: Int
        /// Transfers one HTTP/2 connection carries at once (the server may allow fewer).
        public var maxStreamsPerConnection: Int

        public init(maxConnectionsPerHost: Int = 32, maxTotalConnections: Int = 256, maxStreamsPerConnection: Int = 100) {
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxTotalConnections = maxTotalConnections
            self.maxStreamsPerConnection = maxStreamsPerConnection
        }
    }

    private let engine: CurlEngine

    public init(configuration: Configuration = Configuration()) {
        engine = CurlEngine(
            maxConnectionsPerHost: configuration.maxConnectionsPerHost,
            maxTotalConnections: configuration.maxTotalConnections,
            maxStreamsPerConnection: configuration.maxStreamsPerConnection)
    }

    deinit {
        engine.stop()
    }

    /// Fails whatever is queued or running (as cancelled), then returns once the engine's
    /// thread has ended and every caller has been resumed. Later requests fail as cancelled.
    public func shutdown() async {
        await engine.shutdown()
    }

    /// Performs the request; returns a 2xx response or throws `HTTPError`.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let transfer = try CurlTransfer(request: request)
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    transfer.attach(continuation)
                    engine.submit(transfer)
                }
            } onCancel: {
                engine.cancel(transfer)
            }
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.transport, method: request.method, url: request.redactedURL, detail: "\(error)")
        }
    }

    /// Shorthand for a GET with headers.
    public func get(_ url: String, headers: [HTTPHeader] = []) async throws(HTTPError) -> HTTPResponse {
        try await send(HTTPRequest(url: url, headers: headers))
    }
}
