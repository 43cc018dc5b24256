import BallastCore
import Foundation

/// What one price source said this tick, before it is checked and put in USD.
struct PriceReading: Sendable {
    enum Value: Sendable, Equatable {
        /// A USD price (Chainlink, DefiLlama, CoinGecko).
        case usd(Double)
        /// A pool's reserves against another token of the chain (Uniswap V2).
        case pool(PoolReserves, quoteToken: String, feeBps: Double)
        /// A price in units of another token of the chain (Uniswap V3).
        case relative(Double, quoteToken: String)
    }

    struct Stated: Sendable, Equatable {
        var value: Value
        var observedAt: Date
    }

    var chain: String
    var source: PriceSourceConfig
    var outcome: Result<Stated, SourceError>

    /// `ethereum/WETH uniswap-v2`: how the source is named in reports and health.
    var label: String { "\(chain)/\(source.token) \(source.name)" }
}

/// A treasury balance as read, or why it could not be.
struct BalanceReading: Sendable {
    var chain: String
    var token: String
    var outcome: Result<Amount, SourceError>

    var label: String { "\(chain)/\(token) balance" }
}

/// A bridge route's fee quote, or why there is none.
struct RouteReading: Sendable {
    var label: String
    /// The sending chain: where the route's health is reported.
    var chain: String
    var outcome: Result<Route, SourceError>
}

/// One source that gave nothing usable this tick.
public struct SourceFailure: Sendable, Hashable, CustomStringConvertible {
    /// `ethereum/WETH chainlink`, `across ethereum→arbitrum WETH`, `ethereum/USDC balance`.
    public var source: String
    public var reason: String
    public var code: SourceError.Code

    public var description: String { "\(source): \(reason)" }
}
