import EngramCore
import EngramHTTP

/// `GET /configure` and `POST /configure`: the running configuration, with secrets redacted, and
/// runtime changes (custom prompts, the LLM, the embedder) that are deep-merged, validated, persisted
/// in the store and applied without a restart.
enum ConfigureRoutes {
    /// Keys whose values are never shown (case-insensitive), wherever they appear.
    static let secretKeys: Set<String> = ["api_key", "admin_api_key", "authorization", "password", "secret", "token", "jwt_secret"]

    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.get, "/configure") { request in
            try requireAdmin(request)
            let service = engine.serving(request)
            return .json(redacted(.object(try current(service))))
        }
        router.add(.post, "/configure") { request in
            try requireAdmin(request)
            let service = engine.serving(request)
            let body = try JSONBody(request)
            try service.configure(body.members)
            return .json(JSONValue.object(["message": .string("Configuration set successfully")]))
        }
    }

    /// The running configuration: the providers in use, then the persisted prompt overrides.
    static func current(_ service: MemoryService) throws -> [String: JSONValue] {
        let providers = service.providerDescription
        var configuration: [String: JSONValue] = [
            "version": .string("v1.1"),
            "embedder": providers.embedder,
            "llm": providers.llm,
            "reranker": providers.reranker,
            "vector_store": .object(["provider": .string("engram")]),
        ]
        for (key, value) in try service.promptSettings() { configuration[key] = value }
        return configuration
    }

    /// The value with every secret-named key's value replaced by `"[redacted]"`, at any depth.
    static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, member) in object {
                result[key] = secretKeys.contains(key.lowercased()) && member != .null ? .string("[redacted]") : redacted(member)
            }
            return .object(result)
        case .array(let items):
            return .array(items.map(redacted))
        default:
            return value
        }
    }
}
