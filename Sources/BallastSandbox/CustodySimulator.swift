import BallastCore
import BallastExecution
import BallastHTTP
import Foundation
import Synchronization

/// A desk's custody system for the simulated market, at `/custody/transfers`: it accepts
/// Ballast's live webhook as a careful signer would (signature, timestamp, idempotency key;
/// 409 for a key it has, 422 for a key reused with another body), takes the amount off the
/// sending chain at once, lands what the bridge delivers once the bridge's fill time has passed,
/// and reports each landing to the service's `POST /v1/actions/{key}/status`, signed with the
/// webhook's secret. `serve --live` against the sandbox thus runs the whole loop with nothing real
/// at stake.
public final class CustodySimulator: Sendable {
    /// A transfer that landed.
    public struct Landing: Sendable, Hashable {
        public var key: String
        public var chain: String
        public var token: String
        /// What arrived, in token units.
        public var received: Amount
        public var at: Date
        /// Whether the service took the report (it is retried at each landing run until it does,
        /// at most ``CustodySimulator/reportAttempts`` times).
        public var reported: Bool
        /// Why the service did not take it, the last time.
        public var problem: String?
        /// Attempts so far; at ``CustodySimulator/reportAttempts`` the report is given up.
        public var attempts = 0

        public var abandoned: Bool { !reported && attempts >= CustodySimulator.reportAttempts }
    }

    /// Reports to the service are tried this many times (one per landing run), then given up:
    /// a service on another journal, or gone, must not be called forever.
    public static let reportAttempts = 30

    private struct Moving {
        var key: String
        var to: Place
        var delivered: Int128
        var landsAt: Date
    }

    private struct Book {
        var accepted: [String: Data] = [:]
        var moving: [Moving] = []
        /// Landed, and not yet taken by the service.
        var unreported: [Landing] = []
    }

    private let market: SimulatedMarketServer
    private let secret: WebhookSecret
    private let time: any TimeSource
    private let reports: (client: HTTPClient, serviceURL: String)?
    private let book = Mutex(Book())

    public var url: String { market.baseURL + "/custody/transfers" }

