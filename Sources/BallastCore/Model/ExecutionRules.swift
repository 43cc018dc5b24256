/// How live mode hands transfers to the desk: a signed webhook, and the guard rails every
/// action passes first. The `execution` section of a strategy; live mode needs it.
public struct ExecutionRules: Sendable, Hashable {
    public var webhook: WebhookSettings
    public var limits: ExecutionLimits
    /// An action not confirmed within `max(eta, 60 s) × expire_factor` of its submission expires:
    /// it keeps counting in flight, blocks its token and waits for a human.
    public var expireFactor: Double

    public static let defaultExpireFactor = 3.0

    public init(webhook: WebhookSettings, limits: ExecutionLimits = ExecutionLimits(), expireFactor: Double = ExecutionRules.defaultExpireFactor) {
        self.webhook = webhook
        self.limits = limits
        self.expireFactor = expireFactor
    }
}

/// Where the signing secret comes from: never the strategy file itself.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// `secret: ${NAME}`.
    case environment(String)
    /// `secret_file: PATH` (a mounted secret; one trailing newline is ignored).
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): "${\(name)}"
        case .file(let path): "file \(path)"
        }
    }
}

/// The desk's receiver.
public struct WebhookSettings: Sendable, Hashable {
    public var url: String
    public var secret: SecretReference
    /// One attempt's limit; retries of one action stop after three times this.
    public var timeoutSeconds: Double
    /// `valid_until` = recording time + this: the receiver must refuse the action afterwards.
    public var validSeconds: Double

    public static let defaultTimeoutSeconds = 10.0
    public static let defaultValidSeconds = 600.0

    public init(url: String, secret: SecretReference, timeoutSeconds: Double = WebhookSettings.defaultTimeoutSeconds,
                validSeconds: Double = WebhookSettings.defaultValidSeconds) {
        self.url = url
        self.secret = secret
        self.timeoutSeconds = timeoutSeconds
        self.validSeconds = validSeconds
    }
}

/// What live mode refuses to send (recorded as `blocked`) or sends asking for a second approval.
public struct ExecutionLimits: Sendable, Hashable {
    public var maxTransferUSD: Double?
    /// Rolling 24 hours, counting actions from their first send.
    public var maxDailyUSD: Double?
    /// Above this the body sets `requires_approval`.
    public var approvalUSD: Double?
    /// When given, only these bridges and chains are used.
    public var bridges: [String]?
    public var chains: [String]?

    public init(maxTransferUSD: Double? = nil, maxDailyUSD: Double? = nil, approvalUSD: Double? = nil,
                bridges: [String]? = nil, chains: [String]? = nil) {
        self.maxTransferUSD = maxTransferUSD
        self.maxDailyUSD = maxDailyUSD
        self.approvalUSD = approvalUSD
        self.bridges = bridges
        self.chains = chains
    }
}
