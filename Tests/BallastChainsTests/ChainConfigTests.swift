@testable import BallastChains
import BallastCore
import BallastHTTP
import Foundation
import Testing

@Suite struct ChainConfigTests {
    static let ethereum = """
        name: ethereum
        chain_id: 1
        rpc: https://eth.example.com/v2/${ETH_RPC_KEY}
        treasury: "0x00000000000000000000000000000000000B411A"
        tokens:
          WETH: {address: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", decimals: 18, transfer_size: "10"}
          USDC: {address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", decimals: 6, transfer_size: "25000"}
        prices:
          WETH:
            - {source: uniswap-v2, pair: "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc", quote: USDC}
            - {source: chainlink, feed: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"}
          USDC:
            - {source: coingecko, api_key: "${CG_KEY}"}
            - {source: defillama, max_age_seconds: 120}
        bridges:
          - {bridge: across, to: [arbitrum], tokens: [WETH, USDC]}
          - {bridge: lifi, to: [arbitrum], tokens: [USDC], api_key: "${LIFI_KEY}"}
        """
    static let arbitrum = """
        name: arbitrum
        chain_id: 42161
        tokens:
          WETH: {address: "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1", decimals: 18}
          USDC: {address: "0xaf88d065e77c8cC2239327C5EDb3A432268e5831", decimals: 6}
        """
    static let environment = ["ETH_RPC_KEY": "sEcReT-rpc-key", "CG_KEY": "cg-secret", "LIFI_KEY": "lifi-secret"]

    @Test func decodesAChainWithDefaults() throws {
        let chain = try ChainConfig.decode(yaml: Self.ethereum, source: "ethereum.yaml", environment: Self.environment)
        #expect(chain.rpc == Endpoint(url: "https://eth.example.com/v2/sEcReT-rpc-key", secrets: ["sEcReT-rpc-key"]))
        #expect(chain.treasury == "0x00000000000000000000000000000000000b411a")
        #expect(chain.token("WETH")?.address == "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2")
        #expect(chain.token("USDC")?.transferSize == Amount(25_000))
        let v2 = try #require(chain.prices.first { $0.name == "uniswap-v2" })
        #expect(v2.kind == .uniswapV2(pair: "0xb4e16d0168e52d35cacd2c6185b44281ec28c9dc", quote: "USDC", feeBps: 30))
        #expect(v2.maxAgeSeconds == 300)
        // The default heartbeat of an hour, and a minute for its round to land on chain.
        #expect(chain.prices.first { $0.name == "chainlink" }?.maxAgeSeconds == 3660)
        #expect(chain.prices.first { $0.name == "defillama" }?.kind == .defiLlama(endpoint: Endpoint(url: "https://coins.llama.fi"), chainSlug: "ethereum"))
        #expect(chain.prices.first { $0.name == "defillama" }?.maxAgeSeconds == 120)
        #expect(chain.prices.first { $0.name == "coingecko" }?.kind == .coinGecko(endpoint: Endpoint(url: "https://api.coingecko.com/api/v3"), platform: "ethereum", apiKey: Secret("cg-secret")))
        #expect(chain.bridges.map(\.endpoint.url) == ["https://app.across.to/api", "https://li.quest/v1"])
        #expect(chain.bridges[1].apiKey == Secret("lifi-secret"))
        #expect("\(Secret("lifi-secret"))" == "***")
    }

