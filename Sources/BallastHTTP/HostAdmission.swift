import DequeModule

/// Lets transfers into libcurl host by host, at most a limit at once; the rest wait here.
///
/// libcurl would queue them too, but its time limit runs while a transfer waits for a
/// connection, so a burst to one host would time out through no fault of the host. Here a
/// transfer's clock starts when it can run. Used by the engine thread only.
struct HostAdmission {
    private struct Host {
        var running = 0
        var waiting = Deque<CurlTransfer>()
    }

    /// Only hosts with something running or waiting; an idle host is forgotten.
    private var hosts: [String: Host] = [:]
    /// The earliest `notAfter` of a waiting transfer (or earlier): when ``expire(at:)`` next has work.
    private(set) var nextDeadline: ContinuousClock.Instant?
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
        let name = transfer.host
        var host = hosts[name] ?? Host()
        defer { hosts[name] = host }
        guard host.running < limit(name) else {
            host.waiting.append(transfer)
            if let notAfter = transfer.request.notAfter { nextDeadline = min(nextDeadline ?? notAfter, notAfter) }
            return nil
        }
        host.running += 1
        return transfer
    }

    /// A transfer to `host` ended: the next waiting one, now counted as running, if any.
    mutating func finished(host name: String) -> CurlTransfer? {
        guard var host = hosts[name] else { return nil }
        let next = host.waiting.popFirst()
        if next == nil { host.running -= 1 }
        hosts[name] = host.running == 0 && host.waiting.isEmpty ? nil : host
        return next
    }

    /// Takes a waiting transfer out (it was cancelled); false if it was not waiting.
    mutating func withdraw(_ transfer: CurlTransfer) -> Bool {
        guard var host = hosts[transfer.host], let index = host.waiting.firstIndex(where: { $0 === transfer }) else { return false }
        host.waiting.remove(at: index)
        hosts[transfer.host] = host
        return true
    }

    /// Takes out every waiting transfer whose `notAfter` has passed by `now`: it must fail then,
    /// not whenever a connection frees (a hanging request may hold one for its whole timeout).
    mutating func expire(at now: ContinuousClock.Instant) -> [CurlTransfer] {
        guard let deadline = nextDeadline, deadline <= now else { return [] }
        var expired: [CurlTransfer] = []
        nextDeadline = nil
        for name in hosts.keys {
            guard var host = hosts[name], !host.waiting.isEmpty else { continue }
            var kept = Deque<CurlTransfer>()
            for transfer in host.waiting {
                if let notAfter = transfer.request.notAfter {
                    if notAfter <= now {
                        expired.append(transfer)
                        continue
                    }
                    nextDeadline = min(nextDeadline ?? notAfter, notAfter)
                }
                kept.append(transfer)
            }
            host.waiting = kept
            hosts[name] = host
        }
        return expired
    }

    /// Every transfer still waiting, for shutdown.
    mutating func drain() -> [CurlTransfer] {
        defer { hosts = [:] }
        return hosts.values.flatMap(\.waiting)
    }
}
