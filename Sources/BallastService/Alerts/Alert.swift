import BallastCore
import Foundation

/// Something an operator should hear about, as the alert webhooks carry it.
struct Alert: Sendable, Hashable {
    enum Kind: String, Sendable, CaseIterable {
        case opportunity
        case sourceFailing = "source_failing"
        case priceDropped = "price_dropped"
        case cyclePlanned = "cycle_planned"
        case cycleSubmitted = "cycle_submitted"
        case cycleFailed = "cycle_failed"
        case actionExpired = "action_expired"
        case paused, resumed
        case readinessLost = "readiness_lost"
        case readinessBack = "readiness_back"
        case reloadFailed = "reload_failed"
    }

    var kind: Kind
    /// What the alert is about (a token, a source, an action key): with the kind, what makes two
    /// alerts "the same" for `repeat_minutes`.
    var subject: String
    var text: String
    var at: Date
    /// For `source_failing`: ticks failed in a row (each webhook has its own threshold).
    var streak: Int

    init(_ kind: Kind, subject: String, text: String, at: Date, streak: Int = 0) {
        self.kind = kind
        self.subject = subject
        self.text = text
        self.at = at
        self.streak = streak
    }

    /// The body for a webhook of `format`. Slack reads `<…>` as mentions and links (`<!channel>`,
    /// `<https://…|click>`), and alert texts carry words from outside (a receiver's refusal, a
    /// source's error), so `&`, `<` and `>` are escaped as Slack asks; nothing else is.
    func body(_ format: AlertFormat, strategy: String) -> Data {
        let object: [String: String] = switch format {
        case .slack: ["text": Self.slackEscaped("[ballast \(strategy)] \(text)")]
        case .json: ["kind": kind.rawValue, "subject": subject, "text": text, "at": Timestamp.format(at), "strategy": strategy]
        }
        // A dictionary of strings always encodes.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    static func slackEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
