import BallastCore
import BallastHTTP
import BallastSandbox
@testable import BallastService
import Foundation
import Logging
import Testing

/// Alerts as the receivers see them: formats, the repeat window, per-webhook thresholds, a
/// failing receiver that costs nothing, and a secret URL that never reaches the log.
@Suite struct AlertSenderTests {
    @Test func slackTextCannotMentionOrLink() throws {
        let alert = Alert(.cycleFailed, subject: "journal", text: "refused by the receiver: <!channel> see <https://evil.example|the fix> & pay",
                          at: Date(timeIntervalSince1970: 0))
        let slack = try JSONSerialization.jsonObject(with: alert.body(.slack, strategy: "a<b")) as? [String: String]
        #expect(slack?["text"] == "[ballast a&lt;b] refused by the receiver: &lt;!channel&gt; see &lt;https://evil.example|the fix&gt; &amp; pay")
        let json = try JSONSerialization.jsonObject(with: alert.body(.json, strategy: "a<b")) as? [String: String]
        #expect(json?["text"] == alert.text, "the JSON format carries the text as it is")
    }

    @Test func alertsAreFormattedDeduplicatedAndASecretURLIsNeverLogged() async throws {
        let server = try await LoopbackServer { request in
            request.path == "/broken" ? .json(#"{"error": "down"}"#, status: 500) : .json("{}")
        }
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-alerts-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        let output = LineOutput(handle)
        let logger = Logger(label: "test") { LineLogHandler(label: $0, format: .json, level: .info, output: output) }
        let time = ManualTime(date: Date(timeIntervalSince1970: 1_790_000_000))
        let client = HTTPClient()
        let metrics = ServiceMetrics(version: "test")
        let sender = AlertSender(client: client, logger: logger, metrics: metrics, time: time)
        let secretURL = server.baseURL + "/json?token=SECRET-TOKEN-42"
        let strategy = Strategy(name: "desk", tokens: [], alerts: [
            AlertWebhook(url: .literal(server.baseURL + "/slack"), format: .slack, repeatMinutes: 30, sourceFailures: 3),
            AlertWebhook(url: .environment("ALERT_URL"), format: .json, repeatMinutes: 30, sourceFailures: 1),
            AlertWebhook(url: .literal(server.baseURL + "/broken"), format: .json),
        ])
        #expect(throws: ConfigurationError.self) { try AlertSender.targets(strategy, environment: [:]) }
        sender.use(try AlertSender.targets(strategy, environment: ["ALERT_URL": secretURL]))
        let running = Task { try await sender.run() }

        let paused = Alert(.paused, subject: "pause", text: "paused by api", at: time.date)
        sender.send(paused)
        sender.send(paused)
        sender.send(Alert(.sourceFailing, subject: "chain00/USDC balance", text: "failed 1 tick", at: time.date, streak: 1))
        sender.send(Alert(.resumed, subject: "pause", text: "resumed by api", at: time.date))
        // Queued in order: once "resumed" has reached every receiver, everything before it was handled.
        await server.arrival(at: "/json", count: 3)
        await server.arrival(at: "/slack", count: 2)
        await server.arrival(at: "/broken", count: 2)

        let slack = server.requests.filter { $0.path == "/slack" }.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(slack == [#"{"text":"[ballast desk] paused by api"}"#, #"{"text":"[ballast desk] resumed by api"}"#],
                "paused once within the window; a source reaching 1 failure is not this webhook's 3")
        let json = server.requests.filter { $0.path == "/json" }.compactMap {
            try? JSONSerialization.jsonObject(with: $0.body) as? [String: String]
        }
        #expect(json.map { $0["kind"] } == ["paused", "source_failing", "resumed"])
        #expect(json.first?["strategy"] == "desk" && json.first?["subject"] == "pause")

        // After the repeat window the same alert goes again.
        time.advance(by: .seconds(31 * 60))
        sender.send(paused)
        await server.arrival(at: "/slack", count: 3)
        await server.arrival(at: "/broken", count: 3)

        running.cancel()
        _ = try? await running.value
        await client.shutdown()
        try await server.shutdown()
        try handle.close()
        let log = try String(contentsOf: logFile, encoding: .utf8)
        #expect(log.contains("alert not delivered"), "the broken receiver is logged")
        #expect(!log.contains("SECRET-TOKEN-42"), "\(log)")
        #expect(metrics.exposition().contains(#"ballast_errors_total{stage="alert"}"#))
        try? FileManager.default.removeItem(at: logFile)
    }
}
