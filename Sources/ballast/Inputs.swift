import ArgumentParser
import BallastChains
import BallastCore
import Foundation

/// Loads the files a command names, turning every failure into a clear message on
/// standard error and a documented exit code, never a crash.
enum Inputs {
    static func read(_ path: String, what: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(path): no such \(what) file"])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputFailure(exit: ExitStatus.unavailable, lines: ["\(path): cannot read the \(what) file"])
        }
        return data
    }

    static func snapshot(_ path: String) throws -> Snapshot {
        let data = try read(path, what: "snapshot")
        do {
            return try Snapshot.decode(json: data, source: path)
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

    static func strategy(_ path: String) throws -> Strategy {
        try strategyFile(path).strategy
    }

    /// The strategy and the text it was read from (a cycle stores the text, to be replayed).
    static func strategyFile(_ path: String) throws -> (text: String, strategy: Strategy) {
        let data = try read(path, what: "strategy")
        do {
            let text = try DocumentParser.text(data, source: path)
            return (text, try Strategy.decode(yaml: text, source: path))
        } catch {
            throw InputFailure(validation: error)
        }
    }
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
        FileHandle.standardError.write(Data(("error: " + line + "\n").utf8))
    }
}
