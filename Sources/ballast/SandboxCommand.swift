import ArgumentParser
import BallastExecution
import BallastSandbox
import Foundation
import UnixSignals

extension Scenario: ExpressibleByArgument {}

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a simulated multi-chain market on loopback that moves through a scenario, with a custody simulator.",
        discussion: """
            Speaks the real wire formats (JSON-RPC batches for Uniswap V2/V3, Chainlink and balances; \
            DefiLlama; CoinGecko; Across; LI.FI) and writes chain files pointing at itself, and a strategy \
            for its market. Scenarios: calm, bull, bear, growth, shock (see docs/sandbox.md). With \
            BALLAST_WEBHOOK_SECRET set it is also a custody simulator at /custody/transfers: it verifies \
            the live webhook, moves the treasury's balances once a transfer's fill time has passed, and \
            reports each landing to the service's POST /v1/actions/{key}/status, so `serve --live` runs \
            the full loop with nothing real at stake. Runs until SIGINT or SIGTERM (exit 0). Exit codes: 64 bad \
            command line; 65 a webhook secret shorter than 16 bytes; 69 cannot listen; 73 cannot write its files.
            """)

    @Option(help: "calm, bull, bear, growth or shock.")
    var scenario: Scenario = .calm

    @Option(help: "The same seed gives the same market path.")
    var seed: UInt64 = 1

    @Option(help: "Where the market listens: 127.0.0.1:PORT (port 0 picks a free one).")
    var listen = "127.0.0.1:8545"

    @Option(help: "Where to write the chain files pointing at the sandbox.")
    var chainsOut = "sandbox/chains"

    @Option(help: "Where to write a strategy for the sandbox's market.")
    var strategyOut = "sandbox/strategy.yaml"

    @Option(help: "The service that custody reports landings to.")
    var reportTo = "http://127.0.0.1:8080"

    @Option(help: "Chains in the market (2–50).")
    var chainCount = 5

    @Option(help: "Tokens in the market (1–20).")
    var tokenCount = 3

    @Option(help: "Seconds between the market's steps.")
    var stepSeconds: Double = 2

    @Option(help: "Seconds after which a transfer custody accepted lands (Across's fill time).")
    var fillSeconds = 20

    @Option(help: "Steps over which the scenario's events unfold (a third of the way in, the shock strikes).")
    var horizon = 120

    static let secretVariable = "BALLAST_WEBHOOK_SECRET"

    /// A line on standard output at once, unbuffered: whoever reads the pipe sees each as it happens.
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    func validate() throws {
        guard let (host, _) = Serve.address(listen), host == "127.0.0.1" else { throw ValidationError("--listen must be 127.0.0.1:PORT: the sandbox serves loopback only") }
        guard (2...50).contains(chainCount) else { throw ValidationError("--chain-count must be 2–50") }
        guard (1...20).contains(tokenCount) else { throw ValidationError("--token-count must be 1–20") }
        guard stepSeconds.isFinite, stepSeconds >= 0.05, stepSeconds <= 3600 else { throw ValidationError("--step-seconds must be 0.05–3600") }
        guard (0...86_400).contains(fillSeconds) else { throw ValidationError("--fill-seconds must be 0–86400") }
        guard (12...1_000_000).contains(horizon) else { throw ValidationError("--horizon must be 12–1000000 steps") }
        guard isWebURL(reportTo) else { throw ValidationError("--report-to must be an http:// or https:// URL, such as http://127.0.0.1:8080") }
    }

    func run() async throws {
        var secret: WebhookSecret?
        if let raw = ProcessInfo.processInfo.environment[Self.secretVariable], !raw.isEmpty {
            // The same rule as serve --live's: a shorter secret there would never be reached here.
            do { secret = try WebhookSecret(raw, from: "${\(Self.secretVariable)}") } catch {
                Terminal.error(error.description)
                throw ExitStatus.badInput
            }
        }
        let settings = Sandbox.Settings(scenario: scenario, seed: seed, chains: chainCount, tokens: tokenCount, horizon: horizon,
                                        port: Serve.address(listen)!.port, secret: secret, serviceURL: reportTo,
                                        fillSeconds: fillSeconds)
        let sandbox: Sandbox
        do { sandbox = try await Sandbox(settings) } catch {
            Terminal.error("cannot listen on \(listen): \(error)")
            throw ExitStatus.unavailable
        }
        do {
            try sandbox.writeChainFiles(to: chainsOut)
            let file = URL(fileURLWithPath: strategyOut)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(sandbox.strategy(secretVariable: Self.secretVariable).utf8).write(to: file)
        } catch {
            try? await sandbox.shutdown()
            Terminal.error("cannot write the sandbox's files (\(chainsOut), \(strategyOut)): \(error.localizedDescription)")
            throw ExitStatus.cannotCreate
        }
        // Trapped before the first line is out: whoever reads it may signal at once.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        Self.say("sandbox: scenario \(scenario.rawValue), seed \(seed), \(chainCount) chains × \(tokenCount) tokens, a step every \(stepSeconds) s")
        Self.say("market:   \(sandbox.server.baseURL)")
        Self.say("chains:   \(chainsOut)")
        Self.say("strategy: \(strategyOut)")
        if let custody = sandbox.custody {
            Self.say("custody:  \(custody.url) (landings after \(fillSeconds) s, reported to \(reportTo))")
        } else {
            Self.say("custody:  off (set \(Self.secretVariable) to accept the live webhook)")
        }

        let pace = Duration.milliseconds(Int64(stepSeconds * 1000))
        let stepping = Task {
            while !Task.isCancelled {
                let (events, landings) = await sandbox.step()
                for event in events { Self.say("step \(event.step): \(event.text)") }
                for landing in landings where landing.reported || landing.abandoned {
                    Self.say("landed \(landing.key): \(landing.received) \(landing.token) on \(landing.chain)"
                             + (landing.abandoned ? "; the service never took the report (\(landing.problem ?? "no answer")), given up" : ""))
                }
                try? await Task.sleep(for: pace)
            }
        }
        for await _ in signals { break }
        stepping.cancel()
        _ = await stepping.value
        try? await sandbox.shutdown()
        Self.say("sandbox stopped")
    }
}
