import BallastCore

/// A URL as configured, with the values that came from the environment: those are
/// secrets (an RPC key in the path, an API key) and are masked wherever the URL is named.
public struct Endpoint: Sendable, Hashable {
    public var url: String
    public var secrets: [String]

    public init(url: String, secrets: [String] = []) {
        self.url = url
        self.secrets = secrets
    }

    /// `file://` sources are allowed where a config names one on purpose (offline use).
    var isFile: Bool { url.lowercased().hasPrefix("file://") }

    /// The URL of an API call: the base with the call's path and query appended; a file
    /// source is read as written (the file holds what the API would answer).
    func url(calling pathAndQuery: String) -> String {
        isFile ? url : (url.hasSuffix("/") ? String(url.dropLast()) : url) + pathAndQuery
    }
}

/// A token on one chain: where its contract is, and the size fee quotes are asked for.
public struct ChainToken: Sendable, Hashable {
    public var symbol: String
    /// Lower-case `0x…` contract address.
    public var address: String
    public var decimals: Int
    /// A typical transfer, in token units: bridge fee quotes are asked for this amount.
    public var transferSize: Amount?

    package init(symbol: String, address: String, decimals: Int, transferSize: Amount? = nil) {
        self.symbol = symbol
        self.address = address
        self.decimals = decimals
        self.transferSize = transferSize
    }
}

/// Where one token's price on a chain comes from.
public struct PriceSourceConfig: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A Uniswap V2 pair's reserves against `quote`, a token on the same chain.
        case uniswapV2(pair: String, quote: String, feeBps: Double)
        /// A Uniswap V3 pool's `slot0` price against `quote`; no depth.
        case uniswapV3(pool: String, quote: String, feeBps: Double)
        /// Chainlink feeds whose answers multiply to a USD price: one USD feed, or a ratio
        /// feed times a USD feed (WBTC/BTC × BTC/USD), so the token's own peg is priced.
        case chainlink(feeds: [ChainlinkFeed])
        /// DefiLlama `prices/current`, keyed `slug:address`.
        case defiLlama(endpoint: Endpoint, chainSlug: String)
        /// CoinGecko `simple/token_price/{platform}`.
        case coinGecko(endpoint: Endpoint, platform: String, apiKey: Secret?)
    }

    public var token: String
    /// The name it appears under in the snapshot (`uniswap-v2`, `chainlink`, …).
    public var name: String
    public var kind: Kind
    /// Readings older than this at the tick are stale and left out.
    public var maxAgeSeconds: Double
    /// The swap fee of trading at this price, for sources without a pool.
    public var swapFeeBps: Double?
    /// How long one request for this source may run; nil for the pull's default. On-chain
    /// sources ride in the chain's batch and use its `rpcTimeoutSeconds`.
    public var timeoutSeconds: Double?

    var isOnChain: Bool {
        switch kind {
        case .uniswapV2, .uniswapV3, .chainlink: true
        case .defiLlama, .coinGecko: false
        }
    }
}

/// One Chainlink aggregator and how often it must update.
public struct ChainlinkFeed: Sendable, Hashable {
    /// Lower-case `0x…` address of the feed's proxy.
    public var address: String
    /// How often the feed publishes a round even when the price does not move.
    public var heartbeatSeconds: Double

    /// Chainlink documents up to about 40 s for a heartbeat's round to land on chain; a
    /// round is stale only once it is older than the heartbeat plus this.
    public static let landingGraceSeconds = 60.0

    /// The age beyond which a round means the feed has missed its own schedule.
    public var staleAfterSeconds: Double { heartbeatSeconds + Self.landingGraceSeconds }
}

/// A header value that came from the environment, kept apart so it is never printed.
public struct Secret: Sendable, Hashable, CustomStringConvertible {
    public var value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "***" }
}

/// A bridge's fee API, and which tokens it carries from this chain to which chains.
public struct BridgeConfig: Sendable, Hashable {
    public enum API: String, Sendable, Hashable, CaseIterable {
        case across
        case lifi
    }

    public var name: String
    public var api: API
    public var endpoint: Endpoint
    public var apiKey: Secret?
    public var destinations: [String]
    public var tokens: [String]
    /// How long a fee quote is reused before it is asked for again.
    public var cacheSeconds: Double
    /// Gas on the sending side, in USD, for APIs that do not quote it (Across).
    public var gasUSD: Double?
    /// How long one fee quote request may run; nil for the pull's default.
    public var timeoutSeconds: Double?
}

/// One chain's file: `chains/NAME.yaml`.
public struct ChainConfig: Sendable, Hashable {
    public var name: String
    public var chainID: Int
    public var rpc: Endpoint?
    /// How long the chain's JSON-RPC batch request may run; nil for the pull's default.
    public var rpcTimeoutSeconds: Double?
    /// Whose balances to read (`balanceOf`), lower-case; nil reads none.
    public var treasury: String?
    public var tokens: [ChainToken]
    public var prices: [PriceSourceConfig]
    public var bridges: [BridgeConfig]
    /// Where the file came from, for messages.
    public var source: String

    public func token(_ symbol: String) -> ChainToken? {
        tokens.first { $0.symbol == symbol }
    }
}

/// Every chain of a configuration directory, checked against each other.
public struct MarketConfig: Sendable, Hashable {
    public var chains: [ChainConfig]

    public func chain(_ name: String) -> ChainConfig? {
        chains.first { $0.name == name }
    }

    /// Every value that came from the environment: masked in whatever the pull reports.
    var secrets: [String] {
        chains.flatMap { chain -> [String] in
            var found = (chain.rpc?.secrets ?? []) + chain.bridges.flatMap { $0.endpoint.secrets + ($0.apiKey.map { [$0.value] } ?? []) }
            for source in chain.prices {
                switch source.kind {
                case .defiLlama(let endpoint, _): found += endpoint.secrets
                case .coinGecko(let endpoint, _, let key): found += endpoint.secrets + (key.map { [$0.value] } ?? [])
                default: break
                }
            }
            return found
        }
    }

    /// Every token with its decimals, in first-seen order.
    public var tokens: [Token] {
        var seen: Set<String> = []
        return chains.flatMap(\.tokens).compactMap { token in
            seen.insert(token.symbol).inserted ? Token(symbol: token.symbol, decimals: token.decimals) : nil
        }
    }
}
