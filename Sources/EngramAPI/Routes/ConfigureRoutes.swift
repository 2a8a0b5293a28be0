import EngramCore
import EngramHTTP

/// `GET /configure` and `POST /configure`: the running configuration, with secrets redacted, and
/// runtime overrides that are deep-merged, persisted in the store and applied without a restart.
///
/// Today the overridable settings are the custom prompts the inference pipeline reads on every call.
/// Provider sections (`llm`, `embedder`, `reranker`) arrive with the LLM providers; until then they
/// are refused with 400 rather than silently ignored.
enum ConfigureRoutes {
    /// Settings `POST /configure` accepts: each a string, or null to go back to the default.
    static let promptKeys: Set<String> = ["custom_instructions", "custom_fact_extraction_prompt", "custom_update_memory_prompt"]
    /// Provider sections, configured through the environment for now.
    static let providerKeys: Set<String> = ["llm", "embedder", "reranker", "vector_store", "graph_store"]
    /// Keys whose values are never shown (case-insensitive), wherever they appear.
    static let secretKeys: Set<String> = ["api_key", "admin_api_key", "authorization", "password", "secret", "token", "jwt_secret"]

    static func register(on router: inout Router, service: MemoryService) {
        router.add(.get, "/configure") { _ in
            .json(redacted(.object(try current(service))))
        }
        router.add(.post, "/configure") { request in
            let body = try JSONBody(request)
            var overrides = try service.configurationOverrides()
            for (key, value) in body.members.sorted(by: { $0.key < $1.key }) {
                if providerKeys.contains(key) {
                    throw HTTPError(.badRequest, "'\(key)' cannot be changed at run time yet; configure providers with ENGRAM_* environment variables")
                }
                guard promptKeys.contains(key) else {
                    throw HTTPError(.badRequest, "Unknown configuration key '\(key)'; allowed: \(promptKeys.sorted().joined(separator: ", "))")
                }
                switch value {
                case .null: overrides.removeValue(forKey: key)
                case .string(let text) where text.utf8.count <= 64 * 1024: overrides[key] = value
                default: throw HTTPError(.badRequest, "'\(key)' must be a string of at most 64 KiB, or null")
                }
            }
            try service.setConfigurationOverrides(overrides)
            return .json(JSONValue.object(["message": .string("Configuration set successfully")]))
        }
    }

    /// The running configuration: defaults, then the persisted overrides.
    static func current(_ service: MemoryService) throws -> [String: JSONValue] {
        let embedder = service.embedderDescription
        var configuration: [String: JSONValue] = [
            "version": .string("v1.1"),
            "embedder": .object([
                "provider": .string("local"),
                "config": .object(["model": .string(embedder.model), "embedding_dims": .number(Double(embedder.dimension))]),
            ]),
            "llm": .null,
            "reranker": .null,
            "vector_store": .object(["provider": .string("engram")]),
        ]
        for key in promptKeys { configuration[key] = .null }
        for (key, value) in try service.configurationOverrides() { configuration[key] = value }
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
