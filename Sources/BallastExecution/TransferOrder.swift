import BallastCore
import Foundation

/// The body of one webhook request: what the desk's signer is asked to do.
///
/// Encoded once, when the action is recorded (or when a relay leg's feeder has delivered), and
/// stored: every attempt sends those bytes unchanged, so a receiver can compare a retried key's
/// body byte for byte.
struct TransferOrder: Encodable {
    var idempotencyKey: String
    var cycle: Int64
    var leg: Int
    var dependsOn: String?
    var token: String
    /// Decimal strings in token units.
    var amount: String
    var minReceived: String
    var from: CustodyDirectory.Location
    var to: CustodyDirectory.Location
    var bridge: String
    var feeUSD: Double
    var requiresApproval: Bool
    var createdAt: String
    var validUntil: String

    enum CodingKeys: String, CodingKey {
        case idempotencyKey = "idempotency_key", cycle, leg, dependsOn = "depends_on", token, amount
        case minReceived = "min_received", from, to, bridge, feeUSD = "fee_usd"
        case requiresApproval = "requires_approval", createdAt = "created_at", validUntil = "valid_until"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(idempotencyKey, forKey: .idempotencyKey)
        try c.encode(cycle, forKey: .cycle)
        try c.encode(leg, forKey: .leg)
        // Always present: null says "depends on nothing" rather than leaving the receiver to guess.
        try c.encode(dependsOn, forKey: .dependsOn)
        try c.encode(token, forKey: .token)
        try c.encode(amount, forKey: .amount)
        try c.encode(minReceived, forKey: .minReceived)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(bridge, forKey: .bridge)
        try c.encode(USD.rounded(feeUSD), forKey: .feeUSD)
        try c.encode(requiresApproval, forKey: .requiresApproval)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(validUntil, forKey: .validUntil)
    }

    func encoded() throws -> Data { try StoredJSON.encode(self) }
}