    /// `times` multiplies a second feed in; the source is as old as its slowest feed allows,
    /// and the nested keys are checked like any others.
    @Test func aChainlinkProductDecodesWithEachFeedsHeartbeat() throws {
        let product = Self.ethereum.replacingOccurrences(
            of: #"- {source: chainlink, feed: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"}"#,
            with: #"- {source: chainlink, feed: "0xfdFD9C85aD200c506Cf9e21F1FD8dd01932FBB23", heartbeat_seconds: 86400, times: {feed: "0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c"}}"#)
        let chain = try ChainConfig.decode(yaml: product, source: "ethereum.yaml", environment: Self.environment)
        let source = try #require(chain.prices.first { $0.name == "chainlink" })
        #expect(source.kind == .chainlink(feeds: [ChainlinkFeed(address: "0xfdfd9c85ad200c506cf9e21f1fd8dd01932fbb23", heartbeatSeconds: 86400),
                                                  ChainlinkFeed(address: "0xf4030086522a5beea4988f8ca5b36dbc97bee88c", heartbeatSeconds: 3600)]))
        #expect(source.maxAgeSeconds == 86460)

        let broken = product.replacingOccurrences(of: #"times: {feed: "0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c"}"#,
                                                  with: #"times: {feed: "0x12", heartbeat_seconds: 1e9, colour: red}"#)
        #expect(throws: InvalidInput.self) { try ChainConfig.decode(yaml: broken, source: "ethereum.yaml", environment: Self.environment) }
        do {
            _ = try ChainConfig.decode(yaml: broken, source: "ethereum.yaml", environment: Self.environment)
        } catch {
            let text = "\(error)"
            #expect(text.contains("prices.WETH[1].times.feed"), "\(text)")
            #expect(text.contains("prices.WETH[1].times.heartbeat_seconds must be at most 31536000"), "\(text)")
            #expect(text.contains("prices.WETH[1].times.colour is not a known key"), "\(text)")
        }
    }

    @Test func reportsEveryProblemWithItsKeyPath() {
        let broken = """
            name: broken
            chain_id: -3
            tokens:
              WETH: {address: "0x123", decimals: 18}
              USDC: {address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", decimals: 6, colour: blue}
            prices:
              WETH:
                - {source: uniswap-v9, pair: "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc"}
                - {source: uniswap-v2, pair: "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc", quote: DAI}
                - {source: coingecko, api_key: "hard-coded-key"}
                - {source: defillama}
                - {source: defillama, url: "${NOT_SET}"}
              DAI:
                - {source: chainlink, feed: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"}
            bridges:
              - {bridge: hop, to: [arbitrum], tokens: [WETH]}
              - {bridge: lifi, to: [arbitrum], tokens: [WETH, WBTC]}
            """
        let error = #expect(throws: InvalidInput.self) {
            try ChainConfig.decode(yaml: broken, source: "broken.yaml", environment: [:])
        }
        let messages = error?.problems.map(\.description) ?? []
        for expected in [
            "chain_id must be positive, got -3",
            "tokens.WETH.address must be a 0x address of 40 hex digits, got \"0x123\"",
            "tokens.USDC.colour is not a known key",
            "prices.WETH[0].source must be one of uniswap-v2, uniswap-v3, chainlink, defillama, coingecko, got \"uniswap-v9\"",
            "prices.WETH[1].quote names DAI, which is not one of this chain's tokens",
            "prices.WETH[2].api_key must come from the environment, written ${NAME}; a key in a file is refused",
            "prices.WETH[4].url refers to ${NOT_SET}, which is not set in the environment",
            "prices.DAI is not one of this chain's tokens",
            "bridges[0].bridge names no fee API Ballast speaks (across, lifi), got \"hop\"; set api:",
            "bridges[1].tokens names WBTC, which is not one of this chain's tokens",
            "bridges[1].api lifi quotes need the chain's treasury address (sent as fromAddress)",
            "rpc is required: on-chain price sources read through it",
        ] {
            #expect(messages.contains(expected), "missing: \(expected)\nin: \(messages.joined(separator: "\n"))")
        }
        #expect(messages.contains { $0.contains("defillama is used twice for WETH") })
    }

    @Test func timeoutsPerSource() throws {
        let file = Self.ethereum
            .replacingOccurrences(of: "treasury:", with: "rpc_timeout_seconds: 1.5\ntreasury:")
            .replacingOccurrences(of: "- {source: defillama, max_age_seconds: 120}", with: "- {source: defillama, max_age_seconds: 120, timeout_seconds: 2}")
            .replacingOccurrences(of: "- {bridge: across, to: [arbitrum], tokens: [WETH, USDC]}", with: "- {bridge: across, to: [arbitrum], tokens: [WETH, USDC], timeout_seconds: 6}")
        let chain = try ChainConfig.decode(yaml: file, source: "e.yaml", environment: Self.environment)
        #expect(chain.rpcTimeoutSeconds == 1.5)
        #expect(chain.prices.first { $0.name == "defillama" }?.timeoutSeconds == 2)
        #expect(chain.bridges.first?.timeoutSeconds == 6)
        let absurd = Self.ethereum.replacingOccurrences(of: "treasury:", with: "rpc_timeout_seconds: 1e300\ntreasury:")
            .replacingOccurrences(of: "tokens: [WETH, USDC]}", with: "tokens: [WETH, USDC], cache_seconds: 1e300}")
        let bounds = #expect(throws: InvalidInput.self) {
            try ChainConfig.decode(yaml: absurd, source: "e.yaml", environment: Self.environment)
        }
        #expect(bounds?.problems.map(\.message).sorted() == ["bridges[0].cache_seconds must be at most 86400, got 1e+300",
                                                             "rpc_timeout_seconds must be at most 600, got 1e+300"])
        let onChain = Self.ethereum.replacingOccurrences(of: "heartbeat", with: "x")
            .replacingOccurrences(of: "- {source: chainlink, feed: \"0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419\"}",
                                  with: "- {source: chainlink, feed: \"0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419\", timeout_seconds: 1}")
        let error = #expect(throws: InvalidInput.self) {
            try ChainConfig.decode(yaml: onChain, source: "e.yaml", environment: Self.environment)
        }
        #expect(error?.problems.map(\.message) == ["prices.WETH[1].timeout_seconds does not apply to an on-chain source, which is read in the chain's batch; set rpc_timeout_seconds on the chain"])
    }

    @Test func aSecretNeverAppearsInAProblem() {
        let file = "name: x\nchain_id: 7\nrpc: ${RPC}\ntokens: {}\n"
        let error = #expect(throws: InvalidInput.self) {
            try ChainConfig.decode(yaml: file, source: "x.yaml", environment: ["RPC": "wss://node.example/topsecret"])
        }
        #expect(error?.problems.map(\.message) == ["rpc must be an http, https or file URL, got \"${RPC}\""])
    }

    @Test func checksWhatSpansFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-chains-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let badArbitrum = Self.arbitrum.replacingOccurrences(of: "decimals: 6", with: "decimals: 8")
            .replacingOccurrences(of: "  WETH: {address: \"0x82aF49447D8a07e3bd95BD0d56f35241523fBab1\", decimals: 18}\n", with: "")
        let twin = "name: ethereum-copy\nchain_id: 1\ntokens: {}\n"
        try Data(Self.ethereum.replacingOccurrences(of: "transfer_size: \"10\"", with: "transfer_size: \"10\", decimals: 18").utf8).write(to: directory.appendingPathComponent("a-ethereum.yaml"))
        try Data(badArbitrum.utf8).write(to: directory.appendingPathComponent("b-arbitrum.yaml"))
        try Data(twin.utf8).write(to: directory.appendingPathComponent("c-twin.yaml"))
        let error = #expect(throws: InvalidConfiguration.self) {
            try MarketConfig.load(directory: directory.path, environment: Self.environment)
        }
        let lines = error?.description.split(separator: "\n").map(String.init) ?? []
        let path = directory.path
        // The duplicate decimals key in a-ethereum.yaml is a YAML error reported on its own.
        #expect(lines.contains { $0.hasPrefix("\(path)/a-ethereum.yaml: ") && $0.hasSuffix("duplicated key(s): 'decimals'.") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains("\(path)/c-twin.yaml: chain_id 1 is already used by \(path)/a-ethereum.yaml") == false)

        // Fix the YAML error to see the checks across files.
        try Data(Self.ethereum.utf8).write(to: directory.appendingPathComponent("a-ethereum.yaml"))
        let second = #expect(throws: InvalidConfiguration.self) {
            try MarketConfig.load(directory: directory.path, environment: Self.environment)
        }
        let all = second?.description.split(separator: "\n").map(String.init) ?? []
        #expect(all.contains("\(path)/b-arbitrum.yaml: tokens.USDC.decimals is 8 but \(path)/a-ethereum.yaml says 6; a token has one decimals across chains"), "\(all)")
        #expect(all.contains("\(path)/c-twin.yaml: chain_id 1 is already used by \(path)/a-ethereum.yaml"))
        #expect(all.contains("\(path)/a-ethereum.yaml: bridges[0] carries WETH to arbitrum, which does not list WETH"))

        // The same route twice, through two entries of one bridge.
        try Data(Self.arbitrum.utf8).write(to: directory.appendingPathComponent("b-arbitrum.yaml"))
        try FileManager.default.removeItem(at: directory.appendingPathComponent("c-twin.yaml"))
        try Data(Self.ethereum.replacingOccurrences(of: "tokens: [USDC], api_key", with: "tokens: [USDC], api_key").appending("\n  - {bridge: across, to: [arbitrum], tokens: [USDC]}\n").utf8)
            .write(to: directory.appendingPathComponent("a-ethereum.yaml"))
        let third = #expect(throws: InvalidConfiguration.self) {
            try MarketConfig.load(directory: directory.path, environment: Self.environment)
        }
        #expect(third?.description == "\(path)/a-ethereum.yaml: bridges[2] repeats across to arbitrum for USDC; a route is listed once")
    }

    @Test func loadsAValidDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-chains-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.ethereum.utf8).write(to: directory.appendingPathComponent("ethereum.yaml"))
        try Data(Self.arbitrum.utf8).write(to: directory.appendingPathComponent("arbitrum.yml"))
        try Data("not a chain".utf8).write(to: directory.appendingPathComponent("README.md"))
        let market = try MarketConfig.load(directory: directory.path, environment: Self.environment)
        #expect(market.chains.map(\.name) == ["arbitrum", "ethereum"])
        #expect(FeeRequest.all(in: market).map(\.label) == ["across ethereum→arbitrum WETH", "across ethereum→arbitrum USDC", "lifi ethereum→arbitrum USDC"])
        let usdc = try #require(FeeRequest.all(in: market).last?.question)
        #expect(usdc.units == 25_000_000_000 && usdc.fromChainID == 1 && usdc.toChainID == 42161 && usdc.sender == "0x00000000000000000000000000000000000b411a")
    }

    /// A key carried in an RPC URL's path is masked wherever the URL is named.
    @Test func aSecretInAnRPCURLIsMaskedInFailures() async throws {
        let file = """
            name: ethereum
            chain_id: 1
            rpc: http://127.0.0.1:1/v2/${KEY}
            tokens:
              WETH: {address: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", decimals: 18}
            prices:
              WETH:
                - {source: chainlink, feed: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"}
            """
        let chain = try ChainConfig.decode(yaml: file, source: "e.yaml", environment: ["KEY": "alchemy-key-42"])
        let puller = MarketPuller(market: MarketConfig(chains: [chain]), client: HTTPClient(),
                                  settings: PullSettings(deadline: .seconds(2), maxAttempts: 1))
        let report = await puller.pull()
        let reason = try #require(report.failures.first?.reason)
        #expect(reason.contains("http://127.0.0.1:1/v2/***"), "\(reason)")
        #expect(!reason.contains("alchemy-key-42"))
        #expect(!report.health.contains { ($0.lastError ?? "").contains("alchemy-key-42") })
    }
}

