@testable import BallastChains
import BallastCore
import BallastHTTP
import Foundation
import Testing

/// Sources given as `file://` URLs: a recorded answer per source, read as written, for
/// pulling a market with no network at all.
@Suite struct OfflineSourceTests {
    /// A chain file for arbitrum whose WETH price comes from DefiLlama at `llama`.
    static func arbitrum(llama: String) -> String {
        """
        name: arbitrum
        chain_id: 42161
        tokens:
          WETH: {address: "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1", decimals: 18}
        prices:
          WETH:
            - {source: defillama, url: "\(llama)"}
        """
    }

    @Test func aMarketPullsFromRecordedFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-offline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Int(Date().timeIntervalSince1970)
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }

        // The batch answer for ethereum's calls, in the order the reader sends them:
        // the latest block, then the feed's decimals() and latestRoundData() (3012.5 at 8 decimals).
        let round = "0x" + [String(repeating: "0", count: 63) + "1", String(format: "%064llx", 301_250_000_000 as UInt64),
                            String(format: "%064llx", UInt64(now - 20)), String(format: "%064llx", UInt64(now - 20)),
                            String(repeating: "0", count: 63) + "1"].joined()
        try write("ethereum-rpc.json", """
            [{"jsonrpc":"2.0","id":2,"result":"\(round)"},
             {"jsonrpc":"2.0","id":0,"result":{"number":"0x1","timestamp":"0x\(String(now - 5, radix: 16))"}},
             {"jsonrpc":"2.0","id":1,"result":"0x0000000000000000000000000000000000000000000000000000000000000008"}]
            """)
        try write("llama.json", #"{"coins":{"ethereum:0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2":{"price":3011.9,"timestamp":\#(now - 30)},"arbitrum:0x82af49447d8a07e3bd95bd0d56f35241523fbab1":{"price":3013.1,"timestamp":\#(now - 30)}}}"#)
        try write("across.json", #"{"totalRelayFee":{"pct":"600000000000000","total":"6000000000000000"},"relayerGasFee":{"pct":"100000000000000","total":"1000000000000000"},"timestamp":"\#(now - 10)","limits":{"maxDeposit":"500000000000000000000"},"estimatedFillTimeSec":12}"#)
        let base = "file://" + directory.path
        try write("ethereum.yaml", """
            name: ethereum
            chain_id: 1
            rpc: \(base)/ethereum-rpc.json
            tokens:
              WETH: {address: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", decimals: 18, transfer_size: "10"}
            prices:
              WETH:
                - {source: chainlink, feed: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"}
                - {source: defillama, url: "\(base)/llama.json"}
            bridges:
              - {bridge: across, url: "\(base)/across.json", to: [arbitrum], tokens: [WETH]}
            """)
        try write("arbitrum.yaml", Self.arbitrum(llama: "\(base)/llama.json"))
        let market = try MarketConfig.load(directory: directory.path, environment: [:])
        // The tick's deadline on manual time: a busy machine cannot run it out.
        let report = await MarketPuller(market: market, client: HTTPClient(), time: ManualTime(date: Date())).pull()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let prices = report.snapshot.prices.map { "\($0.chain)/\($0.source) \($0.priceUSD)" }
        #expect(prices == ["arbitrum/defillama 3013.1", "ethereum/chainlink 3012.5", "ethereum/defillama 3011.9"])
        let route = try #require(report.snapshot.routes.first)
        // (6e15 − 1e15) / 1e19 · 1e4 = 5 bps; the relayer's gas, 0.001 WETH, is fixed.
        #expect(route.label == "ethereum→arbitrum WETH via across" && abs(route.feeBps - 5) < 1e-12)
        #expect(route.feeFixed == Amount("0.001") && route.maxAmount == Amount(500) && route.etaSeconds == 12)
    }

    /// An API that echoes its key back inside a malformed answer: the key is masked in the
    /// failure and in the source's health, wherever the echo came from.
    @Test func aKeyEchoedInAnAnswerIsMasked() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-echo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(#"{"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2":{"usd":"invalid key cg-9f8e7d"}}"#.utf8)
            .write(to: directory.appendingPathComponent("gecko.json"))
        try Data("""
            name: ethereum
            chain_id: 1
            tokens:
              WETH: {address: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", decimals: 18}
            prices:
              WETH:
                - {source: coingecko, url: "file://\(directory.path)/gecko.json", api_key: "${CG_KEY}"}
            """.utf8).write(to: directory.appendingPathComponent("ethereum.yaml"))
        let market = try MarketConfig.load(directory: directory.path, environment: ["CG_KEY": "cg-9f8e7d"])
        // The tick's deadline on manual time: a busy machine cannot run it out.
        let report = await MarketPuller(market: market, client: HTTPClient(), time: ManualTime(date: Date())).pull()
        let reason = try #require(report.failures.first?.reason)
        #expect(reason.contains("invalid key ***"), "\(reason)")
        #expect(!report.failures.contains { $0.reason.contains("cg-9f8e7d") })
        #expect(!report.health.contains { ($0.lastError ?? "").contains("cg-9f8e7d") })
    }

    /// A FIFO would block libcurl's read on the engine thread past every deadline: it is refused.
    @Test func aFileSourceThatIsNotARegularFileIsRefusedAtOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("llama.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try Data(Self.arbitrum(llama: "file://\(fifo)").utf8).write(to: directory.appendingPathComponent("arbitrum.yaml"))
        let market = try MarketConfig.load(directory: directory.path, environment: [:])
        // A deadline far beyond the test: only the refusal can end this pull.
        let report = await MarketPuller(market: market, client: HTTPClient(), settings: PullSettings(deadline: .seconds(3_600))).pull()
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.description.contains("not a regular file") == true, "\(report.failures)")
    }
}
