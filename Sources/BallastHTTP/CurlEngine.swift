import CCurl
import CCurlShims
import Foundation
import Synchronization

/// One libcurl multi handle, driven by one dedicated thread.
///
/// Callers hand transfers in through a mutex-guarded inbox and wake the thread with
/// `curl_multi_wakeup`; everything else (the multi handle, the active set, the easy
/// handles) is touched only by that thread, so libcurl never sees two threads at once.
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

    // The multi handle is used by the engine thread only, except for curl_multi_wakeup,
    // which libcurl documents as safe from any thread.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())

    init(maxConnectionsPerHost: Int, maxTotalConnections: Int) {
        CurlGlobal.ensureInitialized()
        multi = curl_multi_init()
        _ = ballast_multi_set_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = ballast_multi_set_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections)
        _ = ballast_multi_set_long(multi, CURLMOPT_MAXCONNECTS, max(maxTotalConnections, 16))
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

    private func send(_ command: Command, orElse refused: () -> Void) {
        let accepted = inbox.withLock { box -> Bool in
            guard !box.stopped else { return false }
            if case .stop = command { box.stopped = true }
            box.commands.append(command)
            return true
        }
        if accepted { curl_multi_wakeup(multi) } else { refused() }
    }

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var running: Int32 = 0
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
                    } else if curl_multi_add_handle(multi, transfer.easy) == CURLM_OK {
                        active[transfer.easy] = transfer
                    } else {
                        transfer.fail(.transport(code: -1, message: "curl_multi_add_handle failed"))
                    }
                case .cancel(let transfer):
                    if active.removeValue(forKey: transfer.easy) != nil {
                        curl_multi_remove_handle(multi, transfer.easy)
                        transfer.fail(.cancelled)
                    }
                case .stop:
                    break loop
                }
            }

            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let transfer = active.removeValue(forKey: easy) else { continue }
                let code = ballast_message_result(message)
                curl_multi_remove_handle(multi, easy)
                transfer.finish(code)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }

        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.fail(.cancelled)
        }
        let leftover = inbox.withLock { box -> [Command] in
            defer { box.commands.removeAll() }
            return box.commands
        }
        for case .add(let transfer) in leftover { transfer.fail(.cancelled) }
        curl_multi_cleanup(multi)
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
