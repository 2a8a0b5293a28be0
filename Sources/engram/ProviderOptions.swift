import EngramCore
import Foundation

/// Provider settings from the environment over the config file:
/// `ENGRAM_LLM_PROVIDER`, `ENGRAM_LLM_MODEL`, `ENGRAM_LLM_BASE_URL`, `ENGRAM_LLM_API_KEY`,
/// `ENGRAM_LLM_TIMEOUT`, `ENGRAM_LLM_ENABLE_VISION`, and `ENGRAM_EMBEDDER_PROVIDER`, `_MODEL`,
/// `_BASE_URL`, `_API_KEY`, `_TIMEOUT`, `_DIMS`. A key left unset falls back to the provider's usual
/// variable (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, ...), as mem0 does.
enum ProviderOptions {
    /// The LLM settings, nil when none is configured (heuristic extraction).
    static func llm(environment: [String: String], file: ConfigFile) throws -> ProviderSettings? {
        try settings(prefix: "ENGRAM_LLM_", section: "llm", environment: environment, file: file)
    }

    /// The reranker settings (`ENGRAM_RERANKER_*`), nil when searches cannot be reranked.
    static func reranker(environment: [String: String], file: ConfigFile) throws -> ProviderSettings? {
        try settings(prefix: "ENGRAM_RERANKER_", section: "reranker", environment: environment, file: file)
    }

    /// The embedder settings, nil for the built-in local embedder.
    static func embedder(environment: [String: String], file: ConfigFile) throws -> ProviderSettings? {
        let settings = try settings(prefix: "ENGRAM_EMBEDDER_", section: "embedder", environment: environment, file: file)
        return settings?.provider == "local" ? nil : settings
    }

    private static func settings(
        prefix: String, section: String, environment: [String: String], file: ConfigFile
    ) throws -> ProviderSettings? {
        func env(_ name: String) -> String? {
            guard let value = environment[prefix + name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        var settings: ProviderSettings?
        if let value = file.values[section], value != .null {
            do {
                settings = try ProviderSettings(json: value, section: section)
            } catch {
                throw ConfigError("In the config file: \(error.message)")
            }
        }
        if let provider = env("PROVIDER")?.lowercased(), provider != settings?.provider {
            settings = ProviderSettings(provider: provider)
        }
        let overrides = ["MODEL", "BASE_URL", "API_KEY", "TIMEOUT", "DIMS", "ENABLE_VISION"].filter { env($0) != nil }
        guard var result = settings else {
            if let first = overrides.first { throw ConfigError("\(prefix)\(first) is set but \(prefix)PROVIDER is not") }
            return nil
        }
        if let model = env("MODEL") { result.model = model }
        if let url = env("BASE_URL") { result.baseURL = url }
        if let key = env("API_KEY") { result.apiKey = key }
        if let text = env("TIMEOUT") {
            guard let seconds = Double(text), seconds > 0 else { throw ConfigError("\(prefix)TIMEOUT must be a number of seconds") }
            result.timeout = seconds
        }
        if let text = env("DIMS") {
            guard let dims = Int(text), dims > 0 else { throw ConfigError("\(prefix)DIMS must be a positive integer") }
            result.embeddingDims = dims
        }
        if let text = env("ENABLE_VISION") { result.enableVision = ["1", "true", "yes", "on"].contains(text.lowercased()) }
        if result.apiKey == nil, let variable = providerKeyVariable[result.provider], let key = environment[variable], !key.isEmpty {
            result.apiKey = key
        }
        return result
    }

    /// The API key variable each provider's own tools read.
    static let providerKeyVariable: [String: String] = [
        "openai": "OPENAI_API_KEY", "azure_openai": "AZURE_OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY",
        "groq": "GROQ_API_KEY", "together": "TOGETHER_API_KEY", "deepseek": "DEEPSEEK_API_KEY",
        "openrouter": "OPENROUTER_API_KEY", "mistral": "MISTRAL_API_KEY", "gemini": "GEMINI_API_KEY", "xai": "XAI_API_KEY",
        "cohere": "COHERE_API_KEY", "jina": "JINA_API_KEY", "voyage": "VOYAGE_API_KEY",
    ]
}

/// Builds providers for the engine: the built-in embedder for `local`, a cross-encoder in process
/// for the `local` reranker, the rest through `remote`.
struct EngineProviderFactory: ProviderFactory {
    let local: any Embedder
    let remote: any ProviderFactory
    /// The `local` reranker from its settings (`model`: the folder of a BERT cross-encoder).
    var localReranker: @Sendable (ProviderSettings) throws -> any Reranker = { _ in
        throw MemoryError.invalid("The local reranker is not available in this build")
    }

    func reranker(_ settings: ProviderSettings) throws -> any Reranker {
        settings.provider == "local" ? try localReranker(settings) : try remote.reranker(settings)
    }

    func chatModel(_ settings: ProviderSettings) throws -> any ChatModel {
        try remote.chatModel(settings)
    }

    func embedder(_ settings: ProviderSettings) throws -> any Embedder {
        settings.provider == "local" ? local : try remote.embedder(settings)
    }
}