@Suite struct JSONRPCTests {
    @Test func batchBodyNumbersCallsByPosition() throws {
        let body = String(decoding: JSONRPC.batchBody([.latestBlock, .ethCall(to: "0xab", data: "0x0902f1ac")]), as: UTF8.self)
        let parsed = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]
        #expect(parsed?.map { $0["id"] as? Int } == [0, 1])
        #expect(parsed?[1]["method"] as? String == "eth_call")
        #expect(body.contains(#""params":[{"#) && body.contains(#""latest""#))
    }

    @Test func answersAreMatchedByIDInAnyOrder() throws {
        let body = #"[{"jsonrpc":"2.0","id":2,"result":"0x02"},{"jsonrpc":"2.0","id":0,"error":{"code":-32000,"message":"boom\n\u001b[2J"}},{"jsonrpc":"2.0","id":1,"result":"0x01"},{"jsonrpc":"2.0","id":1,"result":"0x03"},{"jsonrpc":"2.0","id":9,"result":"0x09"}]"#
        let answers = try JSONRPC.decodeBatch(Data(body.utf8), count: 4)
        #expect(throws: SourceError("JSON-RPC error -32000: boom[2J")) { try answers[0].get() }
        #expect(throws: SourceError("the batch answered id 1 twice")) { try answers[1].get() }
        #expect(try answers[2].get() == .string("0x02"))
        #expect(throws: SourceError("the batch answer has no entry for id 3")) { try answers[3].get() }
    }

    @Test func aRefusedBatchFailsAsAWhole() {
        #expect(throws: SourceError("the node refused the batch: -32600: batch requests are not supported")) {
            try JSONRPC.decodeBatch(Data(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch requests are not supported"}}"#.utf8), count: 2)
        }
        #expect(throws: SourceError("expected a batch answer (a list), got string \"ok\"")) {
            try JSONRPC.decodeBatch(Data(#""ok""#.utf8), count: 2)
        }
    }
}
