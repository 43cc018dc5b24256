/// Lets transfers into libcurl host by host, at most a limit at once; the rest wait here.
///
/// libcurl would queue them too, but its time limit runs while a transfer waits for a
/// connection, so a burst to one host would time out through no fault of the host. Here a
/// transfer's clock starts when it can run. Used by the engine thread only.
struct HostAdmission {
    private var running: [String: Int] = [:]
    private var waiting: [String: [CurlTransfer]] = [:]
    /// Where each host's queue starts, so taking the next one is O(1).
    private var heads: [String: Int] = [:]
    private let plainLimit: Int
    private let tlsLimit: Int

    /// `perHost` transfers at once to a plain-HTTP host (one per connection); to an HTTPS host
    /// `perHost · streamsPerConnection`, since HTTP/2 carries many on each connection.
    init(perHost: Int, streamsPerConnection: Int) {
        plainLimit = max(1, perHost)
        tlsLimit = max(1, perHost) * max(1, streamsPerConnection)
    }

    /// `https://host:port`: what one connection limit applies to.
    static func host(of url: String) -> String {
        let lower = url.lowercased()
        guard let schemeEnd = lower.range(of: "://") else { return lower }
        let rest = lower[schemeEnd.upperBound...]
        return String(lower[..<schemeEnd.upperBound]) + String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }

    private func limit(_ host: String) -> Int {
        if host.hasPrefix("https://") { return tlsLimit }
        if host.hasPrefix("http://") { return plainLimit }
        return Int.max  // file:// has no connections to share
    }

    /// The transfer back if it may start now; otherwise it waits its turn.
    mutating func offer(_ transfer: CurlTransfer) -> CurlTransfer? {
        let host = transfer.host
        if running[host, default: 0] < limit(host) {
            running[host, default: 0] += 1
            return transfer
        }
        waiting[host, default: []].append(transfer)
        return nil
    }

    /// A transfer to `host` ended: the next waiting one, now counted as running, if any.
    mutating func finished(host: String) -> CurlTransfer? {
        running[host, default: 1] -= 1
        guard var queue = waiting[host], let head = heads[host] ?? (queue.isEmpty ? nil : 0), head < queue.count else {
            return nil
        }
        let next = queue[head]
        if head + 1 == queue.count {
            waiting[host] = nil
            heads[host] = nil
        } else if head > 1024, head * 2 > queue.count {
            queue.removeFirst(head + 1)  // compact now and then, so a long burst does not keep its whole history
            waiting[host] = queue
            heads[host] = 0
        } else {
            heads[host] = head + 1
        }
        running[host, default: 0] += 1
        return next
    }

    /// Takes a waiting transfer out (it was cancelled); false if it was not waiting.
    mutating func withdraw(_ transfer: CurlTransfer) -> Bool {
        let host = transfer.host
        guard var queue = waiting[host] else { return false }
        let head = heads[host] ?? 0
        guard let index = queue[head...].firstIndex(where: { $0 === transfer }) else { return false }
        queue.remove(at: index)
        if queue.count == head {
            waiting[host] = nil
            heads[host] = nil
        } else {
            waiting[host] = queue
        }
        return true
    }

    /// Every transfer still waiting, for shutdown.
    mutating func drain() -> [CurlTransfer] {
        defer {
            waiting = [:]
            heads = [:]
        }
        return waiting.flatMap { host, queue in Array(queue[(heads[host] ?? 0)...]) }
    }
}
