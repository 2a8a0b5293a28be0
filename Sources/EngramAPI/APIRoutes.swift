import EngramHTTP
import Logging

/// Engram's REST API: builds the router every route is registered on.
public enum APIRoutes {
    /// The router serving Engram's API.
    public static func router(logger: Logger) -> Router {
        var router = Router(logger: logger)
        HealthRoutes.register(on: &router)
        return router
    }
}
