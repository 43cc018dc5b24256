import Foundation

/// One fuzzed entry point: everything the outside world can hand Ballast, from a whole
/// snapshot to one API body. Each takes arbitrary bytes and must return normally: a crash,
/// a hang or a runaway allocation is a finding.
///
/// Inputs that carry several parts (a strategy and a snapshot, several chain files, a
/// call's two answers) separate them with a line holding only `%%`; the seed corpora in
/// `fuzz/corpus/TARGET/` show each shape.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The strict JSON reader.
    case json
    /// A strategy and a snapshot: decoded, then scanned and planned, each rendered as the
    /// table and the JSON `ballast` prints.
    case snapshot
    /// A strategy file: the strict YAML reader and the strategy's rules.
    case strategy
    /// Chain files: each decoded, then the checks across files.
    case chains
    /// A JSON-RPC batch answer; its first line is how many calls the batch carried.
    case rpcBatch = "rpc-batch"
    /// `token0()` and `getReserves()` answers of a Uniswap V2 pair.
    case uniswapV2 = "uniswap-v2"
    /// `token0()` and `slot0()` answers of a Uniswap V3 pool.
    case uniswapV3 = "uniswap-v3"
    /// `decimals()` and `latestRoundData()` answers of a Chainlink feed.
    case chainlink
    /// A DefiLlama `prices/current` body.
    case defiLlama = "defillama"
    /// A CoinGecko `simple/token_price` body.
    case coinGecko = "coingecko"
    /// An Across `suggested-fees` body.
    case across
    /// A LI.FI `quote` body.
    case lifi

    /// Runs one input through the target; true when it was read as valid all the way (every
    /// seed must be, or the fuzzer would start shallow).
    @discardableResult
    public func run(_ input: Data) -> Bool {
        switch self {
        case .json: DocumentTargets.json(input)
        case .snapshot: DocumentTargets.snapshot(input)
        case .strategy: DocumentTargets.strategy(input)
        case .chains: DocumentTargets.chains(input)
        case .rpcBatch: WireTargets.rpcBatch(input)
        case .uniswapV2: WireTargets.uniswapV2(input)
        case .uniswapV3: WireTargets.uniswapV3(input)
        case .chainlink: WireTargets.chainlink(input)
        case .defiLlama: WireTargets.defiLlama(input)
        case .coinGecko: WireTargets.coinGecko(input)
        case .across: WireTargets.across(input)
        case .lifi: WireTargets.lifi(input)
        }
    }

    /// The parts of a multi-part input, split at lines holding only `%%`.
    static func parts(_ input: Data) -> [Data] {
        let marker = Data("\n%%\n".utf8)
        var parts: [Data] = []
        var start = input.startIndex
        while let found = input.range(of: marker, in: start..<input.endIndex) {
            parts.append(input[start..<found.lowerBound])
            start = found.upperBound
        }
        parts.append(input[start..<input.endIndex])
        return parts
    }
}
