import BallastCore
import BallastHTTP
import Foundation

/// Submits actions as signed POSTs to the desk's webhook, over the libcurl client.
///
/// Each attempt carries a fresh `X-Ballast-Timestamp` and its signature over that timestamp and
/// the frozen body; redirects are off, so a body is only ever signed for the URL configured.
/// Retryable failures (408, 429, 5xx, timeouts, broken connections) are tried again with the
/// same key and body until `timeout_seconds × 3` has passed on `time` (each attempt itself is
/// timed by libcurl on the machine's clock).
public struct WebhookSubmitter: TransferSubmitter {
    let settings: WebhookSettings
    let secret: WebhookSecret
    let client: HTTPClient
    let time: any TimeSource

    public init(settings: WebhookSettings, secret: WebhookSecret, client: HTTPClient, time: any TimeSource = SystemTime()) {
        self.settings = settings
        self.secret = secret
        self.client = client
        self.time = time
    }

    public func submit(key: String, body: Data) async -> SubmissionOutcome {
        let budget = time.elapsed + .seconds(settings.timeoutSeconds * 3)
        var backoff = Duration.milliseconds(250)
        var lastFailure = "not attempted"
        while true {
            let remaining = budget - time.elapsed
            guard remaining > .zero else { return .unreachable(lastFailure) }
            guard !Task.isCancelled else { return .unreachable("stopping: not sent again") }
            // An attempt under way when the caller is cancelled (the service stopping) runs to its
            // end: the receiver's answer is then recorded instead of lost. None starts after.
            let timeout = min(remaining, .seconds(settings.timeoutSeconds))
            switch await Task(operation: { await attempt(key: key, body: body, timeout: timeout) }).value {
            case .done(let outcome): return outcome
            case .retry(let failure, let retryAfter):
                lastFailure = failure
                let wait = retryAfter.map { Duration.seconds($0) } ?? backoff
                guard time.elapsed + wait < budget else { return .unreachable(lastFailure) }
                do { try await time.sleep(for: wait) } catch { return .unreachable("cancelled") }
                backoff = min(backoff * 2, .seconds(2))
            }
        }
    }

    private enum Attempt {
        case done(SubmissionOutcome)
        case retry(String, retryAfter: Int?)
    }

    private func attempt(key: String, body: Data, timeout: Duration) async -> Attempt {
        let timestamp = Int(time.date.timeIntervalSince1970)
        var request = HTTPRequest.postJSON(url: settings.url, body: body, headers: [
            HTTPHeader("Idempotency-Key", key),
            HTTPHeader("X-Ballast-Timestamp", String(timestamp)),
            HTTPHeader("X-Ballast-Signature", secret.signature(timestamp: timestamp, body: body)),
        ])
        request.timeout = timeout
        request.connectTimeout = min(timeout, .seconds(5))
        request.maxRedirects = 0
        request.maxBodyBytes = 64 << 10
        do {
            let response = try await client.send(request)
            return .done(.accepted(reference: Self.reference(in: response.body)))
        } catch {
            switch (error.code, error.status) {
            case (.httpStatus, 409): return .done(.alreadyAccepted)
            case (.httpStatus, 422): return .done(.keyReused(error.detail))
            case (.httpStatus, 408): return .retry(error.description, retryAfter: nil)
            case (.httpStatus, let code?) where code == 429 || code >= 500:
                return .retry(error.detail.isEmpty ? "HTTP \(code)" : "HTTP \(code): \(error.detail)", retryAfter: error.retryAfterSeconds)
            case (.httpStatus, let code): return .done(.refused(status: code ?? 0, reason: error.detail))
            case (.tooManyRedirects, _): return .done(.refused(status: 0, reason: "the receiver redirected; Ballast never follows a redirect with a signed transfer"))
            case (.cancelled, _): return .done(.unreachable(error.description))
            case (.protocolRefused, _): return .done(.refused(status: 0, reason: error.description))
            // The answer was lost or unreadable, not refused (a timeout, a broken connection, a
            // truncated or oversized answer): the receiver may hold the action, so the same bytes
            // go again, and a receiver that has it answers 409.
            default: return .retry(error.description, retryAfter: nil)
            }
        }
    }

    /// `reference` from a JSON answer, if the receiver gave one; anything else is ignored. It is
    /// stored and printed, so control and bidi characters are dropped from it.
    static func reference(in body: Data) -> String? {
        guard case .object(let object)? = try? DocumentParser.json(body, source: "the receiver's answer"),
              case .string(let text)? = object["reference"], text.count <= 256
        else { return nil }
        let reference = DocumentValue.printable(text)
        return reference.isEmpty ? nil : reference
    }
}
