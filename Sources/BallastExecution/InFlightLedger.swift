import BallastCore
import BallastStore

/// Live actions whose funds are still moving, applied to a fresh market before planning, so a
/// cycle neither plans a transfer again nor spends the same funds twice.
///
/// At the source, a planned, submitted or expired action's amount leaves the spendable balance
/// whether or not its debit shows on chain yet (merely conservative once it does). It leaves
/// the balance targets are measured on only while its debit does not show: counting it there
/// once it does would count it twice. At the destination, its expected_received counts in
/// flight; a confirmed action's received amount counts until a balance read taken at or after
/// its delivery. Dry-run actions never reserve anything; the journal does not return them.
public enum InFlightLedger {
    public static func apply(_ actions: [JournalAction], to snapshot: Snapshot) -> Snapshot {
        var onChain: [BalanceKey: Amount] = [:]
        for balance in snapshot.balances { onChain[BalanceKey(balance.chain, balance.token)] = balance.amount }
        var outgoing: [BalanceKey: Amount] = [:], notYetDebited: [BalanceKey: Amount] = [:], incoming: [BalanceKey: Amount] = [:]
        for action in actions {
            let source = BalanceKey(action.from, action.token), destination = BalanceKey(action.to, action.token)
            switch action.status {
            case .planned, .submitted, .expired:
                outgoing[source, default: .zero] = outgoing[source, default: .zero] + action.amount
                if !debitShows(action, onChain: onChain[source]) {
                    notYetDebited[source, default: .zero] = notYetDebited[source, default: .zero] + action.amount
                }
                incoming[destination, default: .zero] = incoming[destination, default: .zero] + action.expectedReceived
            case .confirmed:
                incoming[destination, default: .zero] = incoming[destination, default: .zero] + (action.received ?? action.expectedReceived)
            case .dryRun, .failed, .blocked:
                continue
            }
        }
        var adjusted = snapshot
        adjusted.balances = snapshot.balances.map { balance in
            let key = BalanceKey(balance.chain, balance.token)
            var entry = balance
            entry.amount = Amount.max(.zero, balance.amount - (outgoing[key] ?? .zero))
            let measured = Amount.max(.zero, balance.amount - (notYetDebited[key] ?? .zero)) + balance.inFlight + (incoming[key] ?? .zero)
            entry.inFlight = measured - entry.amount
            return entry
        }
        return adjusted
    }

    /// True once the source reads at or below what it held just before this send, less the amount.
    static func debitShows(_ action: JournalAction, onChain: Amount?) -> Bool {
        guard let before = action.sourceBalanceAtSend, let now = onChain else { return false }
        return !(before - action.amount < now)
    }

}

/// A token on a chain: what balances, and sends from them, are counted by.
struct BalanceKey: Hashable {
    var chain: String, token: String
    init(_ chain: String, _ token: String) { self.chain = chain; self.token = token }
}
