/// Why a transfer failed, naming the (redacted) URL it was for.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The total or connect timeout ran out.
        case timeout
        /// The body grew past the request's cap.
        case bodyTooLarge(limit: Int)
        /// A non-2xx status; the body's first bytes help say why.
        case status(code: Int, bodyPrefix: String, retryAfterSeconds: Int?)
        /// The host name did not resolve (DNS, or no network at all).
        case hostNotFound
        /// Nothing accepted the connection (refused, or the network is unreachable).
        case connectionRefused
        /// The connection broke, or TLS failed.
        case connectionFailed(String)
        /// The body ended before its announced length.
        case truncatedBody
        /// The scheme (of the URL or of a redirect) is not allowed.
        case protocolRefused
        case tooManyRedirects
        case cancelled
        /// Any other libcurl failure, with libcurl's own words.
        case transport(code: Int, message: String)
    }

    public var kind: Kind
    public var method: HTTPRequest.Method
    /// The URL without user info, query or secrets.
    public var url: String

    public init(kind: Kind, method: HTTPRequest.Method, url: String) {
        self.kind = kind
        self.method = method
        self.url = url
    }

    /// Worth trying again: timeouts, broken connections, 429 and 5xx.
    public var isRetryable: Bool {
        switch kind {
        case .timeout, .hostNotFound, .connectionRefused, .connectionFailed, .truncatedBody: true
        case .status(let code, _, _): code == 429 || (500...599).contains(code)
        case .bodyTooLarge, .protocolRefused, .tooManyRedirects, .cancelled, .transport: false
        }
    }

    public var description: String {
        let what: String
        switch kind {
        case .timeout: what = "timed out"
        case .bodyTooLarge(let limit): what = "body larger than \(limit) bytes"
        case .status(let code, let prefix, _):
            what = prefix.isEmpty ? "HTTP \(code)" : "HTTP \(code): \(prefix)"
        case .hostNotFound: what = "could not resolve the host"
        case .connectionRefused: what = "could not connect (refused or unreachable)"
        case .connectionFailed(let detail): what = "connection failed: \(detail)"
        case .truncatedBody: what = "body truncated"
        case .protocolRefused: what = "protocol refused"
        case .tooManyRedirects: what = "too many redirects"
        case .cancelled: what = "cancelled"
        case .transport(let code, let message): what = "libcurl error \(code): \(message)"
        }
        return "\(method.rawValue) \(url): \(what)"
    }
}
