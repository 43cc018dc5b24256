import BallastCore
import BallastSimulation
import Foundation

/// The baseline's side of a backtest: the seed's greedy rebalancer on a ledger of its own, on
/// the same market path, resting for the same cooldown after it acts on a token.
struct GreedyLedger {
    private(set) var treasury: Treasury
    private let rebalancer: Rebalancer
    private let rules: RebalanceRules
    private var lastActed: [String: Date] = [:]
    private var sent = 0

    init(balances: [String: Amount], strategy: Strategy) {
        treasury = Treasury(balances)
        rebalancer = Rebalancer(strategy: strategy)!
        rules = strategy.rebalance!
    }

    mutating func receive(_ amount: Amount, at place: String) { treasury.receive(amount, at: place) }

    /// Lands what is due, then sends the greedy plan of every token out of its band and not resting.
    mutating func step(_ step: FeedStep, prices: [String: Double]) -> [LedgerSubmitter.Sent] {
        let date = step.date
        _ = treasury.land(by: date)
        // With no journal to count what is on its way, the ledger shows it as in flight.
        let market = treasury.attach(to: step.market, unreadable: step.unreadable, withIncoming: true)
        let standing = rebalancer.positions(market).filter { token, chains in
            chains.contains(where: \.isShort) && !(lastActed[token].map { date.timeIntervalSince($0) < rules.cooldownSeconds } ?? false)
        }
        var done: [LedgerSubmitter.Sent] = []
        for move in SeedGreedyRebalancer.plan(market, positions: standing, spendable: treasury.balances, minTransferUSD: rules.minTransferUSD,
                                              price: { prices["\($0)/\($1)"] }) {
            let route = move.route
            sent += 1
            guard treasury.send(key: "greedy-\(sent)", from: "\(route.from)/\(route.token)", to: "\(route.to)/\(route.token)",
                                amount: move.amount, received: move.received, landsAt: date.addingTimeInterval(Double(route.etaSeconds))) else { continue }
            lastActed[route.token] = date
            done.append(LedgerSubmitter.Sent(key: "greedy-\(sent)", route: route, amount: move.amount, received: move.received,
                                             feeUSD: Backtest.feeUSD(route: route, amount: move.amount, received: move.received,
                                                                     price: prices["\(route.from)/\(route.token)"] ?? 0), at: date))
        }
        return done
    }
}
