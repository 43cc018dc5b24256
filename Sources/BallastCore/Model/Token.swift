/// A token as the market knows it: one symbol, the same decimals on every chain.
public struct Token: Sendable, Hashable, Codable {
    public var symbol: String
    /// Decimals of the token's smallest unit; amounts are rounded down to these.
    public var decimals: Int

    public init(symbol: String, decimals: Int) {
        self.symbol = symbol
        self.decimals = decimals
    }
}
