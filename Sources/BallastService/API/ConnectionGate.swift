import NIOCore
import Synchronization

/// The API's open connections, shared by every connection's ``ConnectionGate``.
final class OpenConnections: Sendable {
    /// Past this many, a new connection is closed as soon as it is accepted.
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Counts a new connection in; false (and not counted) when the limit is reached.
    fileprivate func admit() -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    fileprivate func leave() { count.subtract(1, ordering: .relaxed) }
}

/// Closes a connection beyond the limit of ``OpenConnections`` as soon as it is accepted. Each
/// connection holds a file descriptor until it closes, and the service needs its own for pulls
/// and the journal: without a limit, a thousand idle clients (the default soft limit under
/// systemd is 1,024 descriptors) would stop every tick.
final class ConnectionGate: ChannelInboundHandler, RemovableChannelHandler {
    // Reads pass through untouched (the default `channelRead` forwards them); only a
    // connection's start and end matter here.
    typealias InboundIn = NIOAny

    private let open: OpenConnections
    private var admitted = false

    init(_ open: OpenConnections) { self.open = open }

    func channelActive(context: ChannelHandlerContext) {
        guard open.admit() else {
            context.close(promise: nil)
            return
        }
        admitted = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if admitted {
            admitted = false
            open.leave()
        }
        context.fireChannelInactive()
    }
}
