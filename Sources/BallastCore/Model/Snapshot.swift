import Foundation

/// Everything one run saw of the market: the seam between I/O and decisions.
///
/// Detection and planning are pure functions of a snapshot and a strategy, so a
/// saved snapshot replays any decision exactly.
public struct Snapshot: Sendable, Hashable {
    /// The only format version this build reads and writes.
    public static let formatVersion = 1

    public var takenAt: Date
    public var tokens: [Token]
    public var chains: [Chain]
    public var prices: [PriceQuote]
    public var routes: [Route]
    public var balances: [Balance]

    public init(takenAt: Date, tokens: [Token], chains: [Chain], prices: [PriceQuote] = [],
                routes: [Route] = [], balances: [Balance] = []) {
        self.takenAt = takenAt
        self.tokens = tokens
        self.chains = chains
        self.prices = prices
        self.routes = routes
        self.balances = balances
    }

    public func token(_ symbol: String) -> Token? {
        tokens.first { $0.symbol == symbol }
    }
}
