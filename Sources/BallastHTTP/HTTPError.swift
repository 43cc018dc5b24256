/// Why a transfer failed, naming the (redacted) URL it was for.
///
/// `code` is what operators, metrics and retry decisions go by; the other fields say more
/// where the code has more to say.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. A struct over a private enum, as swift-nio's `FileSystemError.Code`:
    /// a code can be added without breaking anyone's exhaustive switch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case timedOut = "timed_out", bodyTooLarge = "body_too_large", httpStatus = "http_status"
            case hostNotFound = "host_not_found", connectionRefused = "connection_refused"
            case connectionFailed = "connection_failed", truncatedBody = "truncated_body"
            case protocolRefused = "protocol_refused", tooManyRedirects = "too_many_redirects"
            case cancelled, transport
        }

        private var value: Value
        private init(_ value: Value) { self.value = value }

        /// The total or connect timeout ran out.
        public static let timedOut = Code(.timedOut)
        /// The body grew past the request's cap (`bodyLimit`).
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// A non-2xx `status`; `detail` is the body's first bytes.
        public static let httpStatus = Code(.httpStatus)
        /// The host name did not resolve (DNS, or no network at all).
        public static let hostNotFound = Code(.hostNotFound)
        /// Nothing accepted the connection (refused, or the network is unreachable).
        public static let connectionRefused = Code(.connectionRefused)
        /// The connection broke, or TLS failed; `detail` says how.
        public static let connectionFailed = Code(.connectionFailed)
        /// The body ended before its announced length.
        public static let truncatedBody = Code(.truncatedBody)
        /// The scheme (of the URL or of a redirect) is not allowed.
        public static let protocolRefused = Code(.protocolRefused)
        public static let tooManyRedirects = Code(.tooManyRedirects)
        public static let cancelled = Code(.cancelled)
        /// Any other failure; `detail` has libcurl's (or the OS's) own words.
        public static let transport = Code(.transport)

        /// Stable snake_case, fit for a metric label.
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var method: HTTPRequest.Method
    /// The URL without user info, query or secrets.
    public var url: String
    /// The status of a non-2xx answer.
    public var status: Int?
    /// The start of an error answer's body (one line, secrets masked), or what the
    /// connection layer said.
    public var detail: String
    /// A 429's or 503's `Retry-After`, in seconds.
    public var retryAfterSeconds: Int?
    /// The cap a too-large body went past, in bytes.
    public var bodyLimit: Int?

    public init(_ code: Code, method: HTTPRequest.Method, url: String, status: Int? = nil, detail: String = "",
                retryAfterSeconds: Int? = nil, bodyLimit: Int? = nil) {
        self.code = code
        self.method = method
        self.url = url
        self.status = status
        self.detail = detail
        self.retryAfterSeconds = retryAfterSeconds
        self.bodyLimit = bodyLimit
    }

    /// Worth trying again: timeouts, broken connections, 429 and 5xx.
    public var isRetryable: Bool {
        if code == .httpStatus, let status { return status == 429 || (500...599).contains(status) }
        return [.timedOut, .hostNotFound, .connectionRefused, .connectionFailed, .truncatedBody].contains(code)
    }

    public var description: String {
        let what = switch code {
        case .timedOut: "timed out"
        case .bodyTooLarge: "body larger than \(bodyLimit.map(String.init) ?? "the limit of") bytes"
        case .httpStatus: detail.isEmpty ? "HTTP \(status ?? 0)" : "HTTP \(status ?? 0): \(detail)"
        case .hostNotFound: "could not resolve the host"
        case .connectionRefused: "could not connect (refused or unreachable)"
        case .connectionFailed: "connection failed: \(detail)"
        case .truncatedBody: "body truncated"
        case .protocolRefused: "protocol refused"
        case .tooManyRedirects: "too many redirects"
        case .cancelled: "cancelled"
        default: detail
        }
        return "\(method.rawValue) \(url): \(what)"
    }
}
