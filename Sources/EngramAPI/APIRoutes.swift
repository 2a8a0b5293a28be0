import EngramCore
import EngramHTTP
import Logging

/// Engram's REST API (API.md): builds the responder every route is served by.
public enum APIRoutes {
    /// The API over `service`, with `POST /v1/embeddings` over `embedder`, behind the API key when one
    /// is set (the `default` project's administrator key) or project keys are stored, and the MCP
    /// endpoint at `/mcp` whose tools run as requests to these routes.
    public static func responder(
        service: MemoryService, embedder: any Embedder, apiKey: String?, mcp: MCPSettings = MCPSettings(),
        metricsPublic: Bool = false, logger: Logger
    ) -> any HTTPResponder {
        var router = Router(logger: logger)
        HealthRoutes.register(on: &router, service: service)
        DocsRoutes.register(on: &router)
        ConsoleRoutes.register(on: &router)
        MemoryRoutes.register(on: &router, engine: service)
        SearchRoutes.register(on: &router, engine: service)
        HistoryRoutes.register(on: &router, engine: service)
        EntityRoutes.register(on: &router, engine: service)
        GraphRoutes.register(on: &router, engine: service)
        AdminRoutes.register(on: &router, engine: service)
        ConfigureRoutes.register(on: &router, engine: service)
        WebhookRoutes.register(on: &router, engine: service)
        EmbeddingsRoutes.register(on: &router, embedder: embedder)
        ChatProxyRoutes.register(on: &router, engine: service, logger: logger)
        PlatformMemoryRoutes.register(on: &router, engine: service)
        PlatformProjectRoutes.register(on: &router, engine: service)
        PlatformProfileRoutes.register(on: &router, engine: service)
        MetricsRoutes.register(on: &router, engine: service, public: metricsPublic)
        let rest = router
        router.add(.post, "/mcp") { MCPEndpoint(rest: rest, settings: mcp).respond(to: $0) }
        router.add(.post, "/mcp/") { MCPEndpoint(rest: rest, settings: mcp).respond(to: $0) }
        let gate = APIKeyGate(apiKey: apiKey, keyRing: service.keyRing, next: router, openPaths: metricsPublic ? ["/metrics"] : [])
        return MetricsResponder(router: router, metrics: service.metrics, next: MCPTransportGuard(settings: mcp, next: gate))
    }
}
