import Foundation

/// Stable JSON for programs: sorted keys, no escaped slashes.
enum JSONOutput {
    static func string(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Output types are plain values; encoding them cannot fail.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}
