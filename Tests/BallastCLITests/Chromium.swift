import BallastSandbox
import Foundation

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// JSON commands on descriptor 3, answers and events on 4, each message ended by a NUL byte).
/// Calls block: run a session on a thread of its own.
final class Chromium {
    static var path: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    private let child: ChildProcess
    private let profile: URL
    private var nextID = 0
    private var pending = Data()
    /// Events read while waiting for an answer, kept for `waitForEvent`.
    private var events: [[String: Any]] = []

    init() throws {
        guard let path = Self.path else { throw Failure(description: "no chromium") }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-chromium-\(UUID().uuidString)")
        // As root, Chromium runs only without its sandbox.
        child = try ChildProcess(path, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                                        "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--window-size=1280,900", "about:blank"],
                                 stdout: .discard, stderr: .discard, extra: [.toChild, .fromChild])
    }

    /// Sends a command and returns its result; throws on a protocol error.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], session: String? = nil) throws -> [String: Any] {
        nextID += 1
        let id = nextID
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0)
        child.write(data, extra: 0)
        while true {
            let reply = try nextMessage()
            if reply["id"] as? Int == id {
                if let error = reply["error"] as? [String: Any] { throw Failure(description: "\(method): \(error)") }
                return reply["result"] as? [String: Any] ?? [:]
            }
            if reply["method"] != nil { events.append(reply) }
        }
    }

    /// Opens `url` in a new page and waits for it to load; returns the page's session.
    func open(_ url: String) throws -> String {
        let target = try call("Target.createTarget", ["url": "about:blank"])["targetId"] as? String ?? ""
        let session = try call("Target.attachToTarget", ["targetId": target, "flatten": true])["sessionId"] as? String ?? ""
        try call("Page.enable", session: session)
        try call("Page.navigate", ["url": url], session: session)
        _ = try waitForEvent("Page.loadEventFired")
        return session
    }

    /// Waits for an event (such as `Page.loadEventFired`), taking any already read.
    func waitForEvent(_ method: String) throws -> [String: Any] {
        if let i = events.firstIndex(where: { $0["method"] as? String == method }) { return events.remove(at: i) }
        while true {
            let message = try nextMessage()
            if message["method"] as? String == method { return message }
        }
    }

    /// Evaluates JavaScript in the page and returns its value (awaiting a promise).
    func evaluate(_ expression: String, session: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true], session: session)
        if let exception = result["exceptionDetails"] { throw Failure(description: "\(expression): \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    private func nextMessage() throws -> [String: Any] {
        while true {
            if let end = pending.firstIndex(of: 0) {
                let body = pending[pending.startIndex..<end]
                pending.removeSubrange(...end)
                guard let message = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { continue }
                return message
            }
            let chunk = child.readSome(extra: 1)
            if chunk.isEmpty { throw Failure(description: "chromium closed the DevTools pipe") }
            pending.append(chunk)
        }
    }

    func close() {
        _ = try? call("Browser.close")
        _ = child.collect()
        try? FileManager.default.removeItem(at: profile)
    }
}
