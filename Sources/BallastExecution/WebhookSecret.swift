import BallastCore
import Crypto
import Foundation

/// The key that signs webhook requests, read from the environment or a file at start.
///
/// It has no description and no way to print it: nothing that logs a value can leak it.
public struct WebhookSecret: Sendable {
    /// Raw bytes: `SymmetricKey` is not `Sendable`, so a key is made for each signature.
    private let bytes: [UInt8]

    /// Secrets shorter than this are refused: HMAC is only as strong as its key.
    static let minimumBytes = 16

    public init(_ reference: SecretReference, environment: [String: String]) throws(ExecutionSetupError) {
        let raw: String
        switch reference {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw ExecutionSetupError("execution.webhook.secret: the environment variable \(name) is not set")
            }
            raw = value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ExecutionSetupError("execution.webhook.secret_file: cannot read \(path)")
            }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            raw = text
        }
        try self.init(raw, from: "execution.webhook: the secret from \(reference)")
    }

    /// A secret already in hand (the sandbox's custody simulator, which verifies what Ballast
    /// signs); `from` names where it came from in the error, never its value.
    public init(_ raw: String, from: String) throws(ExecutionSetupError) {
        guard raw.utf8.count >= Self.minimumBytes else {
            throw ExecutionSetupError("\(from) is shorter than \(Self.minimumBytes) bytes")
        }
        bytes = Array(raw.utf8)
    }

    /// `sha256=` and the lowercase hex HMAC-SHA256 of `timestamp + "." + body`.
    public func signature(timestamp: Int, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: bytes))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// True when `signature` is this key's over the timestamp and body (compared in constant time).
    public func verifies(_ signature: String, timestamp: Int, body: Data) -> Bool {
        ConstantTime.equal(self.signature(timestamp: timestamp, body: body), signature)
    }
}

/// Comparing secrets without revealing, through the time taken, where they differ.
public enum ConstantTime {
    /// Both sides are hashed first, so their lengths tell nothing either.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = SHA256.hash(data: Data(a.utf8)), y = SHA256.hash(data: Data(b.utf8))
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Live mode cannot start: the strategy's execution section or what it names is missing or wrong.
public struct ExecutionSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
