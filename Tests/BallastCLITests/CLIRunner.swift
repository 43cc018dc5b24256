import BallastSandbox
import Foundation

/// Runs the built `ballast` binary as a user would, capturing its output and exit code.
struct CLIRunner {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary sits beside the test bundle in the build products folder.
    static var binary: URL {
        let products = Bundle.main.bundleURL.pathExtension == "xctest"
            ? Bundle.main.bundleURL.deletingLastPathComponent()
            : Bundle.main.bundleURL
        return products.appendingPathComponent("ballast")
    }

    /// A started `ballast`, for tests that must act while it runs (such as killing it).
    struct Running: Sendable {
        let child: ChildProcess

        var pid: Int32 { child.pid }

        /// Waits for the end and collects the output (stdout read first, as a large output
        /// must not fill the pipe and stall the child).
        func collect() -> Result {
            let (status, stdout, stderr) = child.collect()
            return Result(status: status, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
        }

        /// `collect` on a thread of its own: waiting for a child process must not hold one of
        /// the few threads Swift concurrency runs every other test's tasks on.
        func finish() async -> Result {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: collect()) }.start()
            }
        }
    }

    /// Starts `ballast` with `environment` added to the test's own.
    static func start(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> Running {
        Running(child: try ChildProcess(binary.path, arguments,
                                        environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
                                        directory: (directory ?? repository).path))
    }

    static func run(_ arguments: [String]) throws -> Result {
        try start(arguments).collect()
    }

    /// `run` on a thread of its own: waiting for a child process must not hold one of the
    /// few threads Swift concurrency runs every other test's tasks on.
    static func launch(_ arguments: [String]) async throws -> Result {
        try await start(arguments).finish()
    }

    /// `start` then `finish`.
    static func launch(_ arguments: [String], environment: [String: String], directory: URL? = nil) async throws -> Result {
        try await start(arguments, environment: environment, directory: directory).finish()
    }

    /// `run` with `input` on its standard input.
    static func run(_ arguments: [String], input: Data) throws -> Result {
        let child = try ChildProcess(binary.path, arguments, directory: repository.path, stdin: .pipe)
        child.finishInput(input)
        return Running(child: child).collect()
    }

    static func temporaryFile(_ contents: String, suffix: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-cli-\(UUID().uuidString)\(suffix)")
        try Data(contents.utf8).write(to: url)
        return url.path
    }
}
