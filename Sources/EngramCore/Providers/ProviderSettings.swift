/// How to reach one provider: which API, which model, where, with which key and limits.
///
/// Read from the environment (`ENGRAM_LLM_*`, `ENGRAM_EMBEDDER_*`), the config file, or `POST
/// /configure`, all in mem0's shape: `{"provider": "openai", "config": {"model": ..., "api_key": ...}}`.
public struct ProviderSettings: Sendable, Equatable, Codable {
    /// `openai`, `azure_openai`, `anthropic`, `ollama`, an OpenAI-compatible service by name (`groq`,
    /// `together`, `deepseek`, `openrouter`, `mistral`, `gemini`, `vllm`, `lmstudio`, `xai`), or for
    /// embedders `local` (the built-in model); for rerankers `cohere`, `jina`, `voyage`, `tei`, `llm` or
    /// `local` (a cross-encoder folder named by `model`).
    public var provider: String
    public var model: String?
    /// The API root, e.g. `https://api.openai.com/v1`; each provider has a default.
    public var baseURL: String?
    public var apiKey: String?
    /// Azure OpenAI: `api-version` query parameter and deployment name.
    public var apiVersion: String?
    public var deployment: String?
    public var temperature: Double?
    public var maxTokens: Int?
    /// Seconds for the whole call (all retries included) and for connecting.
    public var timeout: Double?
    public var connectTimeout: Double?
    /// Extra attempts after a 429 or 5xx.
    public var maxRetries: Int?
    /// Embedders: the dimension, when known in advance; otherwise taken from the first response.
    public var embeddingDims: Int?
    /// Chat models: whether images are sent to the model.
    public var enableVision: Bool?
    /// Rerankers: how many of the fused ranking's best candidates a reranked search reorders when it
    /// does not say (`top_n` of the search).
    public var topN: Int?

    public init(
        provider: String, model: String? = nil, baseURL: String? = nil, apiKey: String? = nil,
        apiVersion: String? = nil, deployment: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil,
        timeout: Double? = nil, connectTimeout: Double? = nil, maxRetries: Int? = nil, embeddingDims: Int? = nil,
        enableVision: Bool? = nil
    ) {
        self.provider = provider
        self.model = model
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.deployment = deployment
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxRetries = maxRetries
        self.embeddingDims = embeddingDims
        self.enableVision = enableVision
    }

    /// The config keys understood, with mem0's spellings as aliases.
    static var stringKeys: [String: WritableKeyPath<ProviderSettings, String?>] {
        [
            "model": \.model, "base_url": \.baseURL, "openai_base_url": \.baseURL, "anthropic_base_url": \.baseURL,
            "ollama_base_url": \.baseURL, "azure_endpoint": \.baseURL, "api_key": \.apiKey, "api_version": \.apiVersion,
            "deployment": \.deployment, "azure_deployment": \.deployment,
        ]
    }
    static var numberKeys: [String: WritableKeyPath<ProviderSettings, Double?>] {
        [
            "temperature": \.temperature, "timeout": \.timeout, "connect_timeout": \.connectTimeout,
        ]
    }
    static var integerKeys: [String: WritableKeyPath<ProviderSettings, Int?>] {
        [
            "max_tokens": \.maxTokens, "max_retries": \.maxRetries, "embedding_dims": \.embeddingDims, "top_n": \.topN,
        ]
    }

    /// Parses `{"provider": "...", "config": {...}}`; a misspelt key or a wrong type is an error that
    /// names it, never silently ignored. `azure_kwargs` (mem0) is read as if its keys were top level.
    public init(json: JSONValue, section: String) throws(MemoryError) {
        guard case .object(let object) = json else { throw .invalid("'\(section)' must be an object with 'provider' and 'config'") }
        for key in object.keys where key != "provider" && key != "config" {
            throw .invalid("Unknown key '\(section).\(key)'; expected 'provider' and 'config'")
        }
        guard case .string(let provider)? = object["provider"], !provider.isEmpty else {
            throw .invalid("'\(section).provider' must be a non-empty string")
        }
        self.init(provider: provider.lowercased())
        var config: [String: JSONValue] = [:]
        switch object["config"] {
        case .none, .some(.null): break
        case .some(.object(let members)): config = members
        case .some: throw .invalid("'\(section).config' must be an object")
        }
        if case .object(let azure)? = config.removeValue(forKey: "azure_kwargs") {
            for (key, value) in azure where config[key] == nil { config[key] = value }
        }
        for (key, value) in config.sorted(by: { $0.key < $1.key }) {
            try apply(key: key, value: value, section: section)
        }
    }

