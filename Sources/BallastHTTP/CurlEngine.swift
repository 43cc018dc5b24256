import CCurl
import CCurlShims
import Foundation
import Synchronization

/// One libcurl multi handle, driven by one dedicated thread.
///
/// Callers hand transfers in through a mutex-guarded inbox and wake the thread through the
/// loop's eventfd; everything else (the multi handle, the active set, the easy handles) is
/// touched only by that thread, so libcurl never sees two threads at once. The thread runs
/// libcurl's event interface (`curl_multi_socket_action` over epoll), so each wake-up costs
/// what the sockets with activity cost, however many transfers are in flight.
final class CurlEngine: Sendable {
    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
        case stop
    }

    private struct Inbox: ~Copyable {
        var commands: [Command] = []
        var stopped = false
    }

    // The multi handle is used by the engine thread only; other threads only wake the loop,
    // which writes to an eventfd and is safe from any thread.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private nonisolated(unsafe) let loop: OpaquePointer
    private let inbox = Mutex(Inbox())
    /// Set when the engine thread has ended, with whoever waits for that.
    private let ended = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let perHost: Int
    private let streamsPerConnection: Int

    init(maxConnectionsPerHost: Int, maxTotalConnections: Int, maxStreamsPerConnection: Int) {
        CurlGlobal.ensureInitialized()
        perHost = maxConnectionsPerHost
        streamsPerConnection = maxStreamsPerConnection
        multi = curl_multi_init()
        guard let loop = ballast_loop_create(multi) else { fatalError("cannot create the libcurl event loop (epoll, eventfd)") }
        self.loop = loop
        _ = ballast_multi_set_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = ballast_multi_set_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections)
        _ = ballast_multi_set_long(multi, CURLMOPT_MAXCONNECTS, max(maxTotalConnections, 16))
        // HTTP/2 connections carry many transfers at once; the server's own limit still applies.
        _ = ballast_multi_set_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        _ = ballast_multi_set_long(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, maxStreamsPerConnection)
        let thread = Thread { [self] in self.run() }
        thread.name = "ballast-curl"
        thread.start()
    }

    /// Queues a transfer; fails it at once if the engine has stopped.
    func submit(_ transfer: CurlTransfer) {
        send(.add(transfer), orElse: { transfer.fail(.cancelled) })
    }

    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.withLock { $0 = true }
        send(.cancel(transfer), orElse: {})
    }

    /// Fails every transfer still queued or running, then ends the thread.
    func stop() {
        send(.stop, orElse: {})
    }

    /// `stop`, then waits until the thread has ended: every caller has been resumed and libcurl freed.
    func shutdown() async {
        stop()
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = ended.withLock { state -> Bool in
                if !state.done { state.waiters.append(waiter) }
                return state.done
            }
            if done { waiter.resume() }
        }
    }

    private func send(_ command: Command, orElse refused: () -> Void) {
        let accepted = inbox.withLock { box -> Bool in
            guard !box.stopped else { return false }
            if case .stop = command { box.stopped = true }
            box.commands.append(command)
            return true
        }
        if accepted { ballast_loop_wake(loop) } else { refused() }
    }

    private func run() {
        // Keyed by the transfer, never by its easy handle alone: once a transfer is done its
        // handle is freed, and libcurl may hand the same address to the next one; a late
        // cancellation must find nothing, not that one.
        var active: [ObjectIdentifier: CurlTransfer] = [:]
        var byHandle: [UnsafeMutableRawPointer: ObjectIdentifier] = [:]
        var admission = HostAdmission(perHost: perHost, streamsPerConnection: streamsPerConnection)

        /// Hands the transfer to libcurl, or fails it if its time ran out while it waited;
        /// either way, lets in whatever waits for its host if it did not start.
        func start(_ first: CurlTransfer) {
            var next: CurlTransfer? = first
            while let transfer = next {
                if !transfer.startClock() {
                    transfer.fail(.timedOut)
                } else if curl_multi_add_handle(multi, transfer.easy) == CURLM_OK {
                    active[ObjectIdentifier(transfer)] = transfer
                    byHandle[transfer.easy] = ObjectIdentifier(transfer)
                    return
                } else {
                    transfer.fail(.transport, detail: "curl_multi_add_handle failed")
                }
                next = admission.finished(host: transfer.host)
            }
        }

        loop: while true {
            let commands = inbox.withLock { box -> [Command] in
                defer { box.commands.removeAll(keepingCapacity: true) }
                return box.commands
            }
            for command in commands {
                switch command {
                case .add(let transfer):
                    if transfer.cancelRequested.withLock({ $0 }) {
                        transfer.fail(.cancelled)
                    } else if let admitted = admission.offer(transfer) {
                        start(admitted)
                    }
                case .cancel(let transfer):
                    if active.removeValue(forKey: ObjectIdentifier(transfer)) != nil {
                        byHandle.removeValue(forKey: transfer.easy)
                        curl_multi_remove_handle(multi, transfer.easy)
                        transfer.fail(.cancelled)
                        if let next = admission.finished(host: transfer.host) { start(next) }
                    } else if admission.withdraw(transfer) {
                        transfer.fail(.cancelled)
                    }
                case .stop:
                    break loop
                }
            }

            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let id = byHandle.removeValue(forKey: easy), let transfer = active.removeValue(forKey: id) else { continue }
                let code = ballast_message_result(message)
                curl_multi_remove_handle(multi, easy)
                transfer.finish(code)
                if let next = admission.finished(host: transfer.host) { start(next) }
            }
            let now = ContinuousClock.now
            for transfer in admission.expire(at: now) { transfer.fail(.timedOut, detail: "no connection was free before its deadline") }
            // Wake by the next waiting deadline, at the latest in a second.
            let wait = admission.nextDeadline.map { Int32(min(1000, max(0, ($0 - now) / .milliseconds(1)))) + 1 } ?? 1000
            ballast_loop_step(loop, wait)
        }

        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.fail(.cancelled)
        }
        for transfer in admission.drain() { transfer.fail(.cancelled) }
        let leftover = inbox.withLock { box -> [Command] in
            defer { box.commands.removeAll() }
            return box.commands
        }
        for case .add(let transfer) in leftover { transfer.fail(.cancelled) }
        curl_multi_cleanup(multi)
        ballast_loop_destroy(loop)
        let waiters = ended.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// libcurl's process-wide set-up, done once before the first handle exists.
enum CurlGlobal {
    private static let initialized: Bool = {
        // A peer closing a socket must not kill the process; NOSIGNAL covers libcurl's own use.
        signal(SIGPIPE, SIG_IGN)
        return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func ensureInitialized() {
        precondition(initialized, "libcurl failed to initialise")
    }
}
