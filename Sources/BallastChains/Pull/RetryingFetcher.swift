import Foundation
import BallastCore
import BallastHTTP

/// Sends requests through the libcurl client, retrying what is worth retrying (timeouts,
/// broken connections, 429, 5xx) with exponential backoff and jitter, honouring
/// `Retry-After`, and never waiting past the tick's deadline.
///
/// Deadlines and backoff run on `time`. A transfer itself runs on the machine's clock (libcurl
/// times it), limited to what `time` says is left of the tick.
struct RetryingFetcher: Sendable {
    let client: HTTPClient
    let settings: PullSettings
    let time: any TimeSource

    /// A request carrying the tick's limits; `timeoutSeconds` overrides the default for one source.
    func request(_ url: String, method: HTTPRequest.Method = .get, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
                 endpoint: Endpoint, extraSecrets: [String] = [], timeoutSeconds: Double? = nil) -> HTTPRequest {
        let timeout = timeoutSeconds.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) } ?? settings.requestTimeout
        return HTTPRequest(method: method, url: url, headers: headers, body: body.map { Data($0) },
                    timeout: timeout, connectTimeout: min(settings.connectTimeout, timeout),
                    maxBodyBytes: settings.maxBodyBytes, allowsFileScheme: endpoint.isFile,
                    secrets: endpoint.secrets + extraSecrets)
    }

    /// `deadline` is on `time`'s `elapsed` scale.
    func send(_ base: HTTPRequest, deadline: Duration) async -> Result<HTTPResponse, SourceError> {
        var generator = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
        var attempt = 0
        while true {
            attempt += 1
            let remaining = deadline - time.elapsed
            guard remaining > .milliseconds(20) else {
                return .failure(SourceError("\(base.method.rawValue) \(base.redactedURL): no time left before the tick's deadline", code: .deadline))
            }
            var request = base
            request.notAfter = .now + remaining
            let error: HTTPError
            do {
                return .success(try await client.send(request))
            } catch let failure {
                error = failure
            }
            let tries = attempt == 1 ? "" : " (after \(attempt) attempts)"
            guard error.isRetryable, attempt < settings.maxAttempts else {
                return .failure(SourceError("\(error)\(tries)", code: SourceError.Code(error)))
            }
            // Equal jitter: half the backoff fixed, half random, so retries from many sources spread out.
            let backoff = settings.backoffBase * Double(1 << (attempt - 1))
            var delay = backoff * (0.5 + 0.5 * Double(generator.next() >> 11) / Double(1 << 53))
            if let retryAfter = error.retryAfterSeconds {
                delay = max(delay, .seconds(retryAfter))
            }
            guard time.elapsed + delay < deadline else {
                return .failure(SourceError("\(error)\(tries); retrying in \(Self.seconds(delay)) would pass the tick's deadline",
                                            code: SourceError.Code(error)))
            }
            do {
                try await time.sleep(for: delay)
            } catch {
                return .failure(SourceError("\(base.method.rawValue) \(base.redactedURL): cancelled", code: .cancelled))
            }
        }
    }

    private static func seconds(_ d: Duration) -> String {
        let s = d / .seconds(1)
        return s >= 1 ? "\(Int(s.rounded())) s" : "\(Int((s * 1000).rounded())) ms"
    }
}
