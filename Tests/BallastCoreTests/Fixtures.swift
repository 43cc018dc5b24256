import BallastCore
import Foundation

/// The repository's shipped examples, which the tests read as users would.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }

    static func exampleSnapshot() throws -> Snapshot {
        try Snapshot.decode(json: data("examples/snapshot.json"), source: "examples/snapshot.json")
    }

    static func exampleStrategy() throws -> Strategy {
        try Strategy.decode(yaml: String(decoding: data("strategies/majors.yaml"), as: UTF8.self), source: "majors.yaml")
    }

    /// A small valid snapshot as a JSON object, for tests to break one field at a time.
    static func minimalSnapshot() -> [String: Any] {
        [
            "version": 1,
            "taken_at": "2026-11-24T12:00:00Z",
            "tokens": [["symbol": "WETH", "decimals": 18], ["symbol": "USDC", "decimals": 6]],
            "chains": [["name": "ethereum", "chain_id": 1], ["name": "arbitrum", "chain_id": 42161]],
            "prices": [
                ["chain": "ethereum", "token": "WETH", "price_usd": 3012.5, "observed_at": "2026-11-24T11:59:58Z",
                 "source": "uniswap-v2", "pool": ["token_reserve": "8657.4", "usd_reserve": "26080000", "fee_bps": 30]],
                ["chain": "arbitrum", "token": "WETH", "price_usd": 3030, "observed_at": "2026-11-24T11:59:58Z",
                 "source": "chainlink"],
            ],
            "routes": [
                ["from": "ethereum", "to": "arbitrum", "token": "WETH", "bridge": "across", "fee_bps": 4.5,
                 "fee_fixed": "0.0001", "gas_usd": 1.2, "eta_seconds": 90, "max_amount": "250",
                 "observed_at": "2026-11-24T11:59:57Z"],
            ],
            "balances": [["chain": "ethereum", "token": "WETH", "amount": "120.5", "in_flight": "0"]],
        ]
    }

    static func json(_ object: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
