import BallastReports
import BallastStore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// A request the API refuses, with the reason it gives as JSON: `{"error": "..."}`.
struct APIFailure: Error {
    var status: HTTPResponse.Status
    var reason: String

    init(_ status: HTTPResponse.Status, _ reason: String) {
        self.status = status
        self.reason = reason
    }
}

/// Every error leaves as JSON with a reason: the API's own refusals, Hummingbird's (unknown
/// path 404, or 405 with `Allow` where `routes` answers the path with other methods; body too
/// large 413), a journal another process holds 503, and anything unforeseen as 500 without its
/// details.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let failure as APIFailure {
            return JSONBody.error(failure.status, failure.reason)
        } catch let error as HTTPError {
            if error.status == .notFound, case let allowed = routes.methods(at: request.uri.path),
               !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                return JSONBody.error(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path); it answers \(allowed.joined(separator: ", "))",
                                      headers: [.allow: allowed.joined(separator: ", ")])
            }
            let reason = switch error.status {
            case .notFound: "no such endpoint: \(request.method) \(request.uri.path)"
            case .contentTooLarge: "the body is larger than \(APIRoutes.maxBodyBytes / 1024) KB"
            default: error.body ?? error.status.reasonPhrase
            }
            return JSONBody.error(error.status, reason, headers: error.headers)
        } catch let error as JournalError where error.kind == .busy {
            // Another process holds the journal past the busy timeout: a retry will do, so the
            // caller (a signer's report, a page of the journal) is told when, not "internal error".
            return JSONBody.error(.serviceUnavailable, error.detail, headers: [.retryAfter: "1"])
        } catch is NIOTooManyBytesError {
            // A body without a declared length that runs past the limit where it is read.
            return JSONBody.error(.contentTooLarge, "the body is larger than \(APIRoutes.maxBodyBytes / 1024) KB")
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return JSONBody.error(.internalServerError, "internal error (logged)")
        }
    }
}

/// JSON responses, written as the command line writes them (sorted keys).
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        text(try JSONOutput.string(value), status: status, contentType: "application/json")
    }

    static func error(_ status: HTTPResponse.Status, _ reason: String, headers: HTTPFields = [:]) -> Response {
        let body = (try? JSONOutput.string(["error": reason])) ?? "{\"error\": \"\(status.code)\"}"
        var response = text(body, status: status, contentType: "application/json")
        for field in headers where field.name != .contentType && field.name != .contentLength { response.headers.append(field) }
        return response
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String) -> Response {
        Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
