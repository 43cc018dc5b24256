import BallastHTTP
import BallastSandbox
import Foundation
import Testing

/// The path every real source takes: HTTPS, with HTTP/2 negotiated in the TLS handshake.
/// A real nginx on 127.0.0.1, with a certificate made for the test; `.ci/run` installs it.
@Suite(.enabled(if: NginxTLS.available, "needs nginx and openssl (installed by .ci/run)"))
struct HTTPSTests {
    /// 300 requests at once through at most 4 connections: over HTTP/2 they share them,
    /// each answer naming the connection and protocol nginx served it on.
    @Test func aBurstMultiplexesOverHTTP2() async throws {
        try await NginxTLS.with { server in
            let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 4))
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<300 {
                    group.addTask {
                        let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/\(i)", timeout: .seconds(10), caFile: server.caFile))
                        return String(decoding: response.body, as: UTF8.self)
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(answers.count == 300)
            #expect(Set(answers.map { $0.split(separator: " ").last.map(String.init) ?? "" }) == ["HTTP/2.0"])
            let connections = Set(answers.map { $0.split(separator: " ").first.map(String.init) ?? "" })
            #expect(connections.count <= 4, "\(connections.count) connections")
        }
    }

    /// Verification is on: a certificate the client was not told to trust is refused.
    @Test func anUntrustedCertificateIsRefused() async throws {
        try await NginxTLS.with { server in
            do {
                _ = try await HTTPClient().send(HTTPRequest(url: "\(server.baseURL)/x", timeout: .seconds(5)))
                Issue.record("a self-signed certificate was accepted")
            } catch {
                #expect("\(error)".contains("connection failed") || "\(error)".contains("libcurl error"), "\(error)")
            }
        }
    }
}

/// nginx serving TLS and HTTP/2 on a free port, for one test.
struct NginxTLS {
    let baseURL: String
    let caFile: String

    static var available: Bool {
        ["/usr/sbin/nginx", "/usr/bin/openssl"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func with(_ body: (NginxTLS) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-nginx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                     "-keyout", "\(directory)/key.pem", "-out", "\(directory)/cert.pem", "-days", "1",
                                     "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        // A port from the ephemeral range; another test holding it only makes this try again.
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<60_000)
            try """
                worker_processes 1;
                daemon off;
                master_process off;
                pid \(directory)/nginx.pid;
                error_log \(directory)/error.log;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  client_body_temp_path \(directory);
                  server {
                    listen 127.0.0.1:\(port) ssl http2;
                    ssl_certificate \(directory)/cert.pem;
                    ssl_certificate_key \(directory)/key.pem;
                    http2_max_concurrent_streams 128;
                    location / { return 200 "$connection $server_protocol"; }
                  }
                }
                """.write(toFile: "\(directory)/nginx.conf", atomically: true, encoding: .utf8)
            let nginx = try ChildProcess("/usr/sbin/nginx", ["-c", "\(directory)/nginx.conf", "-p", directory, "-e", "\(directory)/error.log"],
                                         stdout: .discard, stderr: .discard)
            defer {
                // SIGKILL: a child of this process may inherit a signal mask that blocks SIGTERM.
                kill(nginx.pid, SIGKILL)
                _ = nginx.wait()
            }
            let server = NginxTLS(baseURL: "https://127.0.0.1:\(port)", caFile: "\(directory)/cert.pem")
            guard await server.answers() else { continue }
            try await body(server)
            return
        }
        Issue.record("nginx could not start on a free port")
    }

    /// Whether nginx is up: it may take a moment to listen, or fail to get the port.
    private func answers() async -> Bool {
        let client = HTTPClient()
        for _ in 0..<40 {
            if (try? await client.send(HTTPRequest(url: baseURL + "/up", timeout: .milliseconds(500), caFile: caFile))) != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private struct Failed: Error {}

    private static func run(_ tool: String, _ arguments: [String]) throws {
        guard try ChildProcess(tool, arguments, stdout: .discard, stderr: .discard).wait() == 0 else { throw Failed() }
    }
}
