import BallastOptimization
import Foundation

/// Plans, per token, the cheapest set of transfers that brings a treasury's inventory back
/// to its target distribution: over every bridge route, through intermediate chains where
/// that is cheaper or the only way.
///
/// A pure function of (snapshot, strategy), under the lossy model of docs/rebalancing.md:
/// a transfer delivers what is left after its fees, targets are shares of what the
/// treasury holds after the plan, every short chain ends at its target or above,
/// no chain ends below the lesser of its balance and its target, and the transfers execute
/// in the listed order from spendable balances. The plan is solved as a linear or
/// mixed-integer program ([PlanFormulation]) and then settled exactly in token units
/// ([PlanSettlement]); a plan that does not pass that check is never returned.
public struct Rebalancer: Sendable {
    public let rules: RebalanceRules
    public let tokens: [String]
    public let consensus: PriceConsensus

    /// Nil when the strategy has no rebalance section.
    public init?(strategy: Strategy) {
        guard let rules = strategy.rebalance else { return nil }
        self.rules = rules
        tokens = strategy.tokens.filter { rules.targets[$0] != nil }
        consensus = PriceConsensus(maxAgeSeconds: rules.maxPriceAgeSeconds, maxDeviationBps: strategy.maxSourceDeviationBps)
    }

    public func plan(_ snapshot: Snapshot) -> PlanReport {
        let (books, market) = books(snapshot)
        let plans = zip(tokens, books).map { symbol, book -> TransferPlan in
            switch book {
            case .failure(let reason): return .failed(symbol, reason.description)
            case .success(let book): return plan(book, snapshot: snapshot)
            }
        }
        return PlanReport(takenAt: snapshot.takenAt, plans: plans, priceIssues: market.issues)
    }

    /// Rounds of cut-set rows ``program(of:snapshot:cheaperThanUSD:)`` adds.
    static let exportedCutSetRounds = 12

    /// The mixed-integer program `symbol`'s plans solve (every shortfall met, the first
    /// attempt's margins), with the source-tracked and cut-set rows that hold for plans cheaper than
    /// `cheaperThanUSD`: what lets another solver check a plan's cost or bound, or ask whether
    /// any plan is cheaper by some margin. Nil when the token cannot be planned or is linear.
    public func program(of symbol: String, snapshot: Snapshot, cheaperThanUSD: Double) -> MixedIntegerProgram? {
        guard let formulation = formulation(of: symbol, snapshot: snapshot) else { return nil }
        guard var tracked = formulation.sourceTracked(formulation.withoutShortfall, incumbentUSD: cheaperThanUSD) else { return nil }
        // Cut-set rows by as many rounds as a measurement can afford (at 30 chains about ten
        // minutes): another solver starts from a stronger relaxation than a plan's own bound.
        let cuts = CBC.withLinearSession(tracked) { session -> [MixedIntegerProgram.Constraint] in
            guard let solved = session.solve() else { return [] }
            return formulation.tightenWithCutSets(session, from: solved, incumbentUSD: cheaperThanUSD, rounds: Self.exportedCutSetRounds).rows
        } ?? []
        tracked.addConstraints(cuts)
        return tracked
    }

    /// `symbol`'s program as its plans' first attempt builds it; nil when it cannot be planned.
    func formulation(of symbol: String, snapshot: Snapshot) -> PlanFormulation? {
        guard let t = tokens.firstIndex(of: symbol), case .success(let book) = books(snapshot).books[t] else { return nil }
        return PlanFormulation(book: book, lanes: RebalanceLane.lanes(for: book, snapshot: snapshot, rules: rules).usable, attempt: 0)
    }

    /// Per token of `tokens`, its book or why it cannot be planned, and the prices agreed on.
    private func books(_ snapshot: Snapshot) -> (books: [Result<TokenBook, TokenBook.Failure>], market: MarketPrices) {
        let listed = tokens.compactMap { snapshot.token($0) }
        let market = consensus.reduce(snapshot, tokens: listed)
        let books = tokens.map { symbol -> Result<TokenBook, TokenBook.Failure> in
            guard let t = listed.firstIndex(where: { $0.symbol == symbol }) else { return .failure(.unlistedToken(symbol)) }
            let prices = snapshot.chains.indices.map { market[token: t, chain: $0]?.spotPrice }
            return TokenBook.make(listed[t], snapshot: snapshot, rules: rules, prices: prices)
        }
        return (books, market)
    }

    /// Each token's position per chain (balance with what is in flight, target, band, short or
    /// not) without planning: what a backtest measures time out of band with. A token that
    /// cannot be planned (no balances, a target on an unlisted chain) is left out.
    public func positions(_ snapshot: Snapshot) -> [String: [ChainPosition]] {
        var positions: [String: [ChainPosition]] = [:]
        for symbol in tokens {
            guard let token = snapshot.token(symbol),
                  case .success(let book) = TokenBook.make(token, snapshot: snapshot, rules: rules, prices: []) else { continue }
            positions[symbol] = book.standing
        }
        return positions
    }

    private func plan(_ book: TokenBook, snapshot: Snapshot) -> TransferPlan {
        guard book.isShort.contains(true) else {
            return TransferPlan(token: book.token.symbol, status: .withinBand, transfers: [], totalFeeUSD: 0, unmet: [:],
                                unmetReasons: [:], positions: book.standing, optimality: nil, error: nil)
        }
        let lanes = RebalanceLane.lanes(for: book, snapshot: snapshot, rules: rules)
        let limits = SolverLimits(maxNodes: rules.maxSolveNodes)
        // Margins absorb the solver's tolerances and rounding to token units; if settlement still
        // finds a rule broken, the same decisions are re-solved with wider margins.
        var lastFailure = ""
        let searched = PlanSearch.opening(PlanFormulation(book: book, lanes: lanes.usable, attempt: 0, aggregated: true),
                                          limits: limits)
        var leastShortfallFirst = false, attempt = 0
        while attempt < PlanFormulation.attempts {
            // A plan cut short is not one to act on: the search stops at once when its task is
            // cancelled (which lasts), and what it found is dropped rather than solved further.
            guard !Task.isCancelled else { return .cancelled(book.token.symbol) }
            let formulation = PlanFormulation(book: book, lanes: lanes.usable, attempt: attempt)
            let solved: PlanFormulation.Solved
            switch formulation.solve(limits: limits, searched: searched, leastShortfallFirst: leastShortfallFirst) {
            case .success(let found): solved = found
            case .failure(let unsolved): return .failed(book.token.symbol, unsolved.description)
            }
            switch PlanSettlement.settle(solved, book: book, lanes: lanes, snapshot: snapshot) {
            case .success(let plan): return plan
            case .failure(let failure):
                lastFailure = failure.description
                // Targets are shares of what is left after fees, so where the shortfall cannot be met
                // otherwise, tokens sent round a cycle (larger than anything the chains hold) "meet" it
                // by burning fees: no order executes that. The least shortfall is then solved first,
                // where burning is charged and never pays; what cannot be met is reported. That is
                // another program, not a rounding problem: the margins stay as they are.
                if case .cannotOrder = failure, !leastShortfallFirst {
                    leastShortfallFirst = true
                    continue
                }
                attempt += 1
            }
        }
        return .failed(book.token.symbol, "the solver's plan could not be settled exactly in token units (\(lastFailure))")
    }
}
