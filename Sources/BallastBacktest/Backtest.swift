import BallastCore
import BallastExecution
import BallastSandbox
import BallastSimulation
import BallastStore
import Foundation

/// Why a backtest cannot run.
public struct BacktestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs the service's decision loop in simulated time, with no sleeping: at each step the
/// market moves, transfers whose ETA has passed land with what their route delivers, the cycle
/// settles and submits what may go, and (as in `serve`) a token out of its band that is not
/// resting after its last cycle gets a live cycle against a ledger, with the journal's
/// in-flight rules on a real SQLite journal in a temporary directory. The seed's greedy
/// rebalancer runs on the same market path with its own ledger, as the baseline.
public struct Backtest: Sendable {
    public let strategy: Strategy
    public let strategyText: String
    public let source: BacktestSource
    /// Samples kept for the report's charts, at most.
    public static let maxSamples = 300

    public init(strategy: Strategy, strategyText: String, source: BacktestSource) throws(BacktestError) {
        guard strategy.rebalance != nil else { throw BacktestError("strategy \(strategy.name) has no rebalance section: there is nothing to backtest") }
        self.strategy = strategy
        self.strategyText = strategyText
        self.source = source
    }

    /// What a transfer cost: what did not arrive, at the sending chain's price, and the route's gas.
    static func feeUSD(route: Route, amount: Amount, received: Amount, price: Double) -> Double {
        (amount - received).doubleValue * price + route.gasUSD
    }

