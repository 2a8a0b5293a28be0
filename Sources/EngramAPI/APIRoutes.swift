import EngramCore
import EngramHTTP
import Logging

/// Engram's REST API: builds the router every route is registered on.
public enum APIRoutes {
    /// The router serving Engram's API; `POST /v1/embeddings` is served when an embedder is given.
    public static func router(logger: Logger, embedder: (any Embedder)? = nil) -> Router {
        var router = Router(logger: logger)
        HealthRoutes.register(on: &router)
        if let embedder {
            EmbeddingsRoutes.register(on: &router, embedder: embedder)
        }
        return router
    }
}
