/// An endpoint of the simulated market.
public enum MarketEndpoint: Hashable, Sendable {
    case rpc(String)
    case defiLlama
    case coinGecko
    case across
    case lifi
}

/// A way a whole endpoint misbehaves.
public enum EndpointFault: Sendable {
    /// Every answer has this status.
    case status(Int)
    /// The first `times` answers are 429 with `Retry-After`.
    case tooManyRequests(retryAfterSeconds: Int, times: Int)
    /// Never answers.
    case hang
    /// Answers 200 with this body instead (malformed JSON, wrong types).
    case body(String)
    /// Announces a longer body than it sends.
    case truncated
    /// Answers 200 with a body of this many bytes.
    case oversized(bytes: Int)
}

/// A way one contract's calls misbehave inside an otherwise good JSON-RPC batch.
public enum CallFault: Sendable {
    case rpcError(code: Int, message: String)
    /// `{"code": 3, "message": "execution reverted"}`, as geth answers a reverting call.
    case revert
    /// The batch answer leaves this call's id out.
    case noAnswer
    case result(String)
}

/// What the simulated market does besides answering correctly.
public struct MarketConditions: Sendable {
    /// Added to every answer.
    public var latency: Duration
    public var endpointFaults: [MarketEndpoint: EndpointFault]
    /// By contract address.
    public var callFaults: [String: CallFault]
    /// Feeds (by address) whose latest round was updated two hours ago.
    public var staleFeeds: Set<String>
    /// Feeds (by address) answering this instead of the market price.
    public var feedAnswers: [String: Int]
    /// `chain/TOKEN` prices DefiLlama and CoinGecko state instead of the market's.
    public var apiPrices: [String: Double]

    public init(latency: Duration = .zero, endpointFaults: [MarketEndpoint: EndpointFault] = [:], callFaults: [String: CallFault] = [:],
                staleFeeds: Set<String> = [], feedAnswers: [String: Int] = [:], apiPrices: [String: Double] = [:]) {
        self.latency = latency
        self.endpointFaults = endpointFaults
        self.callFaults = callFaults
        self.staleFeeds = staleFeeds
        self.feedAnswers = feedAnswers
        self.apiPrices = apiPrices
    }
}
