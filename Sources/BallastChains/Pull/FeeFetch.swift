import BallastCore
import BallastHTTP
import BigInt
import Foundation

/// One route's fee quote to ask for: a bridge, a token, two chains, the transfer size.
struct FeeRequest: Sendable {
    var label: String
    var bridge: BridgeConfig
    var question: FeeQuestion
    var fromChain: String
    var toChain: String
    var token: String

    /// Every route the configuration names, in a stable order.
    static func all(in market: MarketConfig) -> [FeeRequest] {
        var requests: [FeeRequest] = []
        for chain in market.chains {
            for bridge in chain.bridges {
                for destination in bridge.destinations {
                    guard let target = market.chain(destination) else { continue }
                    for symbol in bridge.tokens {
                        guard let from = chain.token(symbol), let to = target.token(symbol), let size = from.transferSize else { continue }
                        let units = BigUInt(String(size.units))! * BigUInt(10).power(from.decimals - size.scale)
                        requests.append(FeeRequest(
                            label: "\(bridge.name) \(chain.name)→\(destination) \(symbol)", bridge: bridge,
                            question: FeeQuestion(fromChainID: chain.chainID, toChainID: target.chainID, fromToken: from, toToken: to,
                                                  units: units, sender: chain.treasury),
                            fromChain: chain.name, toChain: destination, token: symbol))
                    }
                }
            }
        }
        return requests
    }

    func fetch(with fetcher: RetryingFetcher, deadline: Duration, now: @Sendable () -> Date) async -> RouteReading {
        let request: HTTPRequest
        switch bridge.api {
        case .across:
            request = fetcher.request(Across.url(bridge.endpoint, question), endpoint: bridge.endpoint, timeoutSeconds: bridge.timeoutSeconds)
        case .lifi:
            request = fetcher.request(LiFi.url(bridge.endpoint, question),
                                      headers: bridge.apiKey.map { [HTTPHeader("x-lifi-api-key", $0.value)] } ?? [],
                                      endpoint: bridge.endpoint, extraSecrets: bridge.apiKey.map { [$0.value] } ?? [],
                                      timeoutSeconds: bridge.timeoutSeconds)
        }
        let outcome = await fetcher.send(request, deadline: deadline).flatMap { response in
            Result { () throws(SourceError) -> Route in
                let quote = switch bridge.api {
                case .across: try Across.decode(response.body, question, gasUSD: bridge.gasUSD ?? 0)
                case .lifi: try LiFi.decode(response.body, question)
                }
                return Route(from: fromChain, to: toChain, token: token, bridge: bridge.name, feeBps: quote.feeBps,
                             feeFixed: quote.feeFixed, gasUSD: quote.gasUSD, etaSeconds: quote.etaSeconds,
                             maxAmount: quote.maxAmount, observedAt: quote.observedAt ?? now())
            }
        }
        return RouteReading(label: label, chain: fromChain, outcome: outcome)
    }
}
