import EngramCore
import EngramHTTP

/// `GET /health`: 200 once the store answers, 503 otherwise; for load balancers and compose health checks.
enum HealthRoutes {
    /// The body never changes, so it is encoded once.
    private static let okBody = Array(#"{"status":"ok"}"#.utf8)

    static func register(on router: inout Router, service: MemoryService?) {
        router.add(.get, "/health") { _ in
            if let service, !service.isHealthy() {
                return .error(.serviceUnavailable, detail: "The memory store is unavailable")
            }
            return .json(bytes: okBody)
        }
    }
}
