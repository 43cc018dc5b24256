import BallastCore
import BallastHTTP
import Foundation

/// Price API requests for a tick, grouped so each endpoint is asked as few times as it
/// can be: DefiLlama takes every chain's coins in one request (chunked for URL length),
/// CoinGecko one request per platform.
struct PriceAPIFetch: Sendable {
    private struct Member: Sendable {
        var chain: String
        var source: PriceSourceConfig
        /// The key the API answers under: `slug:address` or the address.
        var key: String
    }

    private enum API: Sendable { case defiLlama, coinGecko }

    private struct Group: Sendable {
        var api: API
        var request: HTTPRequest
        var members: [Member]
    }

    private let groups: [Group]

    init(market: MarketConfig, fetcher: RetryingFetcher) {
        var llama: [String: (Endpoint, [Member])] = [:]
        var gecko: [String: (Endpoint, String, Secret?, [Member])] = [:]
        for chain in market.chains {
            for source in chain.prices {
                guard let token = chain.token(source.token) else { continue }
                switch source.kind {
                case .defiLlama(let endpoint, let slug):
                    llama[endpoint.url, default: (endpoint, [])].1.append(
                        Member(chain: chain.name, source: source, key: DefiLlama.key(slug: slug, address: token.address)))
                case .coinGecko(let endpoint, let platform, let key):
                    gecko["\(endpoint.url) \(platform) \(key?.value ?? "")", default: (endpoint, platform, key, [])].3.append(
                        Member(chain: chain.name, source: source, key: token.address))
                default:
                    continue
                }
            }
        }
        var groups: [Group] = []
        for (_, (endpoint, members)) in llama.sorted(by: { $0.key < $1.key }) {
            for start in stride(from: 0, to: members.count, by: DefiLlama.coinsPerRequest) {
                let chunk = Array(members[start..<min(start + DefiLlama.coinsPerRequest, members.count)])
                let url = DefiLlama.url(endpoint, keys: Array(Set(chunk.map(\.key))).sorted())
                groups.append(Group(api: .defiLlama, request: fetcher.request(url, endpoint: endpoint, timeoutSeconds: Self.timeout(chunk)),
                                    members: chunk))
            }
        }
        for (_, (endpoint, platform, key, members)) in gecko.sorted(by: { $0.key < $1.key }) {
            let url = CoinGecko.url(endpoint, platform: platform, addresses: Array(Set(members.map(\.key))).sorted())
            let request = fetcher.request(url, headers: CoinGecko.headers(endpoint, apiKey: key), endpoint: endpoint,
                                          extraSecrets: key.map { [$0.value] } ?? [], timeoutSeconds: Self.timeout(members))
            groups.append(Group(api: .coinGecko, request: request, members: members))
        }
        self.groups = groups
    }

    var requestCount: Int { groups.count }

    /// One request serves several sources: it gets the longest time any of them allows, so
    /// no source is cut short by another's setting.
    private static func timeout(_ members: [Member]) -> Double? {
        let set = members.compactMap(\.source.timeoutSeconds)
        return set.count == members.count ? set.max() : nil
    }

    /// Runs group `index` and reads each member's price from the answer.
    func fetch(_ index: Int, with fetcher: RetryingFetcher, deadline: Duration) async -> [PriceReading] {
        let group = groups[index]
        let keys = group.members.map(\.key)
        let prices: Result<[String: Result<APIPrice, SourceError>], SourceError> = await fetcher.send(group.request, deadline: deadline)
            .flatMap { response in
                Result { () throws(SourceError) in
                    switch group.api {
                    case .defiLlama: try DefiLlama.decode(response.body, keys: keys)
                    case .coinGecko: try CoinGecko.decode(response.body, addresses: keys)
                    }
                }
            }
        return group.members.map { member in
            let outcome = prices.flatMap { $0[member.key] ?? .failure(SourceError("not asked")) }
                .map { PriceReading.Stated(value: .usd($0.priceUSD), observedAt: $0.observedAt) }
            return PriceReading(chain: member.chain, source: member.source, outcome: outcome)
        }
    }
}
