import Foundation

/// Stable JSON for programs: sorted keys, no escaped slashes.
package enum JSONOutput {
    /// Throws (reported as an internal error) if a value cannot be written, such as a
    /// non-finite number: output is never made up.
    package static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
