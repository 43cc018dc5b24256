import BallastCore
import Foundation

/// Every problem found in a configuration directory, grouped by file.
public struct InvalidConfiguration: Error, Sendable, CustomStringConvertible {
    public var inputs: [InvalidInput]

    public var description: String { inputs.map(\.description).joined(separator: "\n") }
}

extension MarketConfig {
    /// Reads every `*.yaml` file of `directory` (in name order) as a chain, then checks
    /// what spans files: unique names and ids, one decimals per token, bridges that reach
    /// configured chains carrying tokens those chains list.
    public static func load(directory: String, environment: [String: String]) throws(InvalidConfiguration) -> MarketConfig {
        let url = URL(fileURLWithPath: directory)
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                .filter { ["yaml", "yml"].contains($0.pathExtension) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw InvalidConfiguration(inputs: [InvalidInput(source: directory, problems: [Problem(entry: nil, message: "cannot read the directory")])])
        }
        if files.isEmpty {
            throw InvalidConfiguration(inputs: [InvalidInput(source: directory, problems: [Problem(entry: nil, message: "holds no chain files (*.yaml)")])])
        }
        return try decode(files: files.map { file in
            let path = directory.hasSuffix("/") ? directory + file.lastPathComponent : directory + "/" + file.lastPathComponent
            return (path, FileManager.default.contents(atPath: file.path))
        }, environment: environment)
    }

    /// Decodes chain files already read (`nil`: it could not be read), then checks what spans them.
    package static func decode(files: [(path: String, data: Data?)], environment: [String: String]) throws(InvalidConfiguration) -> MarketConfig {
        var chains: [ChainConfig] = []
        var failures: [InvalidInput] = []
        for (path, data) in files {
            guard let data else {
                failures.append(InvalidInput(source: path, problems: [Problem(entry: nil, message: "cannot read the file")]))
                continue
            }
            do {
                chains.append(try ChainConfig.decode(yaml: DocumentParser.text(data, source: path), source: path, environment: environment))
            } catch {
                failures.append(error)
            }
        }
        failures += crossFileProblems(chains)
        guard failures.isEmpty else { throw InvalidConfiguration(inputs: failures) }
        return MarketConfig(chains: chains)
    }

    static func crossFileProblems(_ chains: [ChainConfig]) -> [InvalidInput] {
        var problems: [String: [Problem]] = [:]
        func add(_ chain: ChainConfig, _ message: String) {
            problems[chain.source, default: []].append(Problem(entry: nil, message: message))
        }
        var byName: [String: ChainConfig] = [:]
        var byID: [Int: ChainConfig] = [:]
        var decimals: [String: (Int, ChainConfig)] = [:]
        for chain in chains {
            if let other = byName[chain.name] { add(chain, "name \(chain.name) is already used by \(other.source)") } else { byName[chain.name] = chain }
            if let other = byID[chain.chainID] { add(chain, "chain_id \(chain.chainID) is already used by \(other.source)") } else { byID[chain.chainID] = chain }
            for token in chain.tokens {
                if let (d, other) = decimals[token.symbol], d != token.decimals {
                    add(chain, "tokens.\(token.symbol).decimals is \(token.decimals) but \(other.source) says \(d); a token has one decimals across chains")
                } else if decimals[token.symbol] == nil {
                    decimals[token.symbol] = (token.decimals, chain)
                }
            }
        }
        for chain in chains {
            var routes: Set<[String]> = []
            for (i, bridge) in chain.bridges.enumerated() {
                for destination in bridge.destinations {
                    for symbol in bridge.tokens where !routes.insert([bridge.name, destination, symbol]).inserted {
                        add(chain, "bridges[\(i)] repeats \(bridge.name) to \(destination) for \(symbol); a route is listed once")
                    }
                    guard destination != chain.name else {
                        add(chain, "bridges[\(i)].to lists the chain itself")
                        continue
                    }
                    guard let target = byName[destination] else {
                        add(chain, "bridges[\(i)].to names \(destination), which no chain file defines")
                        continue
                    }
                    for symbol in bridge.tokens where target.token(symbol) == nil {
                        add(chain, "bridges[\(i)] carries \(symbol) to \(destination), which does not list \(symbol)")
                    }
                }
                for symbol in bridge.tokens where chain.token(symbol)?.transferSize == nil {
                    add(chain, "tokens.\(symbol).transfer_size is required: bridges[\(i)] asks for fee quotes at that size")
                }
            }
        }
        return problems.keys.sorted().map { InvalidInput(source: $0, problems: problems[$0]!) }
    }
}
