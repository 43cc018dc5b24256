/// How one tick fetches: its time budget, retries and limits.
public struct PullSettings: Sendable {
    /// The whole tick: no source is waited for past this, retries included.
    public var deadline: Duration
    /// One attempt of one request.
    public var requestTimeout: Duration
    public var connectTimeout: Duration
    /// Attempts per request, the first included; only retryable failures are retried.
    public var maxAttempts: Int
    /// The first retry waits about this long; each further one twice as long (with jitter).
    public var backoffBase: Duration
    /// The largest response body accepted from any source.
    public var maxBodyBytes: Int
    /// The most calls sent in one JSON-RPC batch request (nodes cap batch sizes).
    public var rpcBatchLimit: Int
    /// How far a source may stray from the median of its (chain, token)'s fresh sources
    /// before the tick reports it.
    public var maxDeviationBps: Double

    public init(deadline: Duration = .seconds(10), requestTimeout: Duration = .seconds(4), connectTimeout: Duration = .seconds(2),
                maxAttempts: Int = 3, backoffBase: Duration = .milliseconds(200), maxBodyBytes: Int = 4 << 20,
                rpcBatchLimit: Int = 500, maxDeviationBps: Double = 100) {
        self.deadline = deadline
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxAttempts = maxAttempts
        self.backoffBase = backoffBase
        self.maxBodyBytes = maxBodyBytes
        self.rpcBatchLimit = rpcBatchLimit
        self.maxDeviationBps = maxDeviationBps
    }
}
