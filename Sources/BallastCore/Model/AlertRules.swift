/// Where the service sends alerts (`alerts:` in the strategy, a list of webhooks).
public struct AlertWebhook: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// `{"text": "..."}`, as Slack's incoming webhooks take it.
        case slack
        /// The event itself as JSON.
        case json
    }

    /// The URL as written, or a reference to the environment (`${NAME}`) for URLs that carry a
    /// token (Slack's do): then it is a secret, masked wherever it would be shown.
    public var url: ConfiguredValue
    public var format: Format
    /// The same alert is not sent again to this webhook within this many minutes.
    public var repeatMinutes: Double
    /// A source alerts when it has failed this many ticks in a row (once, as it gets there).
    public var sourceFailures: Int

    public static let defaultRepeatMinutes = 30.0
    public static let defaultSourceFailures = 3

    public init(url: ConfiguredValue, format: Format, repeatMinutes: Double = AlertWebhook.defaultRepeatMinutes,
                sourceFailures: Int = AlertWebhook.defaultSourceFailures) {
        self.url = url
        self.format = format
        self.repeatMinutes = repeatMinutes
        self.sourceFailures = sourceFailures
    }
}

/// A value written in a file, or named there and read from the environment at start.
public enum ConfiguredValue: Sendable, Hashable, CustomStringConvertible {
    case literal(String)
    /// `${NAME}`: a secret, never shown.
    case environment(String)

    /// The value, or nil when the environment lacks it.
    public func resolve(_ environment: [String: String]) -> String? {
        switch self {
        case .literal(let text): text
        case .environment(let name): environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    public var isSecret: Bool { if case .environment = self { true } else { false } }

    /// How it may be shown: a reference by name, never the secret.
    public var description: String {
        switch self {
        case .literal(let text): text
        case .environment(let name): "${\(name)}"
        }
    }
}
