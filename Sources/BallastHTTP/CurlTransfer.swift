import CCurl
import CCurlShims
import Foundation
import Synchronization

/// One request's easy handle and everything libcurl writes into while it runs.
///
/// Created by the caller's task, then owned by the engine thread from submission until
/// `finish`; the only field touched from elsewhere is `cancelRequested`, behind its mutex.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let easy: UnsafeMutableRawPointer
    /// `https://host:port`, for the per-host limit.
    let host: String
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    let cancelRequested = Mutex(false)
    private var released = false

    fileprivate var body = Data()
    fileprivate var headers: [HTTPHeader] = []
    fileprivate var exceededLimit = false
    /// A hostile server may send headers without end; past this many they are ignored.
    private static let maxHeaders = 256

    init(request: HTTPRequest) throws(HTTPError) {
        self.request = request
        host = HostAdmission.host(of: request.url)
        guard Self.schemeAllowed(request) else {
            throw HTTPError(.protocolRefused, method: request.method, url: request.redactedURL)
        }
        if request.url.lowercased().hasPrefix("file://") {
            try Self.checkLocalFile(request)
        }
        guard let easy = curl_easy_init() else {
            throw HTTPError(.transport, method: request.method, url: request.redactedURL, detail: "curl_easy_init failed")
        }
        self.easy = easy
        configure()
    }

    /// The same rule libcurl enforces, checked first so a refused scheme never reaches it.
    private static func schemeAllowed(_ request: HTTPRequest) -> Bool {
        let lower = request.url.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return true }
        return request.allowsFileScheme && lower.hasPrefix("file://")
    }

    /// libcurl reads files with blocking calls on the engine thread: a FIFO or a device would
    /// stall every transfer past any deadline. Only regular files within the body cap are read.
    private static func checkLocalFile(_ request: HTTPRequest) throws(HTTPError) {
        func refuse(_ detail: String) -> HTTPError { HTTPError(.transport, method: request.method, url: request.redactedURL, detail: detail) }
        guard let path = URL(string: request.url)?.path, !path.isEmpty else { throw refuse("not a file path") }
        var info = stat()
        guard stat(path, &info) == 0 else { throw refuse(String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw refuse("not a regular file (a FIFO, socket or device would block the reader)")
        }
        guard Int(info.st_size) <= request.maxBodyBytes else {
            throw HTTPError(.bodyTooLarge, method: request.method, url: request.redactedURL, bodyLimit: request.maxBodyBytes)
        }
    }

    func attach(_ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        self.continuation = continuation
    }

    private func configure() {
        let r = request
        _ = ballast_easy_set_string(easy, CURLOPT_URL, r.url)
        _ = ballast_easy_set_string(easy, CURLOPT_PROTOCOLS_STR, r.allowsFileScheme ? "http,https,file" : "http,https")
        // A redirect never leads to a local file, whatever the request allows.
        _ = ballast_easy_set_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = ballast_easy_set_long(easy, CURLOPT_FOLLOWLOCATION, r.maxRedirects > 0 ? 1 : 0)
        _ = ballast_easy_set_long(easy, CURLOPT_MAXREDIRS, r.maxRedirects)
        _ = ballast_easy_set_long(easy, CURLOPT_NOSIGNAL, 1)
        // A transfer that times out during a name lookup must not wait for the lookup to end:
        // that wait would block the engine thread, and every other transfer with it.
        _ = ballast_easy_set_long(easy, CURLOPT_QUICK_EXIT, 1)
        _ = ballast_easy_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ballast_easy_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = r.caFile { _ = ballast_easy_set_string(easy, CURLOPT_CAINFO, caFile) }
        // Refuses an announced oversize body early; the write callback catches chunked ones.
        _ = ballast_easy_set_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(r.maxBodyBytes))
        _ = ballast_easy_set_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        _ = ballast_easy_set_string(easy, CURLOPT_USERAGENT, "ballast/1")
        // Over TLS, ALPN settles HTTP/2 in the handshake: wait for a connection that can carry
        // this transfer rather than open another, so a burst to one host shares a few
        // connections. Not over plain HTTP/1.1, where that is known only from the first
        // response and waiting would let one slow answer hold back every request to the host.
        if r.url.lowercased().hasPrefix("https://") {
            _ = ballast_easy_set_long(easy, CURLOPT_PIPEWAIT, 1)
        }

        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = ballast_easy_set_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWrite)
        _ = ballast_easy_set_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = ballast_easy_set_data_callback(easy, CURLOPT_HEADERFUNCTION, curlHeader)
        _ = ballast_easy_set_pointer(easy, CURLOPT_HEADERDATA, context)

        for header in r.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        if let headerList { _ = ballast_easy_set_slist(easy, CURLOPT_HTTPHEADER, headerList) }

        switch r.method {
        case .get:
            _ = ballast_easy_set_long(easy, CURLOPT_HTTPGET, 1)
        case .post:
            let body = r.body ?? Data()
            _ = ballast_easy_set_long(easy, CURLOPT_POST, 1)
            _ = ballast_easy_set_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { raw in
                // COPYPOSTFIELDS copies, so the body need not outlive this call.
                let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                _ = ballast_easy_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
            }
        }
    }

    /// Sets the time limits as the transfer starts: its own timeout, cut to what is left
    /// before `notAfter`. False when nothing is left; the transfer must not start.
    func startClock() -> Bool {
        var timeout = request.timeout
        if let notAfter = request.notAfter {
            let left = notAfter - .now
            guard left > .milliseconds(1) else { return false }
            timeout = min(timeout, left)
        }
        _ = ballast_easy_set_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        _ = ballast_easy_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(min(request.connectTimeout, timeout)))
        return true
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(min(duration / .milliseconds(1), Double(Int32.max))))
    }

    /// Resumes the caller exactly once and frees the handle; called on the engine thread.
    func finish(_ code: CURLcode) {
        // Already failed or finished: its handle is gone, and its caller was resumed.
        guard !released else { return }
        let result: Result<HTTPResponse, any Error>
        if let failure = failure(code) {
            result = .failure(failure)
        } else {
            var status = 0
            _ = ballast_easy_get_long(easy, CURLINFO_RESPONSE_CODE, &status)
            if status == 0 { status = 200 }  // file:// has no status line
            if (200...299).contains(status) {
                result = .success(HTTPResponse(status: status, headers: headers, body: body))
            } else {
                result = .failure(error(.httpStatus, status: status,
                                        detail: Redaction.masking(Self.prefix(of: body), secrets: request.secrets),
                                        retryAfterSeconds: headers.value(named: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }))
            }
        }
        release()
        continuation?.resume(with: result)
        continuation = nil
    }

    /// Fails the caller without libcurl having run the transfer (cancelled, or shut down).
    func fail(_ code: HTTPError.Code, detail: String = "") {
        release()
        continuation?.resume(throwing: error(code, detail: detail))
        continuation = nil
    }

    /// Frees the handle once; later calls do nothing (the handle's address may already belong
    /// to another transfer).
    private func release() {
        guard !released else { return }
        released = true
        curl_easy_cleanup(easy)
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }

    private func error(_ code: HTTPError.Code, status: Int? = nil, detail: String = "", retryAfterSeconds: Int? = nil) -> HTTPError {
        HTTPError(code, method: request.method, url: request.redactedURL, status: status, detail: detail, retryAfterSeconds: retryAfterSeconds,
                  bodyLimit: code == .bodyTooLarge ? request.maxBodyBytes : nil)
    }

    private func failure(_ code: CURLcode) -> HTTPError? {
        let words = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OK: return nil
        case CURLE_OPERATION_TIMEDOUT: return error(.timedOut)
        case CURLE_FILESIZE_EXCEEDED: return error(.bodyTooLarge)
        case CURLE_WRITE_ERROR where exceededLimit: return error(.bodyTooLarge)
        case CURLE_UNSUPPORTED_PROTOCOL: return error(.protocolRefused)
        case CURLE_TOO_MANY_REDIRECTS: return error(.tooManyRedirects)
        case CURLE_PARTIAL_FILE: return error(.truncatedBody)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return error(.hostNotFound)
        case CURLE_COULDNT_CONNECT: return error(.connectionRefused)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SSL_CONNECT_ERROR,
             CURLE_PEER_FAILED_VERIFICATION, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return error(.connectionFailed, detail: words)
        default:
            return error(.transport, detail: "libcurl error \(code.rawValue): \(words)")
        }
    }

    /// The start of an error body, for the message: short, on one line, control characters
    /// dropped (a hostile body must not forge log lines). Secrets are masked by the caller.
    private static func prefix(of body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return String(text.unicodeScalars.compactMap { scalar -> Character? in
            if scalar == "\n" || scalar == "\r" || scalar == "\t" { return " " }
            return scalar.properties.generalCategory == .control ? nil : Character(scalar)
        })
    }

    fileprivate func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if body.count + bytes.count > request.maxBodyBytes {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func receiveHeader(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers.removeAll()  // a new response (after a redirect or a 100) starts afresh
            return
        }
        guard headers.count < Self.maxHeaders, let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers.append(HTTPHeader(name, value))
    }
}

private let curlWrite: ballast_data_callback = { data, size, count, context in
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    let accepted = transfer.receive(UnsafeRawBufferPointer(start: data, count: length))
    return accepted ? length : ballast_write_error()
}

private let curlHeader: ballast_data_callback = { data, size, count, context in
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    let buffer = UnsafeRawBufferPointer(start: data, count: length)
    transfer.receiveHeader(String(decoding: buffer, as: UTF8.self))
    return length
}