    private mutating func apply(key: String, value: JSONValue, section: String) throws(MemoryError) {
        let name = "'\(section).config.\(key)'"
        if value == .null { return }
        if let path = Self.stringKeys[key] {
            guard case .string(let text) = value, text.utf8.count <= 4096, !text.utf8.contains(0) else {
                throw .invalid("\(name) must be a string")
            }
            self[keyPath: path] = text
        } else if let path = Self.numberKeys[key] {
            guard case .number(let number) = value, number.isFinite, number >= 0 else { throw .invalid("\(name) must be a non-negative number") }
            self[keyPath: path] = number
        } else if let path = Self.integerKeys[key] {
            guard case .number(let number) = value, number.rounded() == number, number >= 0, number <= 1_000_000 else {
                throw .invalid("\(name) must be a non-negative integer")
            }
            self[keyPath: path] = Int(number)
        } else if key == "enable_vision" {
            guard case .bool(let flag) = value else { throw .invalid("\(name) must be a boolean") }
            enableVision = flag
        } else {
            let known = (Array(Self.stringKeys.keys) + Array(Self.numberKeys.keys) + Array(Self.integerKeys.keys) + ["enable_vision", "azure_kwargs"]).sorted()
            throw .invalid("Unknown key \(name); known keys: \(known.joined(separator: ", "))")
        }
    }

    /// The settings in mem0's shape, for `GET /configure` (the caller redacts `api_key`).
    public var json: JSONValue {
        var config: [String: JSONValue] = [:]
        func put(_ key: String, _ value: JSONValue?) { if let value { config[key] = value } }
        put("model", model.map(JSONValue.string))
        put("base_url", baseURL.map(JSONValue.string))
        put("api_key", apiKey.map(JSONValue.string))
        put("api_version", apiVersion.map(JSONValue.string))
        put("deployment", deployment.map(JSONValue.string))
        put("temperature", temperature.map(JSONValue.number))
        put("max_tokens", maxTokens.map { .number(Double($0)) })
        put("timeout", timeout.map(JSONValue.number))
        put("connect_timeout", connectTimeout.map(JSONValue.number))
        put("max_retries", maxRetries.map { .number(Double($0)) })
        put("embedding_dims", embeddingDims.map { .number(Double($0)) })
        put("enable_vision", enableVision.map(JSONValue.bool))
        put("top_n", topN.map { .number(Double($0)) })
        return .object(["provider": .string(provider), "config": .object(config)])
    }
}

/// Builds providers from settings. The executable supplies one that knows every provider (remote ones
/// from `EngramProviders`, the built-in embedder from `EngramEmbedding`), so the engine can switch
/// providers when `POST /configure` changes them, without importing any of them.
public protocol ProviderFactory: Sendable {
    /// A chat model; throws `MemoryError.invalid` for an unknown provider or a missing setting.
    func chatModel(_ settings: ProviderSettings) throws -> any ChatModel

    /// An embedder. When `embeddingDims` is not set, this may call the provider once to learn the
    /// dimension (throwing `ProviderError` when it cannot).
    func embedder(_ settings: ProviderSettings) throws -> any Embedder

    /// A reranker (section `reranker`); throws `MemoryError.invalid` for an unknown provider or a
    /// missing setting. `llm` is not built here: the engine scores with the chat model in use.
    func reranker(_ settings: ProviderSettings) throws -> any Reranker
}

extension ProviderFactory {
    public func reranker(_ settings: ProviderSettings) throws -> any Reranker {
        throw MemoryError.invalid("Unknown reranker provider '\(settings.provider)'")
    }
}
