import EngramCore
import Foundation
import Logging

/// Builds the remote chat models, embedders and rerankers from `ProviderSettings`: OpenAI and the
/// services that copy its API (by name, with their default base URLs), Azure OpenAI, Anthropic, and
/// Ollama; for reranking Cohere, Jina, Voyage AI and Text Embeddings Inference.
///
/// Settings are checked before anything is built: an unknown provider, a missing key for a service
/// that needs one, a missing model where there is no default, or a malformed `base_url` is a
/// `MemoryError.invalid` naming the setting. `local` (the built-in embedder and reranker) is not
/// handled here; the executable's factory answers it before delegating the rest to this one. Nor is
/// the `llm` reranker, which the engine builds on its chat model.
///
/// Unless the settings say otherwise, each call may take 60 s in all, connecting 10 s, with 2 retries.
public struct RemoteProviderFactory: ProviderFactory {
    /// Defaults for settings that leave limits out.
    public struct Defaults: Sendable {
        /// Seconds a whole call may take, retries included.
        public var timeout: Double = 60
        /// Seconds to connect.
        public var connectTimeout: Double = 10
        /// Extra attempts after a 429, a 5xx or a failed connection.
        public var maxRetries: Int = 2

        /// The defaults above.
        public init() {}
    }

    private let logger: Logger
    private let defaults: Defaults

    /// Creates a factory whose providers log their calls to `logger`.
    public init(logger: Logger, defaults: Defaults = Defaults()) {
        self.logger = logger
        self.defaults = defaults
    }

    /// A chat model for `settings` (section `llm`); throws `MemoryError.invalid` for bad settings.
    public func chatModel(_ settings: ProviderSettings) throws -> any ChatModel {
        let section = "llm"
        let client = try httpClient(settings, section: section)
        let vision = settings.enableVision ?? false
        switch settings.provider {
        case "anthropic":
            let key = try requireKey(settings, section: section)
            let baseURL = try url(settings.baseURL ?? AnthropicChatModel.defaultBaseURL, section: section)
            return AnthropicChatModel(
                model: settings.model ?? ProviderCatalog.anthropicDefaultModel, apiKey: key, client: client,
                baseURL: baseURL, temperature: settings.temperature, maxTokens: settings.maxTokens, supportsVision: vision)
        case "azure_openai", "azure":
            let (endpoint, model) = try azure(settings, section: section)
            return OpenAIChatModel(
                provider: "azure_openai", model: model, endpoint: endpoint, client: client,
                temperature: settings.temperature, maxTokens: settings.maxTokens, supportsVision: vision)
        default:
            guard let service = ProviderCatalog.openAICompatible[settings.provider] else {
                throw unknown(settings.provider, section: section, known: ProviderCatalog.chatProviders)
            }
            guard let model = settings.model ?? service.defaultChatModel else {
                throw MemoryError.invalid("The \(settings.provider) \(section) needs a model ('\(section).config.model')")
            }
            var baseURL = try url(settings.baseURL ?? service.baseURL, section: section)
            // Ollama's native root (mem0's ollama_base_url) serves the OpenAI API under /v1.
            if settings.provider == "ollama", !baseURL.trimmingTrailingSlashes.hasSuffix("/v1") {
                baseURL = baseURL.trimmingTrailingSlashes + "/v1"
            }
            let key = service.needsKey ? try requireKey(settings, section: section) : settings.apiKey
            return OpenAIChatModel(
                provider: settings.provider, model: model, endpoint: .standard(baseURL: baseURL, apiKey: key),
                client: client, temperature: settings.temperature, maxTokens: settings.maxTokens, supportsVision: vision)
        }
    }

    /// An embedder for `settings` (section `embedder`); without `embedding_dims` it calls the
    /// provider once to learn the dimension, throwing `ProviderError` when that fails.
    public func embedder(_ settings: ProviderSettings) throws -> any Embedder {
        let section = "embedder"
        let client = try httpClient(settings, section: section)
        switch settings.provider {
        case "ollama":
            let model = settings.model ?? ProviderCatalog.openAICompatible["ollama"]?.defaultEmbeddingModel ?? "nomic-embed-text"
            var root = try url(settings.baseURL ?? ProviderCatalog.ollamaDefaultRoot, section: section).trimmingTrailingSlashes
            // A base URL given for Ollama's OpenAI API (…/v1) points at the same server.
            if root.hasSuffix("/v1") { root = String(root.dropLast(3)) }
            return try RemoteEmbedder.ollama(model: model, baseURL: root, client: client, dimension: settings.embeddingDims)
        case "azure_openai", "azure":
            let (endpoint, model) = try azure(settings, section: section)
            return try RemoteEmbedder.openAI(
                provider: "azure_openai", model: model, endpoint: endpoint, client: client,
                requestedDimensions: settings.embeddingDims)
        default:
            guard let service = ProviderCatalog.openAICompatible[settings.provider] else {
                throw unknown(settings.provider, section: section, known: ProviderCatalog.embeddingProviders)
            }
            guard let model = settings.model ?? service.defaultEmbeddingModel else {
                throw MemoryError.invalid("The \(settings.provider) \(section) needs a model ('\(section).config.model')")
            }
            let baseURL = try url(settings.baseURL ?? service.baseURL, section: section)
            let key = service.needsKey ? try requireKey(settings, section: section) : settings.apiKey
            return try RemoteEmbedder.openAI(
                provider: settings.provider, model: model, endpoint: .standard(baseURL: baseURL, apiKey: key),
                client: client, requestedDimensions: settings.embeddingDims)
        }
    }

