import BallastCore
import BallastHTTP
import Foundation

/// One price as an API states it.
struct APIPrice: Sendable, Equatable {
    var priceUSD: Double
    var observedAt: Date
}

/// DefiLlama `GET /prices/current/{slug:address,…}`:
/// `{"coins": {"ethereum:0x…": {"price": 3012.5, "timestamp": 1732449598, …}}}`.
enum DefiLlama {
    /// Coins per request: enough to keep one request per tick, short enough for any URL limit.
    static let coinsPerRequest = 100

    static func key(slug: String, address: String) -> String { "\(slug):\(address)" }

    static func url(base: String, keys: [String]) -> String {
        "\(base.trimmingSuffix("/"))/prices/current/\(keys.joined(separator: ","))"
    }

    /// Each requested key's price, or why there is none.
    static func decode(_ body: Data, keys: [String]) throws(SourceError) -> [String: Result<APIPrice, SourceError>] {
        let coins = try WireReader.parse(body).field("coins")
        let fields = try coins.object()
        // Keys come back as sent, but compare without case: an address is hex either way.
        let byLower = Dictionary(fields.map { ($0.key.lowercased(), $0.key) }, uniquingKeysWith: { first, _ in first })
        var results: [String: Result<APIPrice, SourceError>] = [:]
        for key in keys {
            guard let found = byLower[key.lowercased()] else {
                results[key] = .failure(SourceError("\(key) is not in the response"))
                continue
            }
            results[key] = Result { () throws(SourceError) -> APIPrice in
                let coin = try coins.field(found)
                return APIPrice(priceUSD: try coin.field("price").number(positive: true),
                                observedAt: try coin.field("timestamp").epochSeconds())
            }
        }
        return results
    }
}

/// CoinGecko `GET /simple/token_price/{platform}?contract_addresses=…&vs_currencies=usd&include_last_updated_at=true`:
/// `{"0x…": {"usd": 3012.5, "last_updated_at": 1732449598}}`.
enum CoinGecko {
    static func request(endpoint: Endpoint, platform: String, addresses: [String], apiKey: Secret?, timeout: Duration, maxBodyBytes: Int) -> HTTPRequest {
        let url = "\(endpoint.url.trimmingSuffix("/"))/simple/token_price/\(platform)?contract_addresses=\(addresses.joined(separator: ","))&vs_currencies=usd&include_last_updated_at=true"
        // The paid API and the free (demo) API name their key header differently.
        let header = endpoint.url.contains("pro-api") ? "x-cg-pro-api-key" : "x-cg-demo-api-key"
        return HTTPRequest(url: url, headers: apiKey.map { [HTTPHeader(header, $0.value)] } ?? [],
                           timeout: timeout, maxBodyBytes: maxBodyBytes, allowsFileScheme: endpoint.isFile,
                           secrets: endpoint.secrets + (apiKey.map { [$0.value] } ?? []))
    }

    static func decode(_ body: Data, addresses: [String]) throws(SourceError) -> [String: Result<APIPrice, SourceError>] {
        let root = try WireReader.parse(body)
        let fields = try root.object()
        let byLower = Dictionary(fields.map { ($0.key.lowercased(), $0.key) }, uniquingKeysWith: { first, _ in first })
        var results: [String: Result<APIPrice, SourceError>] = [:]
        for address in addresses {
            guard let found = byLower[address.lowercased()] else {
                results[address] = .failure(SourceError("\(address) is not in the response"))
                continue
            }
            results[address] = Result { () throws(SourceError) -> APIPrice in
                let coin = try root.field(found)
                return APIPrice(priceUSD: try coin.field("usd").number(positive: true),
                                observedAt: try coin.field("last_updated_at").epochSeconds())
            }
        }
        return results
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
