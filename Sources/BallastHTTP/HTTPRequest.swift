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

    /// Which HTTP to speak.
    public enum Version: Sendable {
        /// HTTP/2 where TLS negotiates it (ALPN), else HTTP/1.1: right for any real endpoint.
        case automatic
        /// HTTP/2 from the first byte over plain http (h2c), for local relays that speak it.
        case http2PriorKnowledge
    }

    public var method: Method
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data?
    /// Total time allowed for the transfer, from submission to the last byte.
    public var timeout: Duration
    public var connectTimeout: Duration
    /// The largest body accepted, counted after decompression.
    public var maxBodyBytes: Int
    public var maxRedirects: Int
    /// `file://` is refused unless the caller names a file source on purpose.
    public var allowsFileScheme: Bool
    /// Values (API keys, tokens) to mask wherever the URL is named in an error.
    public var secrets: [String]
    public var version: Version

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
        version: Version = .automatic
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
        self.version = version
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
