import BallastCore
import BallastHTTP
import Foundation

/// One price as an API states it.
package struct APIPrice: Sendable, Equatable {
    package var priceUSD: Double
    package var observedAt: Date
}

/// DefiLlama `GET /prices/current/{slug:address,…}`:
/// `{"coins": {"ethereum:0x…": {"price": 3012.5, "timestamp": 1732449598, …}}}`.
package enum DefiLlama {
    /// Coins per request: enough to keep one request per tick, short enough for any URL limit.
    static let coinsPerRequest = 100

    static func key(slug: String, address: String) -> String { "\(slug):\(address)" }

    static func url(_ endpoint: Endpoint, keys: [String]) -> String {
        endpoint.url(calling: "/prices/current/\(keys.joined(separator: ","))")
    }

    /// Each requested key's price, or why there is none.
    package static func decode(_ body: Data, keys: [String]) throws(SourceError) -> [String: Result<APIPrice, SourceError>] {
        try APIPrice.lookup(try WireReader.parse(body).field("coins"), keys: keys, price: "price", time: "timestamp")
    }
}

/// CoinGecko `GET /simple/token_price/{platform}?contract_addresses=…&vs_currencies=usd&include_last_updated_at=true`:
/// `{"0x…": {"usd": 3012.5, "last_updated_at": 1732449598}}`.
package enum CoinGecko {
    static func url(_ endpoint: Endpoint, platform: String, addresses: [String]) -> String {
        endpoint.url(calling: "/simple/token_price/\(platform)?contract_addresses=\(addresses.joined(separator: ","))&vs_currencies=usd&include_last_updated_at=true")
    }

    /// The paid API and the free (demo) API name their key header differently.
    static func headers(_ endpoint: Endpoint, apiKey: Secret?) -> [HTTPHeader] {
        guard let apiKey else { return [] }
        return [HTTPHeader(endpoint.url.contains("pro-api") ? "x-cg-pro-api-key" : "x-cg-demo-api-key", apiKey.value)]
    }

    package static func decode(_ body: Data, addresses: [String]) throws(SourceError) -> [String: Result<APIPrice, SourceError>] {
        try APIPrice.lookup(try WireReader.parse(body), keys: addresses, price: "usd", time: "last_updated_at")
    }
}

extension APIPrice {
    /// Each key's price in an object keyed by coin, or why there is none. Keys are compared
    /// without case: APIs echo addresses in either, and hex is the same number both ways.
    static func lookup(_ object: WireReader, keys: [String], price: String, time: String) throws(SourceError) -> [String: Result<APIPrice, SourceError>] {
        let fields = try object.object()
        let byLower = Dictionary(fields.map { ($0.key.lowercased(), $0.key) }, uniquingKeysWith: { first, _ in first })
        var results: [String: Result<APIPrice, SourceError>] = [:]
        for key in keys {
            guard let found = byLower[key.lowercased()] else {
                results[key] = .failure(SourceError("\(key) is not in the response"))
                continue
            }
            results[key] = Result { () throws(SourceError) -> APIPrice in
                let coin = try object.field(found)
                return APIPrice(priceUSD: try coin.field(price).number(positive: true), observedAt: try coin.field(time).epochSeconds())
            }
        }
        return results
    }
}