    /// `reportTo`: the service's base URL and the client to reach it with; nil keeps landings to
    /// itself (a test, or a service in dry-run).
    public init(market: SimulatedMarketServer, secret: WebhookSecret, time: any TimeSource = SystemTime(),
                reportTo: (client: HTTPClient, serviceURL: String)? = nil) {
        self.market = market
        self.secret = secret
        self.time = time
        reports = reportTo
        market.serveCustody { [weak self] request in
            self?.answer(request) ?? .json(#"{"error": "custody is closed"}"#, status: 503)
        }
    }

    /// Transfers accepted and not yet landed.
    public var inFlight: Int { book.withLock { $0.moving.count } }

    /// Keys accepted so far.
    public var acceptedKeys: Set<String> { book.withLock { Set($0.accepted.keys) } }

    func answer(_ request: LoopbackRequest) -> LoopbackReply {
        guard request.method == "POST", request.path == "/custody/transfers" else { return .json(#"{"error": "POST /custody/transfers"}"#, status: 404) }
        let now = time.date
        guard let key = SignedRequest.verifiedKey(request, secret: secret, now: now) else {
            return .json(#"{"error": "bad signature, timestamp or idempotency key"}"#, status: 401)
        }
        guard let order = Order(request.body, market: market.market) else {
            return .json(#"{"error": "not a transfer this market knows (token, amount, from.chain, to.chain, bridge)"}"#, status: 400)
        }
        return book.withLock { book -> LoopbackReply in
            if let known = book.accepted[key] {
                return known == request.body ? .json(#"{"error": "already accepted"}"#, status: 409)
                    : .json(#"{"error": "key reused with a different body"}"#, status: 422)
            }
            let fill = order.bridge == "lifi" ? 120 : market.market.fillSeconds
            let debited: Int128? = market.updateState { state in
                guard state.balances[order.from][order.token] >= order.units else { return nil }
                state.balances[order.from][order.token] -= order.units
                return order.bridge == "lifi" ? order.units - order.units * Int128(SimulatedMarket.lifiFeeBps) / 10_000
                    : state.acrossDelivers(order.units, token: order.token, from: order.from, decimals: market.market.decimals(order.token))
            }
            guard let delivered = debited else { return .json(#"{"error": "insufficient balance on the sending chain"}"#, status: 400) }
            book.accepted[key] = request.body
            book.moving.append(Moving(key: key, to: Place(chain: order.to, token: order.token), delivered: delivered,
                                      landsAt: now.addingTimeInterval(Double(fill))))
            return .json(#"{"reference": "custody-\#(book.accepted.count)"}"#)
        }
    }

    /// Lands every transfer whose fill time has passed, and reports landings to the service.
    @discardableResult
    public func land() async -> [Landing] {
        let now = time.date
        let reports = self.reports
        let landed: [Landing] = book.withLock { book in
            let due = book.moving.filter { $0.landsAt <= now }
            book.moving.removeAll { $0.landsAt <= now }
            let landings = due.map { m in
                market.updateState { $0.balances[m.to.chain][m.to.token] += m.delivered }
                return Landing(key: m.key, chain: market.market.chainName(m.to.chain), token: market.market.symbol(m.to.token),
                               received: Amount(units: m.delivered, scale: market.market.decimals(m.to.token)), at: m.landsAt, reported: false)
            }
            // With no service to tell, a landing is only returned once.
            guard reports != nil else { return landings }
            book.unreported += landings
            return book.unreported
        }
        guard let reports else { return landed }
        var done: [Landing] = []
        for var landing in landed {
            landing.attempts += 1
            landing.problem = await report(landing, client: reports.client, serviceURL: reports.serviceURL)
            landing.reported = landing.problem == nil
            done.append(landing)
        }
        let byKey = Dictionary(done.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        book.withLock { book in
            book.unreported = book.unreported.compactMap { old in
                guard let now = byKey[old.key] else { return old }
                return now.reported || now.abandoned ? nil : now
            }
        }
        return done
    }

    /// Nil when the service took the report (2xx, or 409: it had already moved the action on);
    /// otherwise why not.
    private func report(_ landing: Landing, client: HTTPClient, serviceURL: String) async -> String? {
        // Encoded, not spliced: the key is the sender's text.
        guard let body = try? JSONSerialization.data(withJSONObject: ["idempotency_key": landing.key, "status": "confirmed",
                                                                     "received": landing.received.description,
                                                                     "delivered_at": Timestamp.format(landing.at)], options: [.sortedKeys]),
              let path = landing.key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
        else { return "the key cannot be reported" }
        let stamp = Int(time.date.timeIntervalSince1970)
        let request = HTTPRequest(method: .post, url: "\(serviceURL)/v1/actions/\(path)/status",
                                  headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("X-Ballast-Timestamp", String(stamp)),
                                            HTTPHeader("X-Ballast-Signature", secret.signature(timestamp: stamp, body: body))],
                                  body: body, timeout: .seconds(5))
        do {
            _ = try await client.send(request)
            return nil
        } catch {
            return error.status == 409 ? nil : "\(error)"
        }
    }

    /// What a webhook body asks, by the market's indices.
    struct Order {
        var token: Int, from: Int, to: Int, units: Int128, bridge: String

        init?(_ body: Data, market: SimulatedMarket) {
            guard case .object(let fields)? = try? DocumentParser.json(body, source: "the webhook body"),
                  case .string(let symbol)? = fields["token"], let t = market.tokenIndex(symbol: symbol),
                  case .string(let amountText)? = fields["amount"], let amount = Amount(amountText), amount.isPositive,
                  let units = amount.smallestUnits(decimals: market.decimals(t)),
                  case .object(let from)? = fields["from"], case .string(let fromChain)? = from["chain"], let c = market.chainIndex(named: fromChain),
                  case .object(let to)? = fields["to"], case .string(let toChain)? = to["chain"], let d = market.chainIndex(named: toChain),
                  c != d, case .string(let bridge)? = fields["bridge"], bridge == "across" || bridge == "lifi" else { return nil }
            (token, self.from, self.to, self.units, self.bridge) = (t, c, d, units, bridge)
        }
    }
}
