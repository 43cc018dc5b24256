import BallastCore
import Crypto
import Foundation

/// Ballast's webhook signature as a receiver checks it, and as a signer signs its status
/// reports: `X-Ballast-Signature: sha256=HMAC-SHA256(secret, timestamp + "." + body)`.
public struct WebhookSignature: Sendable {
    private let secret: [UInt8]

    public init(secret: String) { self.secret = Array(secret.utf8) }

    public func sign(timestamp: String, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return "sha256=" + HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }.joined()
    }

    /// The request's idempotency key when its signature, timestamp (within 300 s of `now`) and
    /// key (the header's, repeated in the body) all check out; nil otherwise.
    public func verifiedKey(_ request: LoopbackRequest, now: Date) -> String? {
        let key = request.header("Idempotency-Key") ?? ""
        let timestamp = request.header("X-Ballast-Timestamp") ?? ""
        let fresh = Double(timestamp).map { abs(now.timeIntervalSince1970 - $0) <= 300 } ?? false
        let parsed = try? DocumentParser.json(request.body, source: "the webhook body")
        let bodyKey: String? = if case .object(let object)? = parsed, case .string(let key)? = object["idempotency_key"] { key } else { nil }
        let signed = request.header("X-Ballast-Signature").map { ConstantTimeText.equal($0, sign(timestamp: timestamp, body: request.body)) } ?? false
        return signed && fresh && bodyKey == key && !key.isEmpty ? key : nil
    }
}

/// Compares two strings in time that depends only on their lengths.
enum ConstantTimeText {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
