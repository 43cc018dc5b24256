import BallastCore
import Foundation

/// A backtest's treasury: what each chain holds, and transfers on their way, which land with
/// what their route delivers once their ETA has passed. Keys are `chain/token`.
struct Treasury {
    struct Moving {
        var key: String
        var to: String
        var received: Amount
        var landsAt: Date
    }

    private(set) var balances: [String: Amount]
    private(set) var moving: [Moving] = []

    init(_ balances: [String: Amount]) { self.balances = balances }

    /// Takes `amount` off the sending chain now; false (and nothing moves) when it does not hold it.
    mutating func send(key: String, from: String, to: String, amount: Amount, received: Amount, landsAt: Date) -> Bool {
        guard let held = balances[from], !(held < amount), amount.isPositive else { return false }
        balances[from] = held - amount
        moving.append(Moving(key: key, to: to, received: received, landsAt: landsAt))
        return true
    }

    /// Lands what is due by `date`, oldest first.
    mutating func land(by date: Date) -> [Moving] {
        let due = moving.filter { $0.landsAt <= date }
        moving.removeAll { $0.landsAt <= date }
        for m in due { receive(m.received, at: m.to) }
        return due
    }

    /// A deposit, or (negative) a payout of at most what the place holds.
    mutating func receive(_ amount: Amount, at place: String) { balances[place] = Amount.max(.zero, (balances[place] ?? .zero) + amount) }

    /// What is on its way to each place.
    var incoming: [String: Amount] {
        moving.reduce(into: [:]) { $0[$1.to] = ($0[$1.to] ?? .zero) + $1.received }
    }

    /// `market` with these balances (none at all while a chain's cannot be read, as the puller
    /// leaves a token out rather than give a partial total); `withIncoming` also shows what is
    /// on its way as in flight, for a ledger with no journal to count it.
    func attach(to market: Snapshot, unreadable: Set<String>, withIncoming: Bool) -> Snapshot {
        var snapshot = market
        let incoming = withIncoming ? self.incoming : [:]
        guard unreadable.isEmpty else {
            snapshot.balances = []
            return snapshot
        }
        snapshot.balances = snapshot.chains.flatMap { chain in
            snapshot.tokens.compactMap { token -> Balance? in
                let place = "\(chain.name)/\(token.symbol)"
                guard let amount = balances[place] else { return nil }
                return Balance(chain: chain.name, token: token.symbol, amount: amount, inFlight: incoming[place] ?? .zero)
            }
        }
        return snapshot
    }
}
