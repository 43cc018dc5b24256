import Foundation

/// Strips what may carry a secret from text before it is named anywhere: an error, a log.
public enum Redaction {
    /// A path longer than this is cut, so a request naming many coins stays one readable line.
    static let maxURLLength = 120

    /// A URL without user info, query or fragment, with every declared secret masked, and cut
    /// short when long: in that order, so a cut never leaves part of a secret behind.
    public static func url(_ url: String, secrets: [String]) -> String {
        var text = url
        var query = ""
        if let start = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            query = text[start] == "?" ? "?…" : ""
            text = String(text[..<start])
        }
        if let schemeEnd = text.range(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
                text.replaceSubrange(authorityStart...at, with: "…@")
            }
        }
        text = masking(text, secrets: secrets)
        if text.count > maxURLLength { text = String(text.prefix(maxURLLength)) + "…" }
        return text + query
    }

    /// The text with every declared secret replaced by `***`.
    public static func masking(_ text: String, secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}
