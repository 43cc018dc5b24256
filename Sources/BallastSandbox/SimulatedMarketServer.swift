import BallastCore
import Foundation
import Synchronization

/// The simulated market on a loopback server: JSON-RPC at `/rpc/CHAIN`, DefiLlama at
/// `/llama`, CoinGecko at `/gecko`, Across at `/across`, LI.FI at `/lifi`.
public final class SimulatedMarketServer: Sendable {
    public let market: SimulatedMarket
    private let server: LoopbackServer
    private let hits: HitCounter
    private let current: SharedValue<MarketConditions>
    private let book: SharedValue<MarketState>
    private let custody = SharedValue<LoopbackServer.Handler?>(nil)

    public var baseURL: String { server.baseURL }

    /// `time` dates blocks, rounds and quotes; a test shares its manual time with the puller so
    /// every age is exact.
    /// `port` 0 picks a free one.
    public init(market: SimulatedMarket, conditions: MarketConditions = MarketConditions(), threads: Int = 1,
                time: any TimeSource = SystemTime(), port: Int = 0) async throws {
        self.market = market
        let hits = HitCounter()
        self.hits = hits
        let current = SharedValue(conditions)
        self.current = current
        let book = SharedValue(MarketState(market))
        self.book = book
        let custody = custody
        server = try await LoopbackServer(threads: threads, keepsRequests: false, port: port) { request in
            if request.path.hasPrefix("/custody/") {
                return custody.value.withLock { $0 }?(request) ?? .json(#"{"error": "this sandbox runs no custody simulator"}"#, status: 404)
            }
            let conditions = current.value.withLock { $0 }
            let state = book.value.withLock { $0 }
            let endpoint = MarketWire.endpoint(of: request)
            let count = endpoint.map(hits.hit) ?? 0
            var reply: LoopbackReply
            if let endpoint, let fault = conditions.endpointFaults[endpoint], let faulty = MarketWire.reply(for: fault, hit: count) {
                reply = faulty
            } else {
                reply = MarketWire(market: market, state: state, conditions: conditions, now: time.date).answer(request)
            }
            let ms = Int64(conditions.latency / .milliseconds(1))
            if ms > 0 { reply = .delayed(milliseconds: ms, reply) }
            return reply
        }
    }

    /// Changes how the market behaves from the next request on (an outage, a recovery).
    public func setConditions(_ conditions: MarketConditions) { current.value.withLock { $0 = conditions } }

    /// The market as it is now.
    public var state: MarketState { book.value.withLock { $0 } }

    /// Moves the market (a scenario's step, a transfer landing) from the next request on.
    public func updateState<R>(_ body: (inout MarketState) throws -> R) rethrows -> R { try book.value.withLock { try body(&$0) } }

    /// Routes `/custody/…` to the custody simulator.
    func serveCustody(_ handler: @escaping LoopbackServer.Handler) { custody.value.withLock { $0 = handler } }

    /// Every endpoint of the market, for conditions that affect them all.
    public var endpoints: [MarketEndpoint] {
        (0..<market.chainCount).map { .rpc(market.chainName($0)) } + [.defiLlama, .coinGecko, .across, .lifi]
    }

    /// Requests that reached an endpoint so far.
    public func requests(to endpoint: MarketEndpoint) -> Int { hits.count(endpoint) }

    /// Returns once `count` requests in all have reached chain `chain`'s JSON-RPC node: a test's
    /// signal that a pull has begun, where counting requests would mean polling.
    public func rpcArrival(on chain: String, count: Int) async { await server.arrival(at: "/rpc/\(chain)", count: count) }

    public func shutdown() async throws { try await server.shutdown() }
}

final class HitCounter: Sendable {
    private let counts = Mutex<[MarketEndpoint: Int]>([:])

    /// Counts a request and returns how many the endpoint has had, this one included.
    func hit(_ endpoint: MarketEndpoint) -> Int {
        counts.withLock { counts in
            counts[endpoint, default: 0] += 1
            return counts[endpoint]!
        }
    }

    func count(_ endpoint: MarketEndpoint) -> Int { counts.withLock { $0[endpoint] ?? 0 } }
}

/// A value behind a mutex in a class, so the server's handler and this object's methods share it.
final class SharedValue<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
}
