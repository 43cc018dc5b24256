import Foundation

/// One token's position across the market's chains before a plan: balances, targets, bands,
/// which chains are short, and the prices transfers are costed at.
struct TokenBook {
    let token: Token
    let chains: [String]
    /// On-chain amount per chain: what it can send.
    let spendable: [Amount]
    /// Amount plus in-flight: what counts toward its share.
    let balance: [Amount]
    let total: Amount
    /// Per chain, its fraction of the total.
    let weights: [Double]
    /// `w_i·B`, rounded down: the share before any fee is paid.
    let target: [Amount]
    let band: [Amount]
    let isShort: [Bool]
    /// The token's trusted price per chain; nil where none is fresh and agreed.
    let prices: [Double?]

    enum Failure: Error, CustomStringConvertible {
        case unlistedToken(String), noBalances, balanceUnknown([String]), unlistedTargets([String]), tooLarge

        var description: String {
            switch self {
            case .unlistedToken(let symbol):
                "the market does not list \(symbol)"
            case .noBalances:
                "no balances for this token in the market (no treasury configured, or its balance read failed): it cannot be planned"
            case .balanceUnknown(let chains):
                "balance unknown on \(chains.joined(separator: ", ")), which \(chains.count == 1 ? "has" : "have") a target: it cannot be planned"
            case .unlistedTargets(let chains):
                "target on \(chains.joined(separator: ", ")), which the market does not list"
            case .tooLarge:
                "balances or targets too large to compute exactly"
            }
        }
    }

    static func make(_ token: Token, snapshot: Snapshot, rules: RebalanceRules, prices: [Double?]) -> Result<TokenBook, Failure> {
        let chains = snapshot.chains.map(\.name)
        let shares = rules.targets[token.symbol] ?? [:]
        let unlisted = shares.keys.filter { !chains.contains($0) }.sorted()
        guard unlisted.isEmpty else { return .failure(.unlistedTargets(unlisted)) }
        var spendable = [Amount?](repeating: nil, count: chains.count)
        var balance = [Amount](repeating: .zero, count: chains.count)
        let index = Dictionary(chains.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for entry in snapshot.balances where entry.token == token.symbol {
            guard let i = index[entry.chain] else { continue }
            spendable[i] = entry.amount
            balance[i] = entry.amount + entry.inFlight
        }
        guard spendable.contains(where: { $0 != nil }) else { return .failure(.noBalances) }
        // A chain with a target and no balance would make every share wrong; a chain with
        // neither is not part of the treasury and can only relay.
        let unknown = chains.indices.filter { spendable[$0] == nil && (shares[chains[$0]]?.fraction ?? 0) > 0 }
        guard unknown.isEmpty else { return .failure(.balanceUnknown(unknown.map { chains[$0] })) }

        let d = token.decimals
        let total = balance.reduce(.zero, +)
        let weights = chains.map { shares[$0]?.fraction ?? 0 }
        var target: [Amount] = [], band: [Amount] = [], isShort: [Bool] = []
        for i in chains.indices {
            guard let share = Self.share(total, weights[i], decimals: d) else { return .failure(.tooLarge) }
            let own = shares[chains[i]]?.band
            guard let width = own.map({ Self.share(share, $0, decimals: d) }) ?? Self.share(total, rules.threshold, decimals: d)
            else { return .failure(.tooLarge) }
            target.append(share)
            band.append(width)
            isShort.append(balance[i] < share - width)
        }
        return .success(TokenBook(token: token, chains: chains, spendable: spendable.map { $0 ?? .zero }, balance: balance,
                                  total: total, weights: weights, target: target, band: band, isShort: isShort, prices: prices))
    }

    /// `amount · fraction`, exactly, rounded down to the token's decimals; nil if it cannot be represented.
    static func share(_ amount: Amount, _ fraction: Double, decimals: Int) -> Amount? {
        guard let exact = Amount(decimalOf: fraction) else { return nil }
        return Amount.product(amount, exact, decimals: decimals, rounding: .down)
    }

    /// Where each chain stands before any transfer.
    var standing: [ChainPosition] {
        chains.indices.map {
            ChainPosition(chain: chains[$0], balance: balance[$0], target: target[$0], band: band[$0], after: balance[$0], isShort: isShort[$0])
        }
    }

    /// The price unmet shortfall is valued at on chain `i`: its own, else the median of the token's trusted prices.
    func valuationPrice(_ i: Int) -> Double {
        if let own = prices[i] { return own }
        let known = prices.compactMap { $0 }.sorted()
        return known.isEmpty ? 1 : known[known.count / 2]
    }
}
