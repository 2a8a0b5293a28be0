import EngramHTTP

/// `GET /health`: liveness for load balancers and `docker compose` health checks.
enum HealthRoutes {
    struct Health: Encodable {
        let status: String
    }

    static func register(on router: inout Router) {
        router.add(.get, "/health") { _ in .json(Health(status: "ok")) }
    }
}
