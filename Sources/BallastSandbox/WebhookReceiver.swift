import BallastCore
import BallastExecution
import Foundation
import Synchronization

/// A desk's signer as Ballast's live mode sees it, on 127.0.0.1: it verifies each request's
/// signature, timestamp and idempotency key the way docs/execution.md asks a receiver to, and
/// answers as a careful receiver would (200 with a reference, 409 for a key it already has, 422
/// for a key reused with another body, 401 for a bad signature). Tests can make it fail or hang.
public final class WebhookReceiver: Sendable {
    /// How it answers the next requests.
    public enum Behaviour: Sendable, Equatable {
        case accept
        /// Answers this status without recording the request.
        case status(Int)
        /// Records the request (so its key is known) and never answers.
        case acceptAndHang
        /// Never answers and records nothing.
        case hang
    }

    /// One request as received.
    public struct Arrival: Sendable {
        public var key: String
        public var body: Data
        public var timestamp: String
        public var signatureValid: Bool
        /// What it answered (0 for no answer).
        public var status: Int
    }

    private struct State {
        var behaviour: Behaviour
        var accepted: [String: Data] = [:]
        var arrivals: [Arrival] = []
    }

    /// The mutex in a class, so the server's handler and this object share it.
    private final class Book: Sendable {
        let state: Mutex<State>
        init(_ behaviour: Behaviour) { state = Mutex(State(behaviour: behaviour)) }
    }

    private let book: Book
    private let server: LoopbackServer
    private let signal: AsyncStream<Arrival>.Continuation
    /// Each request as it arrives: for tests that must act while one is in flight.
    public let arrivalStream: AsyncStream<Arrival>

    public var url: String { server.baseURL + "/transfers" }

    public init(secret: String, behaviour: Behaviour = .accept) async throws {
        let book = Book(behaviour)
        let (stream, continuation) = AsyncStream<Arrival>.makeStream()
        let secret = try WebhookSecret(secret, from: "the receiver's secret")
        server = try await LoopbackServer { request in
            Self.answer(request, secret: secret, book: book, signal: continuation)
        }
        self.book = book
        signal = continuation
        arrivalStream = stream
    }

    public func setBehaviour(_ behaviour: Behaviour) { book.state.withLock { $0.behaviour = behaviour } }

    /// Every request received so far, oldest first.
    public var arrivals: [Arrival] { book.state.withLock { $0.arrivals } }

    /// Keys it accepted, with the body of each.
    public var accepted: [String: Data] { book.state.withLock { $0.accepted } }

    public func shutdown() async throws {
        signal.finish()
        try await server.shutdown()
    }

    private static func answer(_ request: LoopbackRequest, secret: WebhookSecret, book: Book,
                               signal: AsyncStream<Arrival>.Continuation) -> LoopbackReply {
        let idempotencyKey = request.header("Idempotency-Key") ?? ""
        let timestamp = request.header("X-Ballast-Timestamp") ?? ""
        let valid = SignedRequest.verifiedKey(request, secret: secret, now: Date()) != nil

        let (reply, status): (LoopbackReply, Int) = book.state.withLock { s in
            let result: (LoopbackReply, Int)
            switch s.behaviour {
            case _ where !valid: result = (.json(#"{"error": "bad signature, timestamp or key"}"#, status: 401), 401)
            case .status(let code): result = (.json(#"{"error": "simulated"}"#, status: code), code)
            case .hang: result = (.never, 0)
            case .accept, .acceptAndHang:
                if let known = s.accepted[idempotencyKey] {
                    result = known == request.body
                        ? (.json(#"{"error": "already accepted"}"#, status: 409), 409)
                        : (.json(#"{"error": "key reused with a different body"}"#, status: 422), 422)
                } else {
                    s.accepted[idempotencyKey] = request.body
                    result = s.behaviour == .acceptAndHang ? (.never, 0) : (.json(#"{"reference": "desk-\#(s.accepted.count)"}"#), 200)
                }
            }
            s.arrivals.append(Arrival(key: idempotencyKey, body: request.body, timestamp: timestamp, signatureValid: valid, status: result.1))
            return result
        }
        signal.yield(Arrival(key: idempotencyKey, body: request.body, timestamp: timestamp, signatureValid: valid, status: status))
        return reply
    }
}
