import ArgumentParser
import BallastHTTP
import Foundation

/// The container's health check (the runtime image has no curl): asks a running service's
/// `/readyz` and exits 0 when it is ready, 1 when not.
struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a running `ballast serve` whether it is ready (for HEALTHCHECK and probes).",
        discussion: "Exit codes: 0 ready; 1 not ready or unreachable (the reasons are printed).")

    @Option(help: "The service's base URL.")
    var url = "http://127.0.0.1:8080"

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 3

    @Flag(help: "Ask /livez (the process is up) instead of /readyz.")
    var live = false

    func validate() throws {
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be between 0 and 60 seconds") }
        guard isWebURL(url) else { throw ValidationError("--url must be an http:// or https:// URL") }
    }

    func run() async throws {
        var request = HTTPRequest(url: url.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + (live ? "/livez" : "/readyz"))
        request.timeout = .milliseconds(Int64(timeout * 1000))
        request.connectTimeout = request.timeout
        request.maxBodyBytes = 64 << 10
        let client = HTTPClient()
        let answer: Result<HTTPResponse, HTTPError>
        do { answer = .success(try await client.send(request)) } catch { answer = .failure(error) }
        await client.shutdown()
        switch answer {
        case .success(let response):
            print(String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        case .failure(let error):
            Terminal.error(error.status == 503 && !error.detail.isEmpty ? "not ready: \(error.detail)" : "\(error)")
            throw ExitCode(1)
        }
    }
}
