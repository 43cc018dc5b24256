import BallastCore
import Foundation

extension ChainConfig {
    /// Decodes and validates one chain file; every problem is reported at once, each
    /// naming its key path (`prices.WETH[1].feed: …`).
    public static func decode(yaml text: String, source: String, environment: [String: String]) throws(InvalidInput) -> ChainConfig {
        let document = try DocumentParser.yaml(text, source: source)
        let log = ProblemLog()
        guard let root = FieldReader(document, entry: nil, what: "the chain file", log: log) else {
            throw InvalidInput(source: source, problems: log.problems)
        }
        let env = EnvironmentReference(environment: environment)
        let name = root.string("name")
        let chainID = root.integer("chain_id", in: .positive)
        let rpc = root.endpoint("rpc", required: false, env: env)
        let rpcTimeout = root.number("rpc_timeout_seconds", required: false, in: timeoutRange)
        let treasury = root.address("treasury", required: false)

        var tokens: [ChainToken] = []
        if let t = root.object("tokens") {
            for (symbol, _) in t.entries() {
                guard let r = t.object(symbol) else { continue }
                let address = r.address("address")
                let decimals = r.integer("decimals", in: NumberRange(min: 0, max: Double(Amount.maxScale)))
                let size = r.amount("transfer_size", required: false, decimals: decimals, in: .positive)
                r.finish()
                if let address, let decimals {
                    tokens.append(ChainToken(symbol: symbol, address: address, decimals: decimals, transferSize: size))
                }
            }
            t.finish()
        }
        let symbols = Set(tokens.map(\.symbol))

        var prices: [PriceSourceConfig] = []
        if let p = root.object("prices", required: false) {
            for (symbol, _) in p.entries() {
                if !symbols.contains(symbol) { p.fail(symbol, "is not one of this chain's tokens") }
                for (i, item) in (p.array(symbol) ?? []).enumerated() {
                    guard let r = FieldReader(item, entry: nil, prefix: "prices.\(symbol)[\(i)].", what: "prices.\(symbol)[\(i)]", log: log),
                          let config = decodePriceSource(r, token: symbol, chain: name, tokens: symbols, env: env) else { continue }
                    if prices.contains(where: { $0.token == symbol && $0.name == config.name }) {
                        r.fail("name", "\(config.name) is used twice for \(symbol); give one source another name")
                    } else {
                        prices.append(config)
                    }
                }
            }
            p.finish()
        }

        var bridges: [BridgeConfig] = []
        for (i, item) in (root.array("bridges", required: false) ?? []).enumerated() {
            guard let r = FieldReader(item, entry: nil, prefix: "bridges[\(i)].", what: "bridges[\(i)]", log: log),
                  let bridge = decodeBridge(r, tokens: symbols, env: env, treasury: treasury) else { continue }
            bridges.append(bridge)
        }
        if rpc == nil, treasury != nil { root.fail("treasury", "needs an rpc endpoint to read balances from") }
        if rpc == nil, prices.contains(where: \.isOnChain) { root.fail("rpc", "is required: on-chain price sources read through it") }
        root.finish()
        guard log.isEmpty, let name, let chainID else { throw InvalidInput(source: source, problems: log.problems) }
        return ChainConfig(name: name, chainID: chainID, rpc: rpc, rpcTimeoutSeconds: rpcTimeout, treasury: treasury, tokens: tokens,
                           prices: prices, bridges: bridges, source: source)
    }

    /// A request's time limit: above zero, at most ten minutes (as `--request-timeout`).
    static let timeoutRange = NumberRange(min: 0, minInclusive: false, max: 600)

    static let defaultHeartbeatSeconds = 3600.0
    static let defaultMaxAgeSeconds = 300.0