    /// A reranker for `settings` (section `reranker`): `cohere`, `jina` and `voyage` need an
    /// `api_key` and default to their public APIs and models; `tei` needs the server's `base_url`
    /// and sends `model` and `api_key` only when given. Nothing is called until the first search.
    public func reranker(_ settings: ProviderSettings) throws -> any Reranker {
        let section = "reranker"
        guard let service = ProviderCatalog.rerankers[settings.provider] else {
            if ProviderCatalog.builtInRerankers.contains(settings.provider) {
                throw MemoryError.invalid("The \(settings.provider) reranker is not a remote provider; the server builds it itself")
            }
            throw unknown(settings.provider, section: section, known: ProviderCatalog.rerankerProviders)
        }
        let client = try httpClient(settings, section: section)
        guard let root = settings.baseURL ?? service.baseURL else {
            throw MemoryError.invalid("The \(settings.provider) \(section) needs its server's address ('\(section).config.base_url')")
        }
        let baseURL = try url(root, section: section)
        // The hosted services need a key, and have a default model.
        func keyAndModel() throws(MemoryError) -> (key: String, model: String) {
            let key = try requireKey(settings, section: section)
            guard let model = settings.model ?? service.defaultModel else {
                throw .invalid("The \(settings.provider) \(section) needs a model ('\(section).config.model')")
            }
            return (key, model)
        }
        switch service.dialect {
        case .tei:
            return RemoteReranker.tei(model: settings.model, baseURL: baseURL, apiKey: settings.apiKey, client: client)
        case .cohere:
            let (key, model) = try keyAndModel()
            return RemoteReranker.cohere(model: model, baseURL: baseURL, apiKey: key, client: client)
        case .jina:
            let (key, model) = try keyAndModel()
            return RemoteReranker.jina(model: model, baseURL: baseURL, apiKey: key, client: client)
        case .voyage:
            let (key, model) = try keyAndModel()
            return RemoteReranker.voyage(model: model, baseURL: baseURL, apiKey: key, client: client)
        }
    }

    /// An HTTP client with the settings' timeouts and retries, or the defaults.
    private func httpClient(_ settings: ProviderSettings, section: String) throws(MemoryError) -> HTTPClient {
        let timeout = settings.timeout ?? defaults.timeout
        let connectTimeout = settings.connectTimeout ?? defaults.connectTimeout
        guard timeout > 0, connectTimeout > 0 else {
            throw .invalid("'\(section).config.timeout' and '\(section).config.connect_timeout' must be positive")
        }
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .milliseconds(Int((timeout * 1000).rounded(.up)))
        configuration.connectTimeout = .milliseconds(Int((connectTimeout * 1000).rounded(.up)))
        configuration.maxRetries = settings.maxRetries ?? defaults.maxRetries
        return HTTPClient(configuration: configuration, logger: logger)
    }

    /// Azure OpenAI's endpoint (from `base_url` / `azure_endpoint`), deployment (or the model's name)
    /// and key, and the model name for `modelID`.
    private func azure(_ settings: ProviderSettings, section: String) throws(MemoryError) -> (OpenAIEndpoint, String) {
        guard let endpoint = settings.baseURL else {
            throw .invalid("The azure_openai \(section) needs its endpoint ('\(section).config.azure_endpoint')")
        }
        guard let deployment = settings.deployment ?? settings.model else {
            throw .invalid("The azure_openai \(section) needs a deployment ('\(section).config.azure_deployment')")
        }
        let key = try requireKey(settings, section: section)
        let endpointURL = try url(endpoint, section: section)
        let apiVersion = settings.apiVersion ?? ProviderCatalog.azureDefaultAPIVersion
        return (.azure(endpoint: endpointURL, deployment: deployment, apiVersion: apiVersion, apiKey: key), settings.model ?? deployment)
    }

    private func requireKey(_ settings: ProviderSettings, section: String) throws(MemoryError) -> String {
        guard let key = settings.apiKey, !key.isEmpty else {
            throw .invalid("The \(settings.provider) \(section) needs an api_key ('\(section).config.api_key')")
        }
        return key
    }

    /// The URL if it is `http(s)://host...`.
    private func url(_ text: String, section: String) throws(MemoryError) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw .invalid("'\(section).config.base_url' must be an http or https URL")
        }
        return text
    }

    private func unknown(_ provider: String, section: String, known: [String]) -> MemoryError {
        .invalid("Unknown \(section) provider '\(provider)'; known providers: \(known.joined(separator: ", "))")
    }
}