    /// `progress` is told (step, steps) after every step.
    public func run(progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> BacktestResult {
        var feed = MarketFeed(source)
        guard var step = feed.next() else { throw BacktestError("no market to replay: the source has no steps") }
        guard !feed.startingBalances.isEmpty else {
            throw BacktestError("the first snapshot holds no balances: there is no treasury to rebalance")
        }
        // A strategy written for another market (other chains, other tokens) would plan nothing at
        // every step; say so at once instead of reporting a run of zeros.
        // Only the tokens without a position are planned here, and they fail before any solve:
        // the first step's (largest) plans are not made twice.
        let first = Treasury(feed.startingBalances).attach(to: step.market, unreadable: [], withIncoming: false)
        let placed = Rebalancer(strategy: strategy)!.positions(first)
        var unplaced = strategy
        unplaced.tokens = strategy.tokens.filter { placed[$0] == nil }
        let unplannable = Rebalancer(strategy: unplaced)!.plan(first).plans.filter { $0.status == .error }
        if !unplannable.isEmpty {
            throw BacktestError("strategy \(strategy.name) does not fit this market: "
                + unplannable.map { "\($0.token): \($0.error ?? "cannot be planned")" }.joined(separator: "; "))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-backtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ballast = try BallastLedger(strategy: strategy, strategyText: strategyText, balances: feed.startingBalances, first: step,
                                        journalPath: directory.appendingPathComponent("journal.db").path)
        var greedy = GreedyLedger(balances: feed.startingBalances, strategy: strategy)
        let rebalancer = Rebalancer(strategy: strategy)!
        let detector = ArbitrageDetector(strategy: strategy)

        var result = BacktestResult(source: source.name, seed: { if case .scenario(_, _, let seed, _, _) = source { seed } else { nil } }(),
                                    steps: feed.stepCount, start: step.date, end: step.date)
        result.chains = step.market.chains.map(\.name)
        result.tokens = rebalancer.tokens
        let every = max(1, feed.stepCount / Self.maxSamples)
        var seenOpportunities: Set<String> = [], alerted: Set<String> = []
        var previous: (date: Date, ballast: Set<String>, greedy: Set<String>)?
        var number = 0

        while true {
            number += 1
            let date = step.date
            result.end = date
            result.events += step.events
            let prices = step.market.medianPrices()
            for (place, amount) in step.inflows.sorted(by: { $0.key < $1.key }) {
                ballast.receive(amount, at: place)
                greedy.receive(amount, at: place)
            }
            let scan = detector?.scan(step.market)
            let taken = try await ballast.step(step, prices: prices, scan: scan)
            result.solves += taken.solves
            if taken.cycled { result.cycles += 1 }
            result.record(taken.sent, by: .ballast, step: number, prices: prices)
            result.record(greedy.step(step, prices: prices), by: .greedy, step: number, prices: prices)

            // Opportunities, once per appearance, and the part each inventory could take.
            let found = scan?.opportunities ?? []
            var present: Set<String> = []
            let ballastHeld = ballast.treasury.balances
            for o in found {
                let key = "\(o.token)|\(o.buyChain)|\(o.sellChain)|\(o.bridge)"
                present.insert(key)
                guard !seenOpportunities.contains(key) else { continue }
                result.opportunities += 1
                result.detectedProfitUSD += o.profitUSD
                let place = "\(o.sellChain)/\(o.token)", size = max(o.amount.doubleValue, .leastNormalMagnitude)
                result.ballast.capturedProfitUSD += o.profitUSD * min(1, (ballastHeld[place]?.doubleValue ?? 0) / size)
                result.greedy.capturedProfitUSD += o.profitUSD * min(1, (greedy.treasury.balances[place]?.doubleValue ?? 0) / size)
            }
            seenOpportunities = present

            // Alerts as the service raises them: failing sources, and prices the consensus dropped.
            for failure in step.failures where alerted.insert("failure \(failure)").inserted {
                result.alerts.append(BacktestAlert(step: number, text: "source failing: \(failure)"))
            }
            for issue in scan?.priceIssues ?? [] where alerted.insert("price \(issue.chain)/\(issue.token) \(issue.source)").inserted {
                result.alerts.append(BacktestAlert(step: number, text: "price source dropped: \(issue)"))
            }

            // Time out of band accrues from one step to the next, on what has landed: the ledger's
            // truth, whether or not a node could read it.
            let ballastStanding = rebalancer.positions(ballast.treasury.attach(to: step.market, unreadable: [], withIncoming: false))
            let greedyStanding = rebalancer.positions(greedy.treasury.attach(to: step.market, unreadable: [], withIncoming: false))
            // From the second step on: righting the starting treasury is each run's first act, not a
            // measure of it (both rebalancers send at step one, and it lands by step two).
            var ballastShort: Set<String> = [], greedyShort: Set<String> = []
            if number > 1 {
                ballastShort = Self.measure(ballastStanding, prices: prices, into: &result.ballast)
                greedyShort = Self.measure(greedyStanding, prices: prices, into: &result.greedy)
            }
            if let previous {
                let dt = date.timeIntervalSince(previous.date)
                for chain in previous.ballast { result.ballast.outOfBandSeconds[chain, default: 0] += dt }
                for chain in previous.greedy { result.greedy.outOfBandSeconds[chain, default: 0] += dt }
            }
            previous = (date, ballastShort, greedyShort)

            if number % every == 0 || number == feed.stepCount {
                result.samples.append(Self.sample(number, date: date, opportunities: found.count, result: result,
                                                  ballast: ballastStanding, greedy: greedyStanding))
            }
            progress(number, feed.stepCount)
            guard let next = feed.next() else { break }
            step = next
        }
        return result
    }

    /// Chains short on some token, and the step's USD below the bands (kept when it is the worst).
    private static func measure(_ standing: [String: [ChainPosition]], prices: [String: Double], into figures: inout LedgerFigures) -> Set<String> {
        var short: Set<String> = [], exposure = 0.0
        // In a fixed order: the same sums, to the last bit, on every run.
        for (token, chains) in standing.sorted(by: { $0.key < $1.key }) {
            for p in chains where p.isShort {
                short.insert(p.chain)
                exposure += (p.target - p.band - p.balance).doubleValue * (prices["\(p.chain)/\(token)"] ?? 0)
            }
        }
        figures.worstExposureUSD = max(figures.worstExposureUSD, exposure)
        return short
    }

    private static func sample(_ number: Int, date: Date, opportunities: Int, result: BacktestResult,
                               ballast: [String: [ChainPosition]], greedy: [String: [ChainPosition]]) -> BacktestSample {
        var standings: [String: [String: BacktestSample.Standing]] = [:]
        for (token, chains) in ballast {
            let other = Dictionary((greedy[token] ?? []).map { ($0.chain, $0.balance.doubleValue) }, uniquingKeysWith: { a, _ in a })
            standings[token] = Dictionary(chains.map { p in
                (p.chain, BacktestSample.Standing(ballast: p.balance.doubleValue, greedy: other[p.chain] ?? 0,
                                                  target: p.target.doubleValue, band: p.band.doubleValue))
            }, uniquingKeysWith: { a, _ in a })
        }
        return BacktestSample(step: number, date: date, opportunities: opportunities, ballastFeesUSD: result.ballast.feesUSD,
                              greedyFeesUSD: result.greedy.feesUSD, standings: standings)
    }

}
