import Logging

/// Maps method and path to handlers. Built once with `add`, then handed to the server as an immutable
/// value.
///
/// - Static and `{param}` segments; a path matches with or without a trailing slash.
/// - A known path with another method is 405 with `Allow`; an unknown path is 404.
/// - HEAD runs the GET handler (the server drops the body, RFC 9110 §9.3.2).
/// - A thrown `HTTPResponseError` renders itself; any other error is a 500 with no internals.
///
/// ```swift
/// var router = Router(logger: logger)
/// router.add(.get, "/memories/{memory_id}") { request in
///     .json(try store.get(request.pathParameters["memory_id"]!))
/// }
/// ```
public struct Router: HTTPResponder {
    /// A route handler. Runs on a worker thread and may block.
    public typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse

    private var routes: [Route] = []
    private let logger: Logger

    /// Creates an empty router that logs unexpected handler errors to `logger`.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Registers `handler` for `method` on `pattern`.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, pattern: pattern, handler: handler))
    }

    /// Resolution of a request to a route.
    enum Resolution {
        case found(Route, parameters: [String: String])
        case failed(HTTPError)
    }

    func resolve(method: HTTPMethod, path: String) -> Resolution {
        var segments: [String] = []
        for raw in Route.split(path) {
            guard let decoded = PercentDecoding.decode(Substring(raw)) else {
                return .failed(HTTPError(.badRequest, "Malformed percent-encoding in path"))
            }
            segments.append(decoded)
        }
        var allowed: Set<HTTPMethod> = []
        var best: (route: Route, parameters: [String: String])?
        for route in routes {
            guard let parameters = route.match(segments) else { continue }
            allowed.insert(route.method)
            let methodMatches = route.method == method || (method == .head && route.method == .get)
            guard methodMatches else { continue }
            if best == nil || route.specificity > best!.route.specificity {
                best = (route, parameters)
            }
        }
        // An explicit HEAD route wins over the GET fallback.
        if method == .head, let exact = routes.first(where: { $0.method == .head && $0.match(segments) != nil }) {
            best = (exact, exact.match(segments) ?? [:])
        }
        if let best { return .found(best.route, parameters: best.parameters) }
        if allowed.isEmpty { return .failed(HTTPError(.notFound, "Not found")) }
        if allowed.contains(.get) { allowed.insert(.head) }
        let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return .failed(HTTPError(.methodNotAllowed, "Method not allowed", headers: ["Allow": allow]))
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        switch resolve(method: request.method, path: request.path) {
        case .failed(let error):
            return error.response
        case .found(let route, let parameters):
            var request = request
            request.pathParameters = parameters
            do {
                return try route.handler(request)
            } catch let error as any HTTPResponseError {
                return error.response(requestID: request.id)
            } catch {
                logger.error("Unhandled error", metadata: ["request_id": "\(request.id)", "error": "\(error)"])
                return .error(.internalServerError, detail: "Internal error")
            }
        }
    }

    /// The template of the route a request goes to (`/memories/{memory_id}`), nil when none matches.
    public func template(method: HTTPMethod, path: String) -> String? {
        if case .found(let route, _) = resolve(method: method, path: path) { return route.template }
        return nil
    }

    /// Lets the body of a routable request come; refuses the others before their body is read.
    public func preflight(_ head: HTTPRequestHead, requestID: String) -> HTTPResponse? {
        switch resolve(method: head.method, path: head.path) {
        case .found: nil
        case .failed(let error): error.response
        }
    }
}
