import BallastSandbox
import Foundation
import Testing

/// `ballast sandbox` and `ballast serve --live` run the whole loop together, as `make run` does:
/// a transfer is planned, signed, accepted by the custody simulator, lands, and is confirmed in
/// the journal by the simulator's signed report.
@Suite struct SandboxCommandTests {
    static let secret = "sandbox-secret-0123456789"

    /// A port free now (taken from a server that is then shut down).
    static func freePort() async throws -> Int {
        let probe = try await LoopbackServer { _ in .text("") }
        let port = probe.port
        try await probe.shutdown()
        return port
    }

    @Test func theSandboxAndTheLiveServiceCarryATransferThroughToConfirmed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let servicePort = try await Self.freePort()
        let environment = ["BALLAST_WEBHOOK_SECRET": Self.secret, "BALLAST_API_TOKEN": "sandbox-token-0123456789"]
        let sandbox = try CLIRunner.start(["sandbox", "--scenario", "calm", "--listen", "127.0.0.1:0", "--step-seconds", "0.2", "--fill-seconds", "1",
                                           "--chains-out", directory.appendingPathComponent("chains").path,
                                           "--strategy-out", directory.appendingPathComponent("strategy.yaml").path,
                                           "--report-to", "http://127.0.0.1:\(servicePort)"], environment: environment)
        let pid = sandbox.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(120)) { kill(pid, SIGKILL) }
        let lines = OutputLines(sandbox.child)
        let custodyLine = await lines.first { $0.hasPrefix("custody:") }
        #expect(custodyLine?.contains("/custody/transfers") == true, "\(lines.log)")
        let strategy = try String(contentsOf: directory.appendingPathComponent("strategy.yaml"), encoding: .utf8)
        #expect(strategy.contains("url: http://127.0.0.1:") && strategy.contains("secret: ${BALLAST_WEBHOOK_SECRET}"))

        let journal = directory.appendingPathComponent("ballast.db").path
        let service = try await ServiceProcess.start(["--listen", "127.0.0.1:\(servicePort)", "--live", "--interval", "0.5",
                                                      "--chains", directory.appendingPathComponent("chains").path,
                                                      "--strategy", directory.appendingPathComponent("strategy.yaml").path,
                                                      "--journal", journal], environment: environment)
        // The simulator prints a landing only once the service has taken its signed report.
        let landed = await lines.first { $0.hasPrefix("landed ") }
        let key = try #require(landed.map { String($0.dropFirst("landed ".count).prefix { $0 != ":" }) }, "\(lines.log)\n\(service.log)")
        let shown = try await CLIRunner.launch(["journal", "show", key, "--journal", journal])
        #expect(shown.stdout.hasPrefix("\(key): confirmed") && shown.stdout.contains("received ") && shown.stdout.contains("confirmed  signer"),
                "\(shown.stdout)\(shown.stderr)")

        #expect(await service.stop().status == 0)
        kill(pid, SIGINT)
        let rest = await sandbox.finish()
        #expect(rest.status == 0 && rest.stdout.contains("sandbox stopped"), "\(rest.stdout)\(rest.stderr)")
    }

    @Test func theSandboxServesLoopbackOnlyAndKnowsItsScenarios() async throws {
        let wide = try await CLIRunner.launch(["sandbox", "--listen", "0.0.0.0:8545"])
        #expect(wide.status == 64 && wide.stderr.contains("loopback"))
        let unknown = try await CLIRunner.launch(["sandbox", "--scenario", "boom"])
        #expect(unknown.status == 64 && unknown.stderr.contains("calm"))
        let short = try await CLIRunner.launch(["sandbox", "--listen", "127.0.0.1:0"], environment: ["BALLAST_WEBHOOK_SECRET": "short"])
        #expect(short.status == 65 && short.stderr.contains("16 bytes") && !short.stderr.contains("short\n"))
        let ftp = try await CLIRunner.launch(["sandbox", "--listen", "127.0.0.1:0", "--report-to", "ftp://127.0.0.1/x"])
        #expect(ftp.status == 64 && ftp.stderr.contains("--report-to must be an http:// or https:// URL"), "\(ftp.stderr)")
        // The health probe takes its URL by the same rule.
        let probe = try await CLIRunner.launch(["health", "--url", "ftp://127.0.0.1/x"])
        #expect(probe.status == 64 && probe.stderr.contains("--url must be an http:// or https:// URL"), "\(probe.stderr)")
        let nowhere = try await CLIRunner.launch(["sandbox", "--listen", "127.0.0.1:0", "--chains-out", "/proc/ballast/chains"])
        #expect(nowhere.status == 73 && nowhere.stderr.contains("/proc/ballast/chains") && !nowhere.stderr.contains("NSCocoaErrorDomain"),
                "\(nowhere.stderr)")
    }
}

/// `make run`'s script: the README's first command starts both, says where to look, and stops both.
@Suite struct RunScriptTests {
    @Test func makeRunStartsTheSandboxAndTheLiveServiceAndStopsBoth() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (sandboxPort, servicePort) = (try await SandboxCommandTests.freePort(), try await SandboxCommandTests.freePort())
        let environment = ProcessInfo.processInfo.environment.merging([
            "BALLAST_BIN": CLIRunner.binary.path, "BALLAST_RUN_DIR": directory.path,
            "SANDBOX_PORT": "\(sandboxPort)", "SERVICE_PORT": "\(servicePort)", "BALLAST_API_TOKEN": "run-token-0123456789",
        ]) { _, new in new }
        let script = try ChildProcess(CLIRunner.repository.appendingPathComponent("scripts/run").path, [], environment: environment,
                                      directory: CLIRunner.repository.path)
        let pid = script.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(120)) { kill(pid, SIGKILL) }
        let lines = OutputLines(script)
        let dashboard = await lines.first { $0.contains("Dashboard") }
        #expect(dashboard?.contains("http://127.0.0.1:\(servicePort)/") == true, "\(lines.log)")
        #expect(await lines.first { $0.contains("Token") }?.contains("run-token-0123456789") == true)
        let status = try await Curl.request("http://127.0.0.1:\(servicePort)/v1/status", headers: ["Authorization": "Bearer run-token-0123456789"])
        #expect(status.status == 200 && status.json?["mode"] as? String == "live")

        kill(pid, SIGTERM)
        let (code, rest, _) = await withCheckedContinuation { continuation in Thread { continuation.resume(returning: script.collect()) }.start() }
        #expect(code == 0 && String(decoding: rest, as: UTF8.self).contains("stopped;"), "\(lines.log)")
        let serveLog = try String(contentsOf: directory.appendingPathComponent("serve.log"), encoding: .utf8)
        #expect(serveLog.contains("stopped"), "the service stopped gracefully: \(serveLog.suffix(500))")
        let sandboxLog = try String(contentsOf: directory.appendingPathComponent("sandbox.log"), encoding: .utf8)
        #expect(sandboxLog.contains("sandbox stopped"))
    }
}
