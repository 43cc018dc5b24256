import BallastCore
import BallastExecution
import Foundation
import Synchronization

/// The backtest's custody: takes the orders Ballast's live cycle submits and carries them out
/// on the ledger, over the route the market quotes for them now.
final class LedgerSubmitter: TransferSubmitter {
    struct Sent: Sendable {
        var key: String
        var route: Route
        var amount: Amount
        var received: Amount
        var feeUSD: Double
        var at: Date
    }

    private struct State {
        var treasury: Treasury
        var market: Snapshot
        var unreadable: Set<String> = []
        var prices: [String: Double] = [:]
        var at: Date
        var sent: [Sent] = []
    }

    private let state: Mutex<State>

    init(treasury: Treasury, market: Snapshot, at date: Date) { state = Mutex(State(treasury: treasury, market: market, at: date)) }

    /// The market and prices orders are carried out in, from now on.
    func use(_ step: FeedStep, prices: [String: Double]) {
        state.withLock {
            $0.market = step.market
            $0.unreadable = step.unreadable
            $0.prices = prices
            $0.at = step.date
        }
    }

    /// The market with the ledger's balances, as a fresh read would see it now.
    func read() -> Snapshot { state.withLock { $0.treasury.attach(to: $0.market, unreadable: $0.unreadable, withIncoming: false) } }

    func withTreasury<R>(_ body: (inout Treasury) -> R) -> R { state.withLock { body(&$0.treasury) } }

    /// Takes the transfers sent since the last call.
    func takeSent() -> [Sent] {
        state.withLock { s in
            defer { s.sent.removeAll() }
            return s.sent
        }
    }

    func submit(key: String, body: Data) async -> SubmissionOutcome {
        guard case .object(let fields)? = try? DocumentParser.json(body, source: "the order"),
              case .string(let token)? = fields["token"], case .string(let amountText)? = fields["amount"], let amount = Amount(amountText),
              case .object(let from)? = fields["from"], case .string(let fromChain)? = from["chain"],
              case .object(let to)? = fields["to"], case .string(let toChain)? = to["chain"],
              case .string(let bridge)? = fields["bridge"] else {
            return .refused(status: 400, reason: "not an order the ledger can read")
        }
        return state.withLock { s -> SubmissionOutcome in
            guard let route = s.market.routes.first(where: { $0.from == fromChain && $0.to == toChain && $0.token == token && $0.bridge == bridge }),
                  let decimals = s.market.token(token)?.decimals, let received = route.received(sending: amount, decimals: decimals),
                  received.isPositive else {
                return .refused(status: 400, reason: "the market quotes no \(bridge) route \(fromChain)→\(toChain) for \(token) now")
            }
            guard s.treasury.send(key: key, from: "\(fromChain)/\(token)", to: "\(toChain)/\(token)", amount: amount, received: received,
                                  landsAt: s.at.addingTimeInterval(Double(route.etaSeconds))) else {
                return .refused(status: 400, reason: "\(fromChain) does not hold \(amount) \(token)")
            }
            let fee = Backtest.feeUSD(route: route, amount: amount, received: received, price: s.prices["\(fromChain)/\(token)"] ?? 0)
            s.sent.append(Sent(key: key, route: route, amount: amount, received: received, feeUSD: fee, at: s.at))
            return .accepted(reference: "ledger-\(s.sent.count)")
        }
    }
}
