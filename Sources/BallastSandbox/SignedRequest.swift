import BallastCore
import BallastExecution
import Foundation

/// A webhook request as a desk's receiver checks it (docs/execution.md): signed with the
/// shared secret over its timestamp and body, stamped within 300 s of the receiver's clock,
/// and carrying its idempotency key both in the header and in the body.
enum SignedRequest {
    static let maxSkewSeconds = 300.0

    /// The request's idempotency key when all of that checks out; nil otherwise.
    static func verifiedKey(_ request: LoopbackRequest, secret: WebhookSecret, now: Date) -> String? {
        let key = request.header("Idempotency-Key") ?? ""
        guard !key.isEmpty, let stamp = request.header("X-Ballast-Timestamp").flatMap({ Int($0) }),
              abs(now.timeIntervalSince1970 - Double(stamp)) <= maxSkewSeconds,
              let signature = request.header("X-Ballast-Signature"), secret.verifies(signature, timestamp: stamp, body: request.body),
              case .object(let object)? = try? DocumentParser.json(request.body, source: "the webhook body"),
              case .string(key)? = object["idempotency_key"] else { return nil }
        return key
    }
}
