import Foundation

/// JSON as the journal stores it and the webhook sends it: compact, keys sorted, so the same
/// value always gives the same bytes (a retried body is compared byte for byte).
enum StoredJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
