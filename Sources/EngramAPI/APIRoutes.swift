import EngramCore
import EngramHTTP
import Logging

/// Engram's REST API (API.md): builds the responder every route is served by.
public enum APIRoutes {
    /// The API over `service`, with `POST /v1/embeddings` over `embedder`, behind the API key when one
    /// is set.
    public static func responder(
        service: MemoryService, embedder: any Embedder, apiKey: String?, logger: Logger
    ) -> any HTTPResponder {
        var router = Router(logger: logger)
        HealthRoutes.register(on: &router, service: service)
        DocsRoutes.register(on: &router)
        MemoryRoutes.register(on: &router, service: service)
        SearchRoutes.register(on: &router, service: service)
        HistoryRoutes.register(on: &router, service: service)
        EntityRoutes.register(on: &router, service: service)
        GraphRoutes.register(on: &router, service: service)
        AdminRoutes.register(on: &router, service: service)
        ConfigureRoutes.register(on: &router, service: service)
        EmbeddingsRoutes.register(on: &router, embedder: embedder)
        return APIKeyGate(apiKey: apiKey, next: router)
    }
}
