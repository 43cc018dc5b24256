import BallastCore

/// The project seed's rebalancer (`balance_liquidity`), kept only as the backtest's baseline:
/// when a token leaves its band, each chain's excess over its target goes straight to the short
/// chains, the largest shortfall first, served by the largest excess first, over the cheapest
/// direct route. It knows no relays, no minimum-cost plan and no fee ceiling; it does skip
/// transfers below `min_transfer_usd` and respects route capacity, as any desk would insist.
public enum SeedGreedyRebalancer {
    /// One transfer of the baseline's plan.
    public struct Move: Sendable, Hashable {
        public var route: Route
        public var amount: Amount
        public var received: Amount
    }

    /// `positions`: per token, where each chain stands (balance with what is in flight, target,
    /// band); `spendable`: what each chain holds now, by `chain/token`; `price`: USD per token unit.
    public static func plan(_ snapshot: Snapshot, positions: [String: [ChainPosition]], spendable: [String: Amount],
                            minTransferUSD: Double, price: (_ chain: String, _ token: String) -> Double?) -> [Move] {
        var moves: [Move] = []
        for (symbol, chains) in positions.sorted(by: { $0.key < $1.key }) where chains.contains(where: \.isShort) {
            guard let decimals = snapshot.token(symbol)?.decimals else { continue }
            let lanes = Dictionary(grouping: snapshot.routes.filter { $0.token == symbol }) { "\($0.from)→\($0.to)" }
            var excess = chains.compactMap { p -> (chain: String, amount: Amount)? in
                let spare = Amount.min(spendable["\(p.chain)/\(symbol)"] ?? .zero, p.balance - p.target)
                return spare.isPositive ? (p.chain, spare) : nil
            }
            // Ties go by chain name, so the baseline is the same on every machine.
            let short = chains.filter(\.isShort).map { ($0.chain, $0.target - $0.balance) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            for (destination, shortfall) in short {
                var need = shortfall
                excess.sort { $0.amount != $1.amount ? $0.amount > $1.amount : $0.chain < $1.chain }
                for i in excess.indices where need.isPositive && excess[i].amount.isPositive {
                    guard let route = lanes["\(excess[i].chain)→\(destination)"]?.min(by: { ($0.feeBps, $0.bridge) < ($1.feeBps, $1.bridge) }),
                          let p = price(excess[i].chain, symbol) else { continue }
                    var amount = Amount.min(need, excess[i].amount).roundedDown(toDecimals: decimals)
                    if let cap = route.maxAmount { amount = Amount.min(amount, cap) }
                    guard amount.doubleValue * p >= max(minTransferUSD, 0), amount.isPositive,
                          let received = route.received(sending: amount, decimals: decimals), received.isPositive else { continue }
                    moves.append(Move(route: route, amount: amount, received: received))
                    excess[i].amount = excess[i].amount - amount
                    need = need - received
                }
            }
        }
        return moves
    }
}
