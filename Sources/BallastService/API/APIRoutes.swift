import BallastCore
import BallastExecution
import BallastReports
import BallastStore
import Foundation
import Hummingbird
import Logging

/// The HTTP API and the dashboard: every answer comes from the last tick or the journal;
/// nothing is pulled or solved for a request.
enum APIRoutes {
    static let maxBodyBytes = 64 << 10
    static let maxPageSize = 1_000

    static func router(loop: TickLoop, access: Access, logger: Logger) -> Router<BasicRequestContext> {
        // HEAD answers as GET without the body: uptime monitors probe with it.
        let built = Router(options: .autoGenerateHeadEndpoints)
        let routes = RouteTable()
        built.add(middleware: JSONErrorMiddleware(logger: logger, routes: routes))
        built.add(middleware: BodyLimitMiddleware())
        let router = RecordingRouter(router: built, table: routes)

        // Unauthenticated: probes, the login form, and the signer's signed status reports.
        router.get("/livez") { _, _ in JSONBody.text("ok", contentType: "text/plain; charset=utf-8") }
        router.get("/readyz") { _, _ in
            let readiness = loop.readiness
            return try JSONBody.response(ReadinessBody(ready: readiness.ready, reasons: readiness.reasons),
                                         status: readiness.ready ? .ok : .serviceUnavailable)
        }
        router.get("/login") { _, _ in LoginPage.response(failed: false) }
        let throttle = LoginThrottle(time: loop.time)
        router.post("/login") { request, _ in try await login(request, access: access, throttle: throttle) }
        router.post("/v1/actions/{key}/status") { request, context in
            try await ActionStatusReport.handle(request, key: try context.parameters.require("key"), loop: loop)
        }

        let api = router.group().add(middleware: AccessMiddleware(access: access))
        api.get("/") { _, _ in DashboardPage.response(loop: loop) }
        api.post("/logout") { _, _ in
            var response = Response(status: .seeOther, headers: [.location: "/login"])
            response.setCookie(Cookie(name: Access.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        api.get("/metrics") { _, _ in
            JSONBody.text(loop.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        api.get("/v1/status") { _, _ in try JSONBody.response(StatusBody(loop: loop)) }
        api.get("/v1/opportunities") { _, _ in
            guard let tick = loop.state.current.lastTick else { throw APIFailure(.serviceUnavailable, "no tick has finished yet") }
            guard let scan = tick.scan else { throw APIFailure(.notFound, "the strategy has no arbitrage section") }
            return try JSONBody.response(TickBody(tick: tick.number, report: scan))
        }
        api.get("/v1/opportunities/history") { request, _ in try opportunityHistory(request, journal: loop.journal) }
        api.get("/v1/plan") { _, _ in
            guard let tick = loop.state.current.lastTick else { throw APIFailure(.serviceUnavailable, "no tick has finished yet") }
            guard let plan = tick.plan else {
                throw APIFailure(.notFound, loop.configuration.strategy.rebalance == nil
                    ? "the strategy has no rebalance section" : "the last tick made no plan (no balances were read)")
            }
            return try JSONBody.response(TickBody(tick: tick.number, report: plan))
        }
        api.get("/v1/sources") { _, _ in
            try JSONBody.response(["sources": (loop.state.current.lastTick?.health ?? []).map(SourceBody.init)])
        }
        api.get("/v1/journal") { request, _ in try journalPage(request, journal: loop.journal) }
        api.post("/v1/pause") { request, _ in try await pause(true, request, loop: loop) }
        api.post("/v1/resume") { request, _ in try await pause(false, request, loop: loop) }
        api.get("/v1/openapi.json") { _, _ in JSONBody.text(OpenAPIDocument.json, contentType: "application/json") }
        return built
    }

    private static func login(_ request: Request, access: Access, throttle: LoginThrottle) async throws -> Response {
        if request.headers[.origin] != nil, !Access.sameOrigin(request) {
            throw APIFailure(.forbidden, "the login form must be posted from this server's page")
        }
        if let seconds = throttle.retryAfter() {
            var refused = JSONBody.error(.tooManyRequests, "too many failed sign-ins: try again in \(seconds) s")
            refused.headers[.retryAfter] = "\(seconds)"
            return refused
        }
        let body = try await request.body.collect(upTo: maxBodyBytes)
        let form = try? URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: body))
        guard let token = form?["token"], access.allowsToken(token), let session = access.sessionValue else {
            throttle.failed()
            return LoginPage.response(failed: true)
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        // Behind a TLS-terminating proxy the browser speaks HTTPS: then the cookie never travels in clear.
        let secure = request.headers.first { $0.name.canonicalName == "x-forwarded-proto" }?.value.lowercased() == "https"
        response.setCookie(Cookie(name: Access.cookieName, value: session, maxAge: Access.sessionSeconds, path: "/",
                                  secure: secure, httpOnly: true, sameSite: .strict))
        return response
    }

    private static func pause(_ paused: Bool, _ request: Request, loop: TickLoop) async throws -> Response {
        let body = try await request.body.collect(upTo: maxBodyBytes)
        let reason = body.readableBytes == 0 ? nil
            : try RequestBody(Data(body.readableBytesView), known: ["reason"], what: #"{"reason": "..."}, or empty"#).text("reason")
        return try JSONBody.response(PauseBody(try loop.setPaused(paused, by: "api", reason: reason)))
    }

    private static func opportunityHistory(_ request: Request, journal: any Journal) throws -> Response {
        let parameters = try known(request, ["since", "limit"])
        let seen = try journal.opportunities(since: try since(parameters), limit: try limit(parameters))
        return try JSONBody.response(["opportunities": seen.map(SeenOpportunityRow.init)])
    }

    /// The query's parameters, refusing any this endpoint does not know.
    private static func known(_ request: Request, _ names: [String]) throws -> [String: String] {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters.map({ (String($0.key), String($0.value)) }) {
            guard names.contains(name) else { throw APIFailure(.badRequest, "unknown parameter \(name); known: \(names.joined(separator: ", "))") }
            parameters[name] = value
        }
        return parameters
    }

    private static func since(_ parameters: [String: String]) throws -> Date? {
        guard let text = parameters["since"] else { return nil }
        guard let since = Timestamp.parse(text) else { throw APIFailure(.badRequest, "since must be an RFC 3339 time, such as 2026-11-24T12:00:00Z") }
        return since
    }

    private static func limit(_ parameters: [String: String]) throws -> Int {
        guard let text = parameters["limit"] else { return 100 }
        guard let limit = Int(text), (1...maxPageSize).contains(limit) else {
            throw APIFailure(.badRequest, "limit must be a whole number from 1 to \(maxPageSize)")
        }
        return limit
    }

    private static func journalPage(_ request: Request, journal: any Journal) throws -> Response {
        let parameters = try known(request, ["status", "since", "limit", "cursor", "token"])
        var query = ActionQuery(since: try since(parameters), limit: try limit(parameters))
        if let text = parameters["status"] {
            guard let status = ActionStatus(rawValue: text) else {
                throw APIFailure(.badRequest, "status must be one of \(ActionStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.status = status
        }
        if let token = parameters["token"] { query.token = token }
        if let cursor = parameters["cursor"] {
            guard try journal.action(cursor) != nil else { throw APIFailure(.badRequest, "unknown cursor: give next_cursor from an earlier page") }
            query.after = cursor
        }
        let pageSize = query.limit
        query.limit += 1
        let found = try journal.actions(query)
        let page = Array(found.prefix(pageSize))
        return try JSONBody.response(JournalPage(actions: page.map(ActionRow.init),
                                                 nextCursor: found.count > pageSize ? page.last?.idempotencyKey : nil))
    }
}

/// Refuses a declared body over the limit before reading it (a body without a length is cut
/// at the limit where it is read).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > APIRoutes.maxBodyBytes {
            throw HTTPError(.contentTooLarge)
        }
        return try await next(request, context)
    }
}
