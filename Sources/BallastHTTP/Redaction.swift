import Foundation

/// Strips what may carry a secret from text before it is named anywhere: an error, a log.
enum Redaction {
    /// A URL without user info, query or fragment, and with every declared secret masked.
    static func url(_ url: String, secrets: [String]) -> String {
        var text = url
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            text = String(text[..<query]) + (text[query] == "?" ? "?…" : "")
        }
        if let schemeEnd = text.range(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
                text.replaceSubrange(authorityStart...at, with: "…@")
            }
        }
        return masking(text, secrets: secrets)
    }

    /// The text with every declared secret replaced by `***`.
    static func masking(_ text: String, secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}
