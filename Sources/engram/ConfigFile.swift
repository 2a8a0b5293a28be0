import EngramCore
import Foundation
import Yams

/// The optional configuration file (`--config` or `ENGRAM_CONFIG`), YAML or JSON, in the shape of
/// `POST /configure` plus the server settings:
///
/// ```yaml
/// host: 127.0.0.1
/// port: 8888
/// data_dir: ./data
/// llm: {provider: openai, config: {model: gpt-4.1-mini, api_key: sk-...}}
/// embedder: {provider: local}
/// custom_instructions: Remember only what matters for travel planning.
/// ```
///
/// It sits below flags and environment variables: each is a default they may override.
struct ConfigFile {
    static let serverKeys: Set<String> = [
        "host", "port", "data_dir", "model_dir", "api_key", "workers", "job_workers", "embed_threads", "embed_kernels", "log_level", "database_url",
        "proxy_memories", "mcp_allowed_origins", "mcp_default_user_id", "log_format", "metrics_public", "graph", "graph_hops",
        "allow_private_webhooks",
    ]

    var values: [String: JSONValue] = [:]

    init() {}

    /// Reads and checks the file; unknown keys are errors naming them.
    init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError("Cannot read the config file '\(path)'")
        }
        let parsed: Any?
        do {
            parsed = try Yams.load(yaml: text)
        } catch {
            throw ConfigError("The config file '\(path)' is not valid YAML or JSON: \(error)")
        }
        guard let object = parsed as? [String: Any] else { throw ConfigError("The config file '\(path)' must hold a mapping") }
        for (key, value) in object {
            let known = Self.serverKeys.union(MemoryService.promptKeys).union(MemoryService.providerKeys)
            guard known.contains(key) else {
                throw ConfigError("Unknown key '\(key)' in '\(path)'; known keys: \(known.sorted().joined(separator: ", "))")
            }
            guard let json = Self.json(value) else { throw ConfigError("'\(key)' in '\(path)' has a value that is not JSON-like") }
            values[key] = json
        }
    }

    func string(_ key: String) -> String? {
        switch values[key] {
        case .string(let text)?: text
        case .number(let number)?: number.rounded() == number ? String(Int(number)) : String(number)
        case .bool(let flag)?: flag ? "true" : "false"
        default: nil
        }
    }

    /// YAML's loaded values as JSON.
    static func json(_ value: Any) -> JSONValue? {
        switch value {
        case is NSNull: return .null
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .number(Double(number))
        case let number as Double: return .number(number)
        case let text as String: return .string(text)
        case let items as [Any]:
            var result: [JSONValue] = []
            for item in items {
                guard let converted = json(item) else { return nil }
                result.append(converted)
            }
            return .array(result)
        case let object as [String: Any]:
            var result: [String: JSONValue] = [:]
            for (key, item) in object {
                guard let converted = json(item) else { return nil }
                result[key] = converted
            }
            return .object(result)
        default:
            return nil
        }
    }
}

/// A configuration problem, shown to the operator as is.
struct ConfigError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
