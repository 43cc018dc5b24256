import BallastHTTP

/// Why one source gave nothing usable this tick, in words an operator can act on, with a code
/// that summaries and metrics group by.
public struct SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure: a small, stable set. A struct over a private enum, so new codes
    /// never break a caller's exhaustive switch.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case timedOut = "timed out", hostNotFound = "host not found", connectionRefused = "connection refused"
            case connectionFailed = "connection failed", httpStatus = "HTTP error", deadline = "out of time"
            case cancelled, invalidAnswer = "invalid answer", stale, unavailable = "not available"
        }

        private let value: Value

        /// The request ran out of its time.
        public static let timedOut = Code(value: .timedOut)
        /// The host name did not resolve.
        public static let hostNotFound = Code(value: .hostNotFound)
        /// Nothing accepted the connection.
        public static let connectionRefused = Code(value: .connectionRefused)
        /// The connection broke, or TLS failed.
        public static let connectionFailed = Code(value: .connectionFailed)
        /// The server answered with an error status.
        public static let httpStatus = Code(value: .httpStatus)
        /// The tick's deadline left no time to ask (again).
        public static let deadline = Code(value: .deadline)
        public static let cancelled = Code(value: .cancelled)
        /// The answer arrived and was wrong: malformed, out of range, a JSON-RPC error.
        public static let invalidAnswer = Code(value: .invalidAnswer)
        /// The answer was older than the source's limit.
        public static let stale = Code(value: .stale)
        /// Nothing to read it with this tick (no price to value it against, a partial set left out).
        public static let unavailable = Code(value: .unavailable)

        /// True for failures of reaching a source, as opposed to what it said.
        public var isNetwork: Bool { [.timedOut, .hostNotFound, .connectionRefused, .connectionFailed].contains(value) }

        public var description: String { value.rawValue }

        /// The code of a failed HTTP transfer.
        init(_ error: HTTPError) {
            value = switch error.code {
            case .timedOut: .timedOut
            case .hostNotFound: .hostNotFound
            case .connectionRefused: .connectionRefused
            case .connectionFailed, .truncatedBody, .transport: .connectionFailed
            case .httpStatus: .httpStatus
            case .cancelled: .cancelled
            default: .invalidAnswer  // too large, a refused scheme, redirects without end
            }
        }

        private init(value: Value) { self.value = value }
    }

    public var reason: String
    public var code: Code

    public init(_ reason: String, code: Code = .invalidAnswer) {
        self.reason = reason
        self.code = code
    }

    public var description: String { reason }
}
