/// What a treasury holds of a token on a chain, and what is on its way there.
public struct Balance: Sendable, Hashable {
    public var chain: String
    public var token: String
    public var amount: Amount
    /// Sent by earlier transfers and not yet arrived; counts toward the chain's share.
    public var inFlight: Amount

    public init(chain: String, token: String, amount: Amount, inFlight: Amount = .zero) {
        self.chain = chain
        self.token = token
        self.amount = amount
        self.inFlight = inFlight
    }
}
