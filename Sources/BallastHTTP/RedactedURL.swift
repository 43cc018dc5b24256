import Foundation

/// Strips what may carry a secret from a URL before it is named anywhere.
enum RedactedURL {
    static func make(_ url: String, secrets: [String]) -> String {
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
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }
}