    private static func decodePriceSource(_ r: FieldReader, token: String, chain: String?, tokens: Set<String>,
                                          env: EnvironmentReference) -> PriceSourceConfig? {
        let kindName = r.string("source")
        let explicitName = r.string("name", required: false)
        let maxAge = r.number("max_age_seconds", required: false, in: .seconds)
        let swapFee = r.number("swap_fee_bps", required: false, in: .feeBps)
        let timeout = r.number("timeout_seconds", required: false, in: timeoutRange)
        func quoteToken() -> String? {
            guard let quote = r.string("quote") else { return nil }
            if quote == token { r.fail("quote", "must be another token than \(token)") }
            if !tokens.contains(quote) { r.fail("quote", "names \(quote), which is not one of this chain's tokens") }
            return quote
        }
        var kind: PriceSourceConfig.Kind?
        var defaultAge = defaultMaxAgeSeconds
        switch kindName {
        case "uniswap-v2":
            let pair = r.address("pair"), quote = quoteToken()
            let fee = r.number("fee_bps", required: false, in: .feeBps) ?? 30
            if let pair, let quote { kind = .uniswapV2(pair: pair, quote: quote, feeBps: fee) }
            if swapFee != nil { r.fail("swap_fee_bps", "does not apply to a pool; its fee is fee_bps") }
        case "uniswap-v3":
            let pool = r.address("pool"), quote = quoteToken(), fee = r.number("fee_bps", in: .feeBps)
            if let pool, let quote, let fee { kind = .uniswapV3(pool: pool, quote: quote, feeBps: fee) }
        case "chainlink":
            var feeds = [chainlinkFeed(r)]
            if let times = r.object("times", required: false) {
                feeds.append(chainlinkFeed(times))
                times.finish()
            }
            let complete = feeds.compactMap { $0 }
            defaultAge = complete.map(\.staleAfterSeconds).max() ?? defaultAge
            if complete.count == feeds.count { kind = .chainlink(feeds: complete) }
        case "defillama":
            let endpoint = r.endpoint("url", required: false, env: env) ?? Endpoint(url: "https://coins.llama.fi")
            let slug = r.string("chain", required: false) ?? chain
            if let slug { kind = .defiLlama(endpoint: endpoint, chainSlug: slug) }
        case "coingecko":
            let endpoint = r.endpoint("url", required: false, env: env) ?? Endpoint(url: "https://api.coingecko.com/api/v3")
            let platform = r.string("platform", required: false) ?? chain
            let key = r.secret("api_key", env: env)
            if let platform { kind = .coinGecko(endpoint: endpoint, platform: platform, apiKey: key) }
        case nil:
            break
        case let other?:
            r.fail("source", "must be one of uniswap-v2, uniswap-v3, chainlink, defillama, coingecko, got \"\(other)\"")
        }
        let source = kind.map { PriceSourceConfig(token: token, name: explicitName ?? kindName ?? "", kind: $0,
                                                  maxAgeSeconds: maxAge ?? defaultAge, swapFeeBps: swapFee, timeoutSeconds: timeout) }
        if timeout != nil, source?.isOnChain == true {
            r.fail("timeout_seconds", "does not apply to an on-chain source, which is read in the chain's batch; set rpc_timeout_seconds on the chain")
        }
        r.finish()
        return source
    }

    /// `feed` and `heartbeat_seconds`, at the source's level or under `times`.
    private static func chainlinkFeed(_ r: FieldReader) -> ChainlinkFeed? {
        let address = r.address("feed")
        let heartbeat = r.number("heartbeat_seconds", required: false, in: .seconds) ?? defaultHeartbeatSeconds
        return address.map { ChainlinkFeed(address: $0, heartbeatSeconds: heartbeat) }
    }

    static let defaultCacheSeconds = 60.0

