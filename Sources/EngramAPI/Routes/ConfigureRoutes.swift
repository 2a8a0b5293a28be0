import EngramCore
import Foundation
import EngramHTTP

/// `GET /configure` and `POST /configure`: the running configuration, with secrets redacted, and
/// runtime changes (custom prompts, the LLM, the embedder) that are deep-merged, validated, persisted
/// in the store and applied without a restart.
enum ConfigureRoutes {
    /// Keys whose values are never shown (case-insensitive), wherever they appear.
    static let secretKeys: Set<String> = [
        "api_key", "admin_api_key", "authorization", "password", "secret", "token", "jwt_secret", "x-api-key", "api-key",
        "apikey", "access_token", "refresh_token", "client_secret", "private_key", "proxy-authorization",
    ]
    /// Query parameters of a URL whose values are never shown: names holding one of these (case-insensitive).
    static let secretQueryWords = ["key", "token", "secret", "password", "passwd", "sig", "auth", "credential"]

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
        case .string(let text):
            return .string(redactedURL(text))
        default:
            return value
        }
    }

    /// `text` with the credentials a URL can carry replaced by `[redacted]`: the user information
    /// (`https://user:password@host`) and secret-named query parameters (`?api-key=…`, `?token=…`).
    /// Text that is not an absolute URL with a host comes back as it is.
    static func redactedURL(_ text: String) -> String {
        guard text.contains("://"), var components = URLComponents(string: text), components.scheme != nil,
              components.host != nil
        else { return text }
        var changed = false
        if components.percentEncodedUser != nil || components.percentEncodedPassword != nil {
            components.percentEncodedUser = "%5Bredacted%5D"
            components.percentEncodedPassword = nil
            changed = true
        }
        if let items = components.queryItems {
            components.queryItems = items.map { item in
                let name = item.name.lowercased()
                guard item.value != nil, secretQueryWords.contains(where: name.contains) else { return item }
                changed = true
                return URLQueryItem(name: item.name, value: "[redacted]")
            }
        }
        guard changed, let redacted = components.string else { return text }
        return redacted.replacingOccurrences(of: "%5Bredacted%5D", with: "[redacted]")
    }
}
