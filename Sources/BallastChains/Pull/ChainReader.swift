import BallastCore
import BigInt
import Foundation

/// One chain's reads for a tick, all in one JSON-RPC batch: the latest block (its time is
/// when every on-chain value was observed), each on-chain price source, and the
/// treasury's balances.
struct ChainReader: Sendable {
    let chain: ChainConfig
    private let calls: [RPCCall]
    private let reads: [Read]

    init(chain: ChainConfig) {
        self.chain = chain
        (calls, reads) = Self.plan(chain)
    }

    private enum Read: Sendable {
        case block
        /// `token0()` then `getReserves()` or `slot0()`.
        case pair(PriceSourceConfig, token0: Int, state: Int)
        /// Per feed, `decimals()` then `latestRoundData()`.
        case chainlink(PriceSourceConfig, [ChainlinkFeed], calls: [(decimals: Int, round: Int)])
        case balance(ChainToken, call: Int)
    }

    private static func plan(_ chain: ChainConfig) -> (calls: [RPCCall], reads: [Read]) {
        var calls: [RPCCall] = [.latestBlock]
        var reads: [Read] = [.block]
        func add(_ call: RPCCall) -> Int {
            calls.append(call)
            return calls.count - 1
        }
        for source in chain.prices {
            switch source.kind {
            case .uniswapV2(let pair, _, _):
                reads.append(.pair(source, token0: add(.ethCall(to: pair, data: ContractFunction.token0.calldata())),
                                   state: add(.ethCall(to: pair, data: ContractFunction.getReserves.calldata()))))
            case .uniswapV3(let pool, _, _):
                reads.append(.pair(source, token0: add(.ethCall(to: pool, data: ContractFunction.token0.calldata())),
                                   state: add(.ethCall(to: pool, data: ContractFunction.slot0.calldata()))))
            case .chainlink(let feeds):
                reads.append(.chainlink(source, feeds, calls: feeds.map { feed in
                    (add(.ethCall(to: feed.address, data: ContractFunction.decimals.calldata())),
                     add(.ethCall(to: feed.address, data: ContractFunction.latestRoundData.calldata())))
                }))
            case .defiLlama, .coinGecko:
                continue
            }
        }
        if let treasury = chain.treasury {
            for token in chain.tokens {
                reads.append(.balance(token, call: add(.ethCall(to: token.address, data: ContractFunction.balanceOf.calldata(address: treasury)))))
            }
        }
        return (calls, reads)
    }

    /// Whether this chain has anything to read over RPC.
    var hasReads: Bool { chain.rpc != nil && calls.count > 1 }

    /// The batches to send: the calls split at `limit` per request.
    func batches(limit: Int) -> [[RPCCall]] {
        stride(from: 0, to: calls.count, by: max(1, limit)).map { Array(calls[$0..<min($0 + limit, calls.count)]) }
    }

    /// Turns the answers (by call position; a failed batch fails its calls) into readings.
    func readings(_ answers: [Result<DocumentValue, SourceError>]) -> (prices: [PriceReading], balances: [BalanceReading]) {
        var blockTime: Result<Date, SourceError> = .failure(SourceError("no block"))
        var prices: [PriceReading] = []
        var balances: [BalanceReading] = []
        func hex(_ index: Int) throws(SourceError) -> String {
            switch answers[index] {
            case .success(let value):
                guard case .string(let text) = value else { throw SourceError("eth_call result is \(value.described), not hex data") }
                return text
            case .failure(let error):
                throw error
            }
        }
        for read in reads {
            switch read {
            case .block:
                blockTime = answers[0].mapError { SourceError("no block time to date the reading: \($0.reason)", code: $0.code) }.flatMap { value in
                    Result { () throws(SourceError) -> Date in
                        let timestamp = try WireReader(value, path: "eth_getBlockByNumber").field("timestamp").string()
                        guard let seconds = Hex.quantity(timestamp), seconds > 0 else {
                            throw SourceError("eth_getBlockByNumber: timestamp \"\(timestamp.prefix(40))\" is not a hex quantity")
                        }
                        return Date(timeIntervalSince1970: Double(seconds))
                    }
                }
            case .pair(let source, let token0, let state):
                prices.append(PriceReading(chain: chain.name, source: source, outcome: Result { () throws(SourceError) -> PriceReading.Stated in
                    let observed = try blockTime.get()
                    guard let base = chain.token(source.token) else { throw SourceError("unknown token") }
                    switch source.kind {
                    case .uniswapV2(_, let quote, let fee):
                        guard let quoteToken = chain.token(quote) else { throw SourceError("unknown quote token") }
                        let reserves = try UniswapV2.reserves(token0: try hex(token0), getReserves: try hex(state), base: base, quote: quoteToken)
                        return .init(value: .pool(reserves, quoteToken: quote, feeBps: fee), observedAt: observed)
                    case .uniswapV3(_, let quote, _):
                        guard let quoteToken = chain.token(quote) else { throw SourceError("unknown quote token") }
                        let price = try UniswapV3.price(token0: try hex(token0), slot0: try hex(state), base: base, quote: quoteToken)
                        return .init(value: .relative(price, quoteToken: quote), observedAt: observed)
                    default:
                        throw SourceError("not a pair source")
                    }
                }))
            case .chainlink(let source, let feeds, let calls):
                prices.append(PriceReading(chain: chain.name, source: source, outcome: Result { () throws(SourceError) -> PriceReading.Stated in
                    let rounds = try zip(feeds, calls).map { feed, call throws(SourceError) in
                        do throws(SourceError) {
                            return try Chainlink.round(decimals: try hex(call.decimals), latestRoundData: try hex(call.round))
                        } catch {
                            // In a product, say which feed failed.
                            throw feeds.count == 1 ? error : SourceError("feed \(feed.address): \(error.reason)", code: error.code)
                        }
                    }
                    if rounds.count == 1 { return .init(value: .usd(rounds[0].price), observedAt: rounds[0].updatedAt) }
                    // A product is only as fresh as each of its feeds by that feed's own
                    // schedule; the source's age limit then applies to the older round.
                    let now = try blockTime.get()
                    for (feed, round) in zip(feeds, rounds) where now.timeIntervalSince(round.updatedAt) > feed.staleAfterSeconds {
                        throw SourceError("stale: feed \(feed.address) was updated \(Int(now.timeIntervalSince(round.updatedAt))) s before the block, "
                                          + "more than its heartbeat_seconds \(DocumentValue.format(feed.heartbeatSeconds)) and a minute's grace", code: .stale)
                    }
                    return .init(value: .usd(rounds.map(\.price).reduce(1, *)), observedAt: rounds.map(\.updatedAt).min() ?? now)
                }))
            case .balance(let token, let call):
                balances.append(BalanceReading(chain: chain.name, token: token.symbol, outcome: Result { () throws(SourceError) -> Amount in
                    let data = try hex(call)
                    let units: BigUInt
                    do throws(ABIError) {
                        let words = try ABIWords(hex: data)
                        guard words.count == 1 else { throw ABIError(message: "returned \(words.count) words, expected 1") }
                        units = try words.unsigned(0, bits: 256)
                    } catch {
                        throw SourceError("balanceOf: \(error.message)")
                    }
                    return try TokenUnits.amount(units, decimals: token.decimals, what: "the balance")
                }))
            }
        }
        return (prices, balances)
    }
}
