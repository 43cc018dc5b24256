import BallastCore
import BallastStore
import Foundation
import Hummingbird

/// `POST /v1/actions/{key}/status`: the desk's signer reports a live action confirmed or failed.
///
/// Signed like the webhook (`X-Ballast-Timestamp`, `X-Ballast-Signature: sha256=HMAC(secret,
/// timestamp + "." + body)`), so the signer needs no API token. The body names the action's key
/// too, so a signed report cannot be replayed against another action, and the timestamp must be
/// within five minutes of the service's clock.
enum ActionStatusReport {
    static let maxSkewSeconds = SQLiteJournal.clockSkew

    static func handle(_ request: Request, key: String, loop: TickLoop) async throws -> Response {
        guard let secret = loop.webhookSecret else {
            throw APIFailure(.notFound, "status reports go to a service running --live with an execution webhook")
        }
        let body = Data(try await request.body.collect(upTo: APIRoutes.maxBodyBytes).readableBytesView)
        func header(_ name: String) -> String? { request.headers.first { $0.name.canonicalName == name }?.value }
        guard let stamp = header("x-ballast-timestamp").flatMap({ Int($0) }), let signature = header("x-ballast-signature") else {
            throw APIFailure(.unauthorized, "sign the report: X-Ballast-Timestamp and X-Ballast-Signature, as the webhook is signed")
        }
        let now = loop.time.date
        guard abs(now.timeIntervalSince1970 - Double(stamp)) <= maxSkewSeconds else {
            throw APIFailure(.unauthorized, "X-Ballast-Timestamp is more than \(Int(maxSkewSeconds)) s from the service's clock")
        }
        guard secret.verifies(signature, timestamp: stamp, body: body) else {
            throw APIFailure(.unauthorized, "the signature does not match the body and timestamp")
        }
        let report = try Report(body, key: key)
        guard let action = try loop.journal.action(key) else { throw APIFailure(.notFound, "no action with key \(key)") }
        // A signer that retries after a lost answer gets the same answer again.
        if action.status == report.status { return try JSONBody.response(["idempotency_key": key, "status": action.status.rawValue]) }
        let moved: JournalAction
        do {
            moved = try loop.journal.transition(key, to: report.status, by: "signer", note: report.note,
                                                update: report.status == .confirmed
                                                    ? ActionUpdate(received: report.received, deliveredAt: report.deliveredAt ?? now) : ActionUpdate(),
                                                at: now)
        } catch {
            // The reason without the journal's path: that is this machine's business.
            switch error.kind {
            case .invalidTransition: throw APIFailure(.conflict, error.detail)
            case .implausibleDelivery: throw APIFailure(.badRequest, error.detail)
            default: throw error
            }
        }
        return try JSONBody.response(["idempotency_key": key, "status": moved.status.rawValue])
    }

    /// The report's body: `{"idempotency_key", "status": "confirmed"|"failed", "received", "delivered_at", "note"}`.
    struct Report {
        var status: ActionStatus
        var received: Amount?
        var deliveredAt: Date?
        var note: String?

        init(_ data: Data, key: String) throws {
            let body = try RequestBody(data, known: ["idempotency_key", "status", "received", "delivered_at", "note"],
                                       what: #"{"idempotency_key": "...", "status": "confirmed", "received": "1.5"}"#)
            let fields = body.fields
            guard case .string(key)? = fields["idempotency_key"] else {
                throw APIFailure(.badRequest, "idempotency_key must repeat the key in the path")
            }
            switch fields["status"] {
            case .string("confirmed")?: status = .confirmed
            case .string("failed")?: status = .failed
            default: throw APIFailure(.badRequest, "status must be confirmed or failed")
            }
            switch fields["received"] {
            case nil, .null?:
                if status == .confirmed { throw APIFailure(.badRequest, "confirmed needs received: what arrived, as a decimal string in token units") }
            case .string(let text)?:
                guard status == .confirmed, let amount = Amount(text), !amount.isNegative else {
                    throw APIFailure(.badRequest, "received goes with confirmed and must be a non-negative decimal string")
                }
                received = amount
            default: throw APIFailure(.badRequest, "received must be a decimal string, such as \"49.97\"")
            }
            switch fields["delivered_at"] {
            case nil, .null?: break
            case .string(let text)?:
                guard status == .confirmed, let date = Timestamp.parse(text) else {
                    throw APIFailure(.badRequest, "delivered_at goes with confirmed and must be an RFC 3339 time")
                }
                deliveredAt = date
            default: throw APIFailure(.badRequest, "delivered_at must be an RFC 3339 time")
            }
            note = try body.text("note")
        }
    }
}
