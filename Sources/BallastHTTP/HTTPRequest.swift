import Foundation

/// One HTTP header, in the order it was given or received.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The first header of that name, compared without regard to case.
    public func value(named name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// What to fetch, and the limits every transfer carries.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data?
    /// Time allowed for the transfer once it runs (it may first wait its turn for a connection).
    public var timeout: Duration
    public var connectTimeout: Duration
    /// The largest body accepted, counted after decompression.
    public var maxBodyBytes: Int
    public var maxRedirects: Int
    /// `file://` is refused unless the caller names a file source on purpose.
    public var allowsFileScheme: Bool
    /// Values (API keys, tokens) to mask wherever the URL is named in an error.
    public var secrets: [String]
    /// The latest moment the transfer may still run, waiting for a connection included: past
    /// it, a waiting transfer fails as timed out without being sent, and a running one is cut
    /// short. Nil for no bound beyond `timeout`.
    public var notAfter: ContinuousClock.Instant?
    /// A PEM file of certificate authorities to trust instead of the system's, for an
    /// endpoint behind a private CA. Verification stays on either way.
    public var caFile: String?

    public init(
        method: Method = .get,
        url: String,
        headers: [HTTPHeader] = [],
        body: Data? = nil,
        timeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(3),
        maxBodyBytes: Int = 8 << 20,
        maxRedirects: Int = 3,
        allowsFileScheme: Bool = false,
        secrets: [String] = [],
        notAfter: ContinuousClock.Instant? = nil,
        caFile: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = maxRedirects
        self.allowsFileScheme = allowsFileScheme
        self.secrets = secrets
        self.notAfter = notAfter
        self.caFile = caFile
    }

    /// A POST of a JSON body with the matching content type.
    public static func postJSON(url: String, body: Data, headers: [HTTPHeader] = []) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: url,
            headers: [HTTPHeader("Content-Type", "application/json")] + headers,
            body: body)
    }

    /// The URL as it may appear in an error or a log: no user info, no query, no secrets.
    public var redactedURL: String {
        Redaction.url(url, secrets: secrets)
    }
}
