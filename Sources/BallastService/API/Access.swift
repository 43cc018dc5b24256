import BallastExecution
import Crypto
import Foundation
import Hummingbird

/// Who may use the API: `Authorization: Bearer TOKEN`, or the session cookie the login form
/// sets for browsers. The cookie carries a MAC derived from the token, never the token itself.
struct Access: Sendable {
    static let cookieName = "ballast_session"
    /// A session lasts a working day; the token, not the cookie, is the credential to keep.
    static let sessionSeconds = 12 * 3600

    let token: String?
    /// The cookie's value: HMAC-SHA256 of a fixed label under the token, made once.
    let sessionValue: String?

    init(token: String?) {
        self.token = token
        sessionValue = token.map { token in
            HMAC<SHA256>.authenticationCode(for: Data("ballast-session-v1".utf8), using: SymmetricKey(data: Data(token.utf8)))
                .map { String(format: "%02x", $0) }.joined()
        }
    }

    func allowsToken(_ candidate: String) -> Bool {
        guard let token else { return false }
        return ConstantTime.equal(candidate, token)
    }

    func allows(_ request: Request) -> (bearer: Bool, cookie: Bool) {
        var bearer = false
        if let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " {
            bearer = allowsToken(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        }
        let cookie = request.cookies[Self.cookieName].map { cookie in sessionValue.map { ConstantTime.equal(cookie.value, $0) } ?? false } ?? false
        return (bearer, cookie)
    }

    /// A browser's state-changing request must come from the page this server served: its
    /// `Origin` names this host (SameSite=Strict already keeps the cookie off cross-site requests).
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin], let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }
}

/// Refuses requests without a valid bearer token or session cookie (401; the dashboard sends
/// browsers to the login form instead). Without a token, on loopback only, reads are open and
/// changes are refused.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: Access

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let changes = request.method != .get && request.method != .head
        guard access.token != nil else {
            if changes { throw APIFailure(.forbidden, "changes through the API need BALLAST_API_TOKEN set when the service starts") }
            return try await next(request, context)
        }
        let (bearer, cookie) = access.allows(request)
        guard bearer || cookie else {
            if request.method == .get, request.uri.path == "/" {
                return Response(status: .seeOther, headers: [.location: "/login"])
            }
            throw APIFailure(.unauthorized, "missing or wrong credentials: send Authorization: Bearer with BALLAST_API_TOKEN")
        }
        if changes, !bearer, !Access.sameOrigin(request) {
            throw APIFailure(.forbidden, "a change made with the session cookie must come from the dashboard (Origin does not match)")
        }
        return try await next(request, context)
    }
}
