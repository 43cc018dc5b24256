import BallastSandbox
import Foundation
import Synchronization

/// A `ballast serve` started as an operator would, with its JSON log lines read as they come:
/// tests wait for a line (a tick, a reload) as their signal, never for time to pass.
final class ServiceProcess: Sendable {
    let running: CLIRunner.Running
    let url: String
    private let output: OutputLines

    /// Starts it and waits for the "listening" line. A watchdog kills it after `limit` seconds,
    /// so a hung service fails its test instead of hanging the suite.
    static func start(_ arguments: [String], environment: [String: String], limit: Int = 120) async throws -> ServiceProcess {
        let running = try CLIRunner.start(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"] + arguments, environment: environment)
        let pid = running.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(limit)) { kill(pid, SIGKILL) }
        let output = OutputLines(running.child)
        let probe = ServiceProcess(running: running, url: "", output: output)
        guard let listening = try await probe.line(where: { $0["msg"] as? String == "listening" }), let url = listening["url"] as? String else {
            let result = await running.finish()
            throw Failure(description: "serve did not start (exit \(result.status)): \(result.stderr)\n\(probe.log)")
        }
        return ServiceProcess(running: running, url: url, output: output)
    }

    private init(running: CLIRunner.Running, url: String, output: OutputLines) {
        self.running = running
        self.url = url
        self.output = output
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Everything logged so far (for failure messages).
    var log: String { output.log }

    /// The next log line (JSON) that satisfies `predicate`; nil if the process ends first.
    func line(where predicate: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [String: Any]? {
        while let text = await output.next() {
            if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], predicate(object) { return object }
        }
        return nil
    }

    /// Waits for a tick line whose fields satisfy `predicate`.
    func tick(where predicate: @escaping @Sendable ([String: Any]) -> Bool = { _ in true }) async throws -> [String: Any] {
        guard let tick = try await line(where: { $0["msg"] as? String == "tick" && predicate($0) }) else {
            throw Failure(description: "serve ended before the tick awaited:\n\(log)")
        }
        return tick
    }

    func signal(_ signal: Int32) { kill(running.pid, signal) }

    /// SIGTERM, then the exit status and what was left on the streams.
    func stop() async -> CLIRunner.Result {
        signal(SIGTERM)
        return await running.finish()
    }
}

/// An HTTP request made with curl, as an operator would: status, headers and body, whatever the status.
enum Curl {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String

        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
    }

    static func request(_ url: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil) async throws -> Reply {
        // `-X HEAD` would wait for the body the length announces; `--head` reads none.
        var arguments = ["-s", "-i", "--max-time", "20"] + (method == "HEAD" ? ["--head"] : ["-X", method])
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        if body != nil { arguments += ["--data-binary", "@-"] }
        let child = try ChildProcess("/usr/bin/curl", arguments + [url], stdin: body == nil ? .discard : .pipe)
        if let body { child.finishInput(body) }
        let (status, out, err) = await withCheckedContinuation { continuation in Thread { continuation.resume(returning: child.collect()) }.start() }
        guard status == 0 else { throw ServiceProcess.Failure(description: "curl \(url) failed (\(status)): \(String(decoding: err, as: UTF8.self))") }
        let text = String(decoding: out, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw ServiceProcess.Failure(description: "curl \(url): no header end in \(text)") }
        var lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0, headers: headers, body: String(text[split.upperBound...]))
    }
}
