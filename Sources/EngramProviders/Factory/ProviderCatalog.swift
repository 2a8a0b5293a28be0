/// What Engram knows about each remote provider: where its API lives, whether it needs a key, and
/// the models used when the settings name none.
enum ProviderCatalog {
    /// An OpenAI-compatible service reached by name.
    struct Service: Sendable {
        /// The API root, up to and including the version segment.
        var baseURL: String
        var needsKey: Bool
        var defaultChatModel: String?
        var defaultEmbeddingModel: String?
    }

    /// Services that speak OpenAI's chat (and, for some, embeddings) API, by provider name.
    static let openAICompatible: [String: Service] = [
        "openai": Service(
            baseURL: "https://api.openai.com/v1", needsKey: true, defaultChatModel: "gpt-4.1-mini",
            defaultEmbeddingModel: "text-embedding-3-small"),
        "groq": Service(
            baseURL: "https://api.groq.com/openai/v1", needsKey: true, defaultChatModel: "llama-3.3-70b-versatile"),
        "together": Service(
            baseURL: "https://api.together.xyz/v1", needsKey: true,
            defaultChatModel: "meta-llama/Llama-3.3-70B-Instruct-Turbo", defaultEmbeddingModel: "BAAI/bge-base-en-v1.5"),
        "deepseek": Service(baseURL: "https://api.deepseek.com/v1", needsKey: true, defaultChatModel: "deepseek-chat"),
        "openrouter": Service(baseURL: "https://openrouter.ai/api/v1", needsKey: true, defaultChatModel: "openai/gpt-4.1-mini"),
        "mistral": Service(
            baseURL: "https://api.mistral.ai/v1", needsKey: true, defaultChatModel: "mistral-small-latest",
            defaultEmbeddingModel: "mistral-embed"),
        "gemini": Service(
            baseURL: "https://generativelanguage.googleapis.com/v1beta/openai", needsKey: true,
            defaultChatModel: "gemini-2.5-flash", defaultEmbeddingModel: "gemini-embedding-001"),
        "xai": Service(baseURL: "https://api.x.ai/v1", needsKey: true, defaultChatModel: "grok-3-mini"),
        "ollama": Service(
            baseURL: "http://localhost:11434/v1", needsKey: false, defaultChatModel: "llama3.1",
            defaultEmbeddingModel: "nomic-embed-text"),
        "vllm": Service(baseURL: "http://localhost:8000/v1", needsKey: false),
        "lmstudio": Service(baseURL: "http://localhost:1234/v1", needsKey: false),
    ]

    /// A rerank service by provider name.
    struct RerankService: Sendable {
        /// The request and answer shapes a rerank service speaks.
        enum Dialect: Sendable {
            /// Cohere's `/v1/rerank`, with a key.
            case cohere
            /// Jina's copy of Cohere's API, with a key.
            case jina
            /// Voyage AI's `/v1/rerank`, with a key.
            case voyage
            /// Text Embeddings Inference's `/rerank`, key optional.
            case tei
        }

        var dialect: Dialect
        /// The service's root (the rerank path is added to it); nil when there is no default host.
        var baseURL: String?
        var defaultModel: String?
    }

    /// The rerank services `RemoteProviderFactory.reranker` builds, with defaults from each
    /// provider's API reference: Cohere's v1 rerank endpoint and its rerank-v3.5 model, Jina's
    /// multilingual v2 reranker, Voyage's recommended rerank-2.5; Text Embeddings Inference runs
    /// wherever it was deployed, with the model it was started with.
    static let rerankers: [String: RerankService] = [
        "cohere": RerankService(dialect: .cohere, baseURL: "https://api.cohere.com", defaultModel: "rerank-v3.5"),
        "jina": RerankService(dialect: .jina, baseURL: "https://api.jina.ai", defaultModel: "jina-reranker-v2-base-multilingual"),
        "voyage": RerankService(dialect: .voyage, baseURL: "https://api.voyageai.com", defaultModel: "rerank-2.5"),
        "tei": RerankService(dialect: .tei, baseURL: nil, defaultModel: nil),
    ]

    /// Reranker providers that are not remote services: `llm` (the engine scores with its chat model)
    /// and `local` (the executable's built-in model).
    static let builtInRerankers = ["llm", "local"]

    /// Every reranker provider a user can name, for the message about an unknown one.
    static var rerankerProviders: [String] {
        (Array(rerankers.keys) + builtInRerankers).sorted()
    }

    /// Azure OpenAI: the `api-version` sent when the settings give none.
    static let azureDefaultAPIVersion = "2024-10-21"
    /// Anthropic: the model used when the settings name none.
    static let anthropicDefaultModel = "claude-sonnet-4-5"
    /// Ollama's server root for its native API (`/api/embed`).
    static let ollamaDefaultRoot = "http://localhost:11434"

    /// Every provider name `RemoteProviderFactory.chatModel` accepts.
    static var chatProviders: [String] {
        (Array(openAICompatible.keys) + ["anthropic", "azure_openai"]).sorted()
    }

    /// Every provider name `RemoteProviderFactory.embedder` accepts.
    static var embeddingProviders: [String] {
        (Array(openAICompatible.keys) + ["azure_openai"]).sorted()
    }
}
