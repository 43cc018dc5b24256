import BallastCore
import Foundation

/// The simulated market's answers in the real wire formats.
struct MarketWire {
    let market: SimulatedMarket
    let state: MarketState
    let conditions: MarketConditions
    let now: Date

    static func endpoint(of request: LoopbackRequest) -> MarketEndpoint? {
        let parts = request.path.split(separator: "/")
        switch parts.first {
        case "rpc": return parts.count > 1 ? .rpc(String(parts[1])) : nil
        case "llama": return .defiLlama
        case "gecko": return .coinGecko
        case "across": return .across
        case "lifi": return .lifi
        default: return nil
        }
    }

    /// The misbehaving reply, or nil when this request should be answered normally.
    static func reply(for fault: EndpointFault, hit: Int) -> LoopbackReply? {
        switch fault {
        case .status(let code): .text("simulated trouble", status: code)
        case .tooManyRequests(let seconds, let times):
            hit <= times ? .text("slow down", status: 429, headers: [("Retry-After", String(seconds))]) : nil
        case .hang: .never
        case .body(let text): .json(text)
        case .truncated: .truncated(declaredLength: 4096, body: Data(#"{"coins": {"#.utf8))
        case .oversized(let bytes): .respond(status: 200, headers: [("Content-Type", "application/json")], body: Data(repeating: 0x20, count: bytes))
        }
    }

    func answer(_ request: LoopbackRequest) -> LoopbackReply {
        switch Self.endpoint(of: request) {
        case .rpc(let chain)?: return rpc(chain: chain, body: request.body)
        case .defiLlama?: return defiLlama(path: request.path)
        case .coinGecko?: return coinGecko(request)
        case .across?: return across(Self.query(request.uri))
        case .lifi?: return lifi(Self.query(request.uri))
        case nil: return .text("no such endpoint", status: 404)
        }
    }

    private var seconds: Int { Int(now.timeIntervalSince1970) }

    // MARK: JSON-RPC

    private func rpc(chain: String, body: Data) -> LoopbackReply {
        guard let c = market.chainIndex(named: chain) else { return .text("unknown chain", status: 404) }
        guard !state.rpcDown.contains(c) else { return .text("node unavailable", status: 503) }
        guard case .array(let calls)? = try? DocumentParser.json(body, source: "request") else {
            return .json(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}"#)
        }
        var answers: [String] = []
        for call in calls {
            guard case .object(let fields) = call, case .number(let id)? = fields["id"], case .string(let method)? = fields["method"] else { continue }
            let idText = String(Int(id))
            if method == "eth_getBlockByNumber" {
                answers.append(#"{"jsonrpc":"2.0","id":\#(idText),"result":{"number":"0x\#(String(20_000_000 + c, radix: 16))","timestamp":"0x\#(String(seconds - 2, radix: 16))"}}"#)
                continue
            }
            guard method == "eth_call", case .array(let params)? = fields["params"], case .object(let tx)? = params.first,
                  case .string(let to)? = tx["to"], case .string(let data)? = tx["data"] else {
                answers.append(#"{"jsonrpc":"2.0","id":\#(idText),"error":{"code":-32601,"message":"method not found"}}"#)
                continue
            }
            switch conditions.callFaults[to.lowercased()] {
            case .rpcError(let code, let message)?:
                answers.append(#"{"jsonrpc":"2.0","id":\#(idText),"error":{"code":\#(code),"message":"\#(message)"}}"#)
            case .revert?:
                answers.append(#"{"jsonrpc":"2.0","id":\#(idText),"error":{"code":3,"message":"execution reverted","data":"0x"}}"#)
            case .noAnswer?:
                continue
            case .result(let hex)?:
                answers.append(#"{"jsonrpc":"2.0","id":\#(idText),"result":"\#(hex)"}"#)
            case nil:
                if let result = ethCall(chain: c, to: to, data: data) {
                    answers.append(#"{"jsonrpc":"2.0","id":\#(idText),"result":"\#(result)"}"#)
                } else {
                    answers.append(#"{"jsonrpc":"2.0","id":\#(idText),"error":{"code":3,"message":"execution reverted","data":"0x"}}"#)
                }
            }
        }
        // Nodes may answer a batch in any order: reversed, so matching by id is exercised.
        return .json("[" + answers.reversed().joined(separator: ",") + "]")
    }

    private func ethCall(chain c: Int, to: String, data: String) -> String? {
        guard let (kind, chain, t) = market.decode(address: to), chain == c else { return nil }
        // Before its launch a chain has token contracts (balances read 0) but no pools or feeds.
        guard state.launched[c] || kind == .token else { return nil }
        let selector = String(data.lowercased().prefix(10))
        switch (kind, selector) {
        case (.pairV2, "0x0dfe1681"), (.poolV3, "0x0dfe1681"):
            return Self.words([Self.addressWord(market.tokenAddress(0, chain: c))])
        case (.pairV2, "0x0902f1ac"):
            let r = state.reserveUnits(t, chain: c, decimals: market.decimals(t))
            return Self.words([Self.word(r.usdc), Self.word(r.token), Self.word(Int128(seconds - 60))])
        case (.poolV3, "0x3850c7bd"):
            return Self.words([Self.word(sqrtPriceX96(t, chain: c)), Self.word(0), Self.word(1), Self.word(1), Self.word(1), Self.word(0), Self.word(1)])
        case (.feed, "0x313ce567"):
            return Self.words([Self.word(8)])
        case (.feed, "0xfeaf968c"):
            let marketAnswer = Int128((state.feedPrices[c][t] * 1e8).rounded())
            let answer: Int128 = conditions.feedAnswers[to.lowercased()].map { Int128($0) } ?? marketAnswer
            let frozen = state.frozenFeeds[Place(chain: c, token: t)].map { Int($0.timeIntervalSince1970) }
            let updated = Int128(conditions.staleFeeds.contains(to.lowercased()) ? seconds - 7200 : frozen ?? seconds - 30)
            let round: Int128 = (6 << 64) + 10_551
            return Self.words([Self.word(round), Self.word(answer), Self.word(updated), Self.word(updated), Self.word(round)])
        case (.token, "0x70a08231"):
            return Self.words([Self.word(state.balances[c][t])])
        default:
            return nil
        }
    }

    /// USDC is token0: the pool's price is token units per USDC unit, `(1/p)·10^(d − 6)`.
    private func sqrtPriceX96(_ t: Int, chain c: Int) -> Int128 {
        let raw = 1 / state.prices[c][t] * pow(10, Double(market.decimals(t) - 6))
        return Int128((raw.squareRoot() * 79_228_162_514_264_337_593_543_950_336.0).rounded())
    }

    static func word(_ value: Int128) -> String {
        if value >= 0 { return SimulatedMarket.hex(0, 32) + hex128(UInt128(value)) }
        return String(repeating: "f", count: 32) + hex128(UInt128(bitPattern: value))
    }

    private static func hex128(_ value: UInt128) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 32 - text.count) + text
    }

    static func addressWord(_ address: String) -> String { String(repeating: "0", count: 24) + address.dropFirst(2) }

    static func words(_ words: [String]) -> String { "0x" + words.joined() }

    // MARK: Price APIs

    private func apiPrice(_ c: Int, _ t: Int) -> String {
        let price = conditions.apiPrices["\(market.chainName(c))/\(market.symbol(t))"] ?? state.prices[c][t]
        return "\(price)"
    }

    private func defiLlama(path: String) -> LoopbackReply {
        guard let range = path.range(of: "/prices/current/") else { return .text("not found", status: 404) }
        var coins: [String] = []
        for key in path[range.upperBound...].split(separator: ",") {
            let parts = key.split(separator: ":")
            guard parts.count == 2, let (kind, c, t) = market.decode(address: String(parts[1])), kind == .token,
                  market.chainName(c) == parts[0], state.launched[c] else { continue }
            coins.append(#""\#(key)":{"decimals":\#(market.decimals(t)),"symbol":"\#(market.symbol(t))","price":\#(apiPrice(c, t)),"timestamp":\#(seconds - 10),"confidence":0.99}"#)
        }
        return .json(#"{"coins":{\#(coins.joined(separator: ","))}}"#)
    }

    private func coinGecko(_ request: LoopbackRequest) -> LoopbackReply {
        let query = Self.query(request.uri)
        var entries: [String] = []
        for address in (query["contract_addresses"] ?? "").split(separator: ",") {
            guard let (kind, c, t) = market.decode(address: String(address)), kind == .token, state.launched[c] else { continue }
            entries.append(#""\#(address)":{"usd":\#(apiPrice(c, t)),"last_updated_at":\#(seconds - 10)}"#)
        }
        return .json("{" + entries.joined(separator: ",") + "}")
    }

    // MARK: Fee APIs

    private func route(_ query: [String: String], from: String, to: String, token: String, amount: String) -> (c: Int, d: Int, t: Int, units: Int128)? {
        guard let fromID = query[from].flatMap(Int.init), let toID = query[to].flatMap(Int.init), fromID != toID,
              let address = query[token], let (kind, c, t) = market.decode(address: address), kind == .token,
              market.chainID(c) == fromID, let d = (0..<market.chainCount).first(where: { market.chainID($0) == toID }),
              state.launched[c], state.launched[d], let units = query[amount].flatMap({ Int128($0) }), units > 0 else { return nil }
        return (c, d, t, units)
    }

    private func across(_ query: [String: String]) -> LoopbackReply {
        guard let (c, d, t, units) = route(query, from: "originChainId", to: "destinationChainId", token: "inputToken", amount: "amount") else {
            return .json(#"{"message":"Unsupported route","code":"INVALID_PARAM"}"#, status: 400)
        }
        if state.haltedBridges.contains(c) { return .json(#"{"message":"Deposits from this chain are paused","code":"ROUTE_PAUSED"}"#, status: 503) }
        let capital = units * Int128(SimulatedMarket.acrossFeeBps) / 10_000
        let gas = state.acrossGasUnits(t, chain: c, decimals: market.decimals(t))
        let maxDeposit = state.haltedBridges.contains(d) ? 0 : units * 1000
        let fee = { (total: Int128) in #"{"pct":"\#(total * 1_000_000_000_000_000_000 / units)","total":"\#(total)"}"# }
        return .json(#"{"estimatedFillTimeSec":\#(market.fillSeconds),"totalRelayFee":\#(fee(capital + gas)),"relayerCapitalFee":\#(fee(capital)),"relayerGasFee":\#(fee(gas)),"lpFee":\#(fee(0)),"timestamp":"\#(seconds - 5)","isAmountTooLow":false,"quoteBlock":"20000000","limits":{"minDeposit":"1","maxDeposit":"\#(maxDeposit)","maxDepositInstant":"\#(units * 100)","maxDepositShortDelay":"\#(units * 1000)","recommendedDepositInstant":"\#(units * 100)"}}"#)
    }

    private func lifi(_ query: [String: String]) -> LoopbackReply {
        guard let (_, _, _, units) = route(query, from: "fromChain", to: "toChain", token: "fromToken", amount: "fromAmount") else {
            return .json(#"{"message":"No available quotes for the requested transfer","code":1002}"#, status: 404)
        }
        let out = units - units * Int128(SimulatedMarket.lifiFeeBps) / 10_000
        return .json(#"{"type":"lifi","tool":"across","estimate":{"tool":"across","fromAmount":"\#(units)","toAmount":"\#(out)","toAmountMin":"\#(out)","executionDuration":120,"feeCosts":[],"gasCosts":[{"type":"SEND","amount":"1000000000000000","amountUSD":"1.25"}]}}"#)
    }

    static func query(_ uri: String) -> [String: String] {
        guard let mark = uri.firstIndex(of: "?") else { return [:] }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { query[String(kv[0])] = String(kv[1]) }
        }
        return query
    }
}
