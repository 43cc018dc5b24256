import BallastChains
import BallastCore

/// Where a token sits on each chain, as the desk's signer needs it in a request:
/// the chain id, the token's contract and the treasury address, from the chain files.
public struct CustodyDirectory: Sendable {
    /// One chain as the directory knows it.
    public struct Chain: Sendable, Hashable {
        public var chainID: Int
        /// Nil when the chain file names no treasury: nothing can be sent from or to it.
        public var treasury: String?
        /// Token contract addresses by symbol.
        public var tokens: [String: String]

        public init(chainID: Int, treasury: String?, tokens: [String: String]) {
            self.chainID = chainID
            self.treasury = treasury
            self.tokens = tokens
        }
    }

    public struct Location: Sendable, Hashable, Encodable {
        public var chain: String
        public var chainID: Int
        public var tokenAddress: String
        public var treasury: String

        enum CodingKeys: String, CodingKey {
            case chain, chainID = "chain_id", tokenAddress = "token_address", treasury
        }
    }

    private let chains: [String: Chain]

    public init(chains: [String: Chain]) { self.chains = chains }

    public init(market: MarketConfig) {
        var chains: [String: Chain] = [:]
        for c in market.chains {
            chains[c.name] = Chain(chainID: c.chainID, treasury: c.treasury,
                                   tokens: Dictionary(c.tokens.map { ($0.symbol, $0.address) }, uniquingKeysWith: { a, _ in a }))
        }
        self.init(chains: chains)
    }

    /// The location, or why the chain files cannot say where the token is or whose it is.
    public func location(chain name: String, token: String) -> Result<Location, RequoteFailure> {
        guard let chain = chains[name] else { return .failure(RequoteFailure(reason: "no chain file for \(name)")) }
        guard let treasury = chain.treasury else { return .failure(RequoteFailure(reason: "\(name) has no treasury address in its chain file")) }
        guard let address = chain.tokens[token] else { return .failure(RequoteFailure(reason: "\(name) does not list \(token)")) }
        return .success(Location(chain: name, chainID: chain.chainID, tokenAddress: address, treasury: treasury))
    }
}