    private static func decodeBridge(_ r: FieldReader, tokens: Set<String>, env: EnvironmentReference, treasury: String?) -> BridgeConfig? {
        let name = r.string("bridge")
        let apiName = r.string("api", required: false) ?? name
        let api = apiName.flatMap(BridgeConfig.API.init(rawValue:))
        if let apiName, api == nil {
            r.fail(r.value("api", required: false) == nil ? "bridge" : "api",
                   "names no fee API Ballast speaks (\(BridgeConfig.API.allCases.map(\.rawValue).joined(separator: ", "))), got \"\(apiName)\"; set api:")
        }
        let defaultURL = api.map { $0 == .across ? "https://app.across.to/api" : "https://li.quest/v1" }
        let endpoint = r.endpoint("url", required: false, env: env) ?? defaultURL.map { Endpoint(url: $0) }
        let key = r.secret("api_key", env: env)
        let destinations = r.names("to")
        let carried = r.names("tokens")
        for symbol in carried where !tokens.contains(symbol) {
            r.fail("tokens", "names \(symbol), which is not one of this chain's tokens")
        }
        let cache = r.number("cache_seconds", required: false, in: NumberRange(min: 0, max: 86_400)) ?? defaultCacheSeconds
        let gas = r.number("gas_usd", required: false, in: .nonNegative)
        let timeout = r.number("timeout_seconds", required: false, in: timeoutRange)
        if api == .lifi, treasury == nil { r.fail("api", "lifi quotes need the chain's treasury address (sent as fromAddress)") }
        r.finish()
        guard let name, let api, let endpoint else { return nil }
        return BridgeConfig(name: name, api: api, endpoint: endpoint, apiKey: key, destinations: destinations,
                            tokens: carried, cacheSeconds: cache, gasUSD: gas, timeoutSeconds: timeout)
    }
}

extension FieldReader {
    /// A `0x` address of 40 hex digits, lower-cased.
    func address(_ key: String, required: Bool = true) -> String? {
        guard let text = string(key, required: required) else { return nil }
        guard text.utf8.count == 42, let bytes = Hex.bytes(text), bytes.count == 20 else {
            fail(key, "must be a 0x address of 40 hex digits, got \"\(text.prefix(60))\"")
            return nil
        }
        return text.lowercased()
    }

    /// A URL, with `${NAME}` filled from the environment (those values become secrets).
    func endpoint(_ key: String, required: Bool = true, env: EnvironmentReference) -> Endpoint? {
        guard let text = string(key, required: required) else { return nil }
        let expanded: (value: String, secrets: [String])
        do {
            expanded = try env.expand(text)
        } catch .unset(let name) {
            fail(key, "refers to ${\(name)}, which is not set in the environment")
            return nil
        } catch {
            fail(key, "has a malformed ${…} reference")
            return nil
        }
        let lower = expanded.value.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file://") else {
            // The value may hold a secret: name only what was written.
            fail(key, "must be an http, https or file URL, got \"\(text.prefix(60))\"")
            return nil
        }
        return Endpoint(url: expanded.value, secrets: expanded.secrets)
    }

    /// An API key: only ever from the environment, so a key never sits in a file in git.
    func secret(_ key: String, env: EnvironmentReference) -> Secret? {
        guard let text = string(key, required: false) else { return nil }
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.filter({ $0 == "$" }).count == 1 else {
            fail(key, "must come from the environment, written ${NAME}; a key in a file is refused")
            return nil
        }
        do {
            return Secret(try env.expand(text).value)
        } catch .unset(let name) {
            fail(key, "refers to ${\(name)}, which is not set in the environment")
        } catch {
            fail(key, "has a malformed ${…} reference")
        }
        return nil
    }

    /// A list of distinct names.
    func names(_ key: String) -> [String] {
        var names: [String] = []
        for (i, item) in (array(key) ?? []).enumerated() {
            guard case .string(let name) = item, !name.isEmpty else {
                fail("\(key)[\(i)]", "must be a name, got \(item.described)")
                continue
            }
            if names.contains(name) { fail("\(key)[\(i)]", "lists \(name) twice") } else { names.append(name) }
        }
        return names
    }
}
