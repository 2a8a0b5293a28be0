import EngramHTTP

/// `GET /health`: liveness for load balancers and `docker compose` health checks.
enum HealthRoutes {
    /// The body never changes, so it is encoded once.
    private static let okBody = Array(#"{"status":"ok"}"#.utf8)

    static func register(on router: inout Router) {
        router.add(.get, "/health") { _ in .json(bytes: okBody) }
    }
}
