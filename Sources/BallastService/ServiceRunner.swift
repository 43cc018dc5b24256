import BallastCore
import BallastHTTP
import BallastStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `ballast serve`: owns the order of things. It takes the journal's lock for its whole life
/// (a cron job on the same journal waits, never acts beside it), starts the tick loop, the
/// alert queue and the HTTP server as one service group, reloads on SIGHUP, and on SIGTERM or
/// SIGINT stops ticks first, then alerts, then the server, and shuts the HTTP client down.
public enum ServiceRunner {
    /// Why the service cannot start.
    public enum StartFailure: Error, CustomStringConvertible {
        case configuration([String])
        case journal(JournalError)
        case journalHeld(String)
        case refused(String)

        public var description: String {
            switch self {
            case .configuration(let lines): lines.joined(separator: "; ")
            case .journal(let error): error.description
            case .journalHeld(let holder): "another process holds the journal (\(holder)): cron and the service must not act on one journal together"
            case .refused(let why): why
            }
        }
    }

    /// Runs until SIGTERM or SIGINT; `onListening` is told the URL once the server is up.
    public static func run(settings: ServiceSettings, loader: @escaping ConfigurationLoader, logger: Logger,
                           onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        if settings.apiToken == nil, !ServiceSettings.isLoopback(settings.host) {
            throw StartFailure.refused("listening on \(settings.host) needs BALLAST_API_TOKEN: without it, only loopback addresses are allowed")
        }
        let journal: SQLiteJournal
        do { journal = try SQLiteJournal(path: settings.journalPath, access: .readWrite) } catch { throw StartFailure.journal(error) }
        let lock: JournalLock
        do throws(JournalLock.Failure) { lock = try JournalLock(journal: settings.journalPath) } catch {
            switch error {
            case .held(let holder): throw StartFailure.journalHeld(holder.description)
            case .unusable(let why): throw StartFailure.refused(why)
            }
        }
        defer { lock.release() }

        let client = HTTPClient()
        let metrics = ServiceMetrics(version: settings.version)
        let loop: TickLoop
        do {
            loop = try TickLoop(settings: settings, journal: journal, loader: loader, client: client, time: SystemTime(),
                                logger: logger, metrics: metrics)
        } catch {
            await client.shutdown()
            throw StartFailure.configuration(error.lines)
        }
        if settings.apiToken == nil {
            logger.warning("BALLAST_API_TOKEN is not set: local callers may read the API, and every change through it is refused")
        }
        let router = APIRoutes.router(loop: loop, access: Access(token: settings.apiToken), logger: logger)
        let host = settings.host
        let open = OpenConnections(limit: settings.maxConnections)
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGate(open)],
                                                idleTimeout: .nanoseconds(Int64(settings.idleTimeout / .nanoseconds(1))))),
            configuration: .init(address: .hostname(host, port: settings.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.port
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                logger.notice("listening", metadata: ["url": "\(url)", "mode": "\(settings.live ? "live" : "dry-run")"])
                onListening(url)
            },
            logger: logger)
        // Shut down in reverse: the loop first (no new tick), then the alert queue, then the server.
        var configuration = ServiceGroupConfiguration(
            services: [app, loop.alerts, ReloadOnHangup(loop: loop), loop],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        logger.notice("stopped")
    }
}

/// Reloads the configuration on each SIGHUP.
struct ReloadOnHangup: Service {
    let loop: TickLoop

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            loop.reload()
        }
    }
}
