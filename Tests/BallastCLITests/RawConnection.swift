import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP connection to a test server: for what curl cannot do, such as holding a
/// connection open without a request, or seeing when the server closes it.
final class RawConnection {
    private let descriptor: Int32

    /// Connects to 127.0.0.1 at the port of `url` (`http://127.0.0.1:PORT`).
    init(to url: String) throws {
        guard let port = URLComponents(string: url)?.port else { throw ServiceProcess.Failure(description: "no port in \(url)") }
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, connected == 0 else { throw ServiceProcess.Failure(description: "cannot connect to \(url): errno \(errno)") }
    }

    deinit { close(descriptor) }

    /// Waits up to `seconds` for something to read (or the end); true if there is.
    func readable(within seconds: Double) -> Bool { Self.firstReadable(of: [self], within: seconds) != nil }

    /// Waits up to `seconds` for any of `connections` to have something to read (or its end);
    /// the index of the first that has.
    static func firstReadable(of connections: [RawConnection], within seconds: Double) -> Int? {
        var entries = connections.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
        guard poll(&entries, nfds_t(entries.count), Int32(seconds * 1000)) > 0 else { return nil }
        return entries.firstIndex { $0.revents != 0 }
    }

    /// True once the server has closed the connection, waiting up to `seconds` for it.
    func closedByServer(within seconds: Double) -> Bool {
        guard readable(within: seconds) else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK)) <= 0
    }

    /// Sends `text` and reads the answer's status line.
    func request(_ text: String) throws -> String {
        let bytes = Array(text.utf8)
        guard send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw ServiceProcess.Failure(description: "send failed: errno \(errno)") }
        var answer = [UInt8](), buffer = [UInt8](repeating: 0, count: 4096)
        while !answer.contains(UInt8(ascii: "\n")), readable(within: 20) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            answer += buffer[..<count]
        }
        return String(decoding: answer, as: UTF8.self).components(separatedBy: "\r\n").first ?? ""
    }
}
