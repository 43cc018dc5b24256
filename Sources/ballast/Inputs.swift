import ArgumentParser
import BallastChains
import BallastCore
import Foundation

/// Loads the files a command names, turning every failure into a clear message on
/// standard error and a documented exit code, never a crash.
enum Inputs {
    /// The largest input file read: a snapshot of a very large market is a few megabytes.
    static let maxFileBytes = 64 << 20

    /// The path that names standard input: `ballast snapshot --chains DIR | ballast scan --snapshot -`.
    static let standardInput = "-"

    /// How messages name the input at `path`.
    static func name(_ path: String) -> String { path == standardInput ? "standard input" : path }

    static func read(_ path: String, what: String) throws -> Data {
        if path == standardInput { return try readStandardInput(what: what) }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT ? "no such \(what) file" : "cannot read the \(what) file: \(String(cString: strerror(errno)))"
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(path): \(reason)"])
        }
        // A FIFO or a device would block the read forever; a huge file would fill memory.
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(path): the \(what) is not a regular file"])
        }
        guard Int(info.st_size) <= maxFileBytes else {
            throw InputFailure(exit: ExitStatus.badInput, lines: ["\(path): the \(what) file is larger than \(maxFileBytes >> 20) MB"])
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(path): cannot read the \(what) file: \(error.localizedDescription)"])
        }
    }

    /// Standard input to its end, refused past ``maxFileBytes`` as a file would be.
    private static func readStandardInput(what: String) throws -> Data {
        var data = Data()
        do {
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                data.append(chunk)
                guard data.count <= maxFileBytes else {
                    throw InputFailure(exit: ExitStatus.badInput, lines: ["standard input: the \(what) is larger than \(maxFileBytes >> 20) MB"])
                }
            }
        } catch let failure as InputFailure {
            throw failure
        } catch {
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["standard input: cannot read the \(what): \(error.localizedDescription)"])
        }
        return data
    }

    static func snapshot(_ path: String) throws -> Snapshot {
        let data = try read(path, what: "snapshot")
        do {
            return try Snapshot.decode(json: data, source: name(path))
        } catch {
            throw InputFailure(validation: error)
        }
    }

    /// The chain files of a directory, with `${NAME}` filled from the environment.
    static func market(_ directory: String) throws -> MarketConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(directory): no such chains directory"])
        }
        do {
            return try MarketConfig.load(directory: directory, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw InputFailure(exit: ExitStatus.badInput, lines: error.inputs.flatMap { input in input.problems.map { "\(input.source): \($0)" } })
        }
    }

    /// The market the chain files define, without data: what a strategy is checked against.
    static func skeleton(_ market: MarketConfig) -> Snapshot {
        Snapshot(takenAt: Date(), tokens: market.tokens, chains: market.chains.map { Chain(name: $0.name, chainID: $0.chainID) })
    }

    static func strategy(_ path: String) throws -> Strategy {
        try strategyFile(path).strategy
    }

    /// The strategy and the text it was read from (a cycle stores the text, to be replayed).
    static func strategyFile(_ path: String) throws -> (text: String, strategy: Strategy) {
        let data = try read(path, what: "strategy")
        do {
            let text = try DocumentParser.text(data, source: name(path))
            return (text, try Strategy.decode(yaml: text, source: name(path)))
        } catch {
            throw InputFailure(validation: error)
        }
    }
}

/// Whether `text` is an http:// or https:// URL with a host: the command-line URLs Ballast calls.
func isWebURL(_ text: String) -> Bool {
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
    return (scheme == "http" || scheme == "https") && url.host?.isEmpty == false
}

/// A failure to load input, already worded for the operator.
struct InputFailure: Error {
    var exit: ExitCode
    var lines: [String]

    init(exit: ExitCode, lines: [String]) {
        self.exit = exit
        self.lines = lines
    }

    init(validation: InvalidInput) {
        self.init(exit: ExitStatus.badInput, lines: validation.problems.map { "\(validation.source): \($0)" })
    }
}

/// Runs a command body: input failures go to standard error with their exit code, and
/// anything unforeseen is reported as an internal error (70), never as a crash.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as InputFailure {
        for line in failure.lines { Terminal.error(line) }
        throw failure.exit
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Terminal.error("internal error: \(error)")
        throw ExitStatus.internalError
    }
}

enum Terminal {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data(("error: " + DocumentValue.printable(line) + "\n").utf8))
    }
}
