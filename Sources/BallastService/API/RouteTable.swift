import Hummingbird
import Synchronization

/// The methods each route answers, recorded as the router is built: a request with another
/// method on a known path is 405 with `Allow`, not "no such endpoint". (Hummingbird's router
/// answers both with 404 and keeps its routes to itself.)
final class RouteTable: Sendable {
    private let routes = Mutex<[(path: RouterPath, methods: Set<HTTPRequest.Method>)]>([])

    fileprivate func record(_ path: RouterPath, _ method: HTTPRequest.Method) {
        routes.withLock { routes in
            if let known = routes.firstIndex(where: { $0.path == path }) {
                routes[known].methods.insert(method)
            } else {
                routes.append((path, [method]))
            }
        }
    }

    /// The methods `path` answers, sorted, with HEAD wherever GET is (the router makes those);
    /// empty for a path no route matches.
    func methods(at path: String) -> [String] {
        // As the router reads a path: empty segments ("//", a trailing "/") do not count.
        let segments = path.split(separator: "/")
        var methods: Set<HTTPRequest.Method> = []
        routes.withLock { routes in
            for route in routes where route.path.components.count == segments.count
                && zip(route.path.components, segments).allSatisfy({ $0 ~= $1 }) {
                methods.formUnion(route.methods)
            }
        }
        if methods.contains(.get) { methods.insert(.head) }
        return methods.map(\.rawValue).sorted()
    }
}

/// A router that records every route added through it, or through its groups, in a table.
struct RecordingRouter<Context: RequestContext>: RouterMethods {
    let router: Router<Context>
    let table: RouteTable

    @discardableResult func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        table.record(path, method)
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }
}
