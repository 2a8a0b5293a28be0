import EngramCore
import EngramTestSupport
import Foundation
import Testing
@testable import EngramProviders

/// Building providers from settings: defaults, checks, and the settings reaching the calls.
@Suite("Remote provider factory")
struct RemoteProviderFactoryTests {
    private typealias Path = FakeProviderServer.Path
    private let factory = RemoteProviderFactory(logger: TestClients.quietLogger)

    private func invalidMessage(_ build: () throws -> Void) -> String? {
        do {
            try build()
        } catch let error as MemoryError {
            if case .invalid(let message) = error { return message }
        } catch {}
        return nil
    }

    @Test("names the known providers when given an unknown one")
    func unknownProvider() {
        let chat = invalidMessage { _ = try factory.chatModel(ProviderSettings(provider: "llamafile")) }
        #expect(chat?.hasPrefix("Unknown llm provider 'llamafile'; known providers: anthropic, azure_openai, deepseek,") == true)
        let embedder = invalidMessage { _ = try factory.embedder(ProviderSettings(provider: "local")) }
        #expect(embedder?.hasPrefix("Unknown embedder provider 'local'; known providers: azure_openai,") == true)
        #expect(embedder?.contains("anthropic") == false)
    }

    @Test("requires an api_key where the service needs one", arguments: ["openai", "anthropic", "groq", "gemini", "azure_openai"])
    func missingKey(provider: String) {
        let settings = ProviderSettings(provider: provider, model: "m", baseURL: "https://example.com", deployment: "d")
        let message = invalidMessage { _ = try factory.chatModel(settings) }
        #expect(message == "The \(provider) llm needs an api_key ('llm.config.api_key')")
        if provider != "anthropic" {
            #expect(invalidMessage { _ = try factory.embedder(settings) }?.contains("needs an api_key") == true)
        }
    }

    @Test("fills in each provider's default model")
    func defaultModels() throws {
        #expect(try factory.chatModel(ProviderSettings(provider: "openai", apiKey: "k")).modelID == "openai/gpt-4.1-mini")
        #expect(try factory.chatModel(ProviderSettings(provider: "anthropic", apiKey: "k")).modelID == "anthropic/claude-sonnet-4-5")
        #expect(try factory.chatModel(ProviderSettings(provider: "ollama")).modelID == "ollama/llama3.1")
        #expect(try factory.chatModel(ProviderSettings(provider: "groq", model: "m", apiKey: "k")).modelID == "groq/m")
        let azure = try factory.chatModel(ProviderSettings(provider: "azure_openai", baseURL: "https://x.openai.azure.com", apiKey: "k", deployment: "dep"))
        #expect(azure.modelID == "azure_openai/dep")
    }

    @Test("passes enable_vision through")
    func vision() throws {
        #expect(try factory.chatModel(ProviderSettings(provider: "openai", apiKey: "k", enableVision: true)).supportsVision)
        #expect(try !factory.chatModel(ProviderSettings(provider: "anthropic", apiKey: "k")).supportsVision)
    }

    @Test("requires a model where there is no default")
    func missingModel() {
        #expect(invalidMessage { _ = try factory.chatModel(ProviderSettings(provider: "vllm")) } == "The vllm llm needs a model ('llm.config.model')")
        #expect(invalidMessage { _ = try factory.embedder(ProviderSettings(provider: "groq", apiKey: "k")) } == "The groq embedder needs a model ('embedder.config.model')")
    }

    @Test("checks Azure's endpoint and deployment, the base URL and the timeouts")
    func malformedSettings() {
        #expect(invalidMessage { _ = try factory.chatModel(ProviderSettings(provider: "azure_openai", apiKey: "k")) }?.contains("azure_endpoint") == true)
        #expect(invalidMessage {
            _ = try factory.chatModel(ProviderSettings(provider: "azure_openai", baseURL: "https://x", apiKey: "k"))
        }?.contains("azure_deployment") == true)
        #expect(invalidMessage {
            _ = try factory.chatModel(ProviderSettings(provider: "openai", baseURL: "file:///etc/passwd", apiKey: "k"))
        } == "'llm.config.base_url' must be an http or https URL")
        #expect(invalidMessage { _ = try factory.chatModel(ProviderSettings(provider: "ollama", baseURL: "localhost:11434")) } != nil)
        #expect(invalidMessage { _ = try factory.chatModel(ProviderSettings(provider: "ollama", timeout: 0)) }?.contains("positive") == true)
    }

    @Test("builds an Ollama chat model on the server root or on /v1 alike", arguments: ["", "/v1", "/v1/"])
    func ollamaChat(suffix: String) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIChat(content: "hello"), on: Path.openAIChat)
            let chat = try factory.chatModel(ProviderSettings(provider: "ollama", model: "qwen3", baseURL: fake.baseURL + suffix))
            #expect(try chat.complete(ChatRequest(messages: [ChatMessage(role: .user, text: "hi")])).text == "hello")
            #expect(fake.requests.first?.json["model"] as? String == "qwen3")
        }
    }

    @Test("builds embedders that probe or take the configured dimension")
    func embedders() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIEmbeddings(dimension: 5), on: Path.openAIEmbeddings)
            fake.setFallback(.ollamaEmbed(dimension: 7), on: Path.ollamaEmbed)
            let openAI = try factory.embedder(ProviderSettings(provider: "openai", baseURL: fake.openAIBaseURL, apiKey: "k"))
            #expect(openAI.modelID == "openai/text-embedding-3-small")
            #expect(openAI.dimension == 5)
            let ollama = try factory.embedder(ProviderSettings(provider: "ollama", baseURL: fake.baseURL + "/v1"))
            #expect(ollama.modelID == "ollama/nomic-embed-text")
            #expect(ollama.dimension == 7)
            #expect(fake.requests.map(\.path) == [Path.openAIEmbeddings, Path.ollamaEmbed])
            let fixed = try factory.embedder(ProviderSettings(provider: "ollama", baseURL: fake.baseURL, embeddingDims: 7))
            #expect(fixed.dimension == 7)
            #expect(fake.requests.count == 2)
        }
    }

    @Test("applies the settings' timeout and retries to the calls")
    func timeoutFromSettings() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(FakeProviderServer.Reply.openAIChat(content: "late").delayed(by: .seconds(5)), on: Path.openAIChat)
            let chat = try factory.chatModel(ProviderSettings(provider: "ollama", baseURL: fake.baseURL, timeout: 0.3, maxRetries: 0))
            let clock = ContinuousClock()
            let start = clock.now
            let error = #expect(throws: ProviderError.self) { try chat.complete(ChatRequest(messages: [ChatMessage(role: .user, text: "hi")])) }
            #expect(error?.code == .timeout)
            #expect(clock.now - start < .seconds(2))
        }
    }
}

/// Building rerankers from settings: defaults, checks, and the settings reaching the calls.
@Suite("Remote provider factory: rerankers")
struct RemoteProviderFactoryRerankerTests {
    private let factory = RemoteProviderFactory(logger: TestClients.quietLogger)

    private func invalidMessage(_ build: () throws -> Void) -> String? {
        do {
            try build()
        } catch let error as MemoryError {
            if case .invalid(let message) = error { return message }
        } catch {}
        return nil
    }

    /// The URL the reranker built for `settings` calls.
    private func url(_ settings: ProviderSettings) throws -> String? {
        (try factory.reranker(settings) as? RemoteReranker)?.api.endpoint.url
    }

    @Test("fills in each hosted provider's API and model")
    func defaults() throws {
        let cohere = ProviderSettings(provider: "cohere", apiKey: "k")
        #expect(try factory.reranker(cohere).modelID == "cohere/rerank-v3.5")
        #expect(try url(cohere) == "https://api.cohere.com/v1/rerank")
        let jina = ProviderSettings(provider: "jina", apiKey: "k")
        #expect(try factory.reranker(jina).modelID == "jina/jina-reranker-v2-base-multilingual")
        #expect(try url(jina) == "https://api.jina.ai/v1/rerank")
        let voyage = ProviderSettings(provider: "voyage", apiKey: "k")
        #expect(try factory.reranker(voyage).modelID == "voyage/rerank-2.5")
        #expect(try url(voyage) == "https://api.voyageai.com/v1/rerank")
        let tei = ProviderSettings(provider: "tei", baseURL: "http://tei.internal:8080/")
        #expect(try factory.reranker(tei).modelID == "tei/default")
        #expect(try url(tei) == "http://tei.internal:8080/rerank")
        let named = ProviderSettings(provider: "cohere", model: "rerank-v4.0-pro", baseURL: "https://proxy.example/v1/", apiKey: "k")
        #expect(try factory.reranker(named).modelID == "cohere/rerank-v4.0-pro")
        #expect(try url(named) == "https://proxy.example/v1/rerank")
    }

    @Test("requires an api_key for the hosted providers", arguments: ["cohere", "jina", "voyage"])
    func missingKey(provider: String) {
        #expect(invalidMessage { _ = try factory.reranker(ProviderSettings(provider: provider)) }
            == "The \(provider) reranker needs an api_key ('reranker.config.api_key')")
        #expect(invalidMessage { _ = try factory.reranker(ProviderSettings(provider: provider, apiKey: "")) } != nil)
    }

    @Test("requires TEI's base_url, but no key or model")
    func teiSettings() throws {
        #expect(invalidMessage { _ = try factory.reranker(ProviderSettings(provider: "tei")) }
            == "The tei reranker needs its server's address ('reranker.config.base_url')")
        #expect(try factory.reranker(ProviderSettings(provider: "tei", model: "BAAI/bge-reranker-base", baseURL: "http://localhost:8080")).modelID
            == "tei/BAAI/bge-reranker-base")
    }

    @Test("checks the base URL and the timeouts", arguments: ["file:///etc/passwd", "localhost:8080", "ftp://x", ""])
    func badBaseURL(baseURL: String) {
        #expect(invalidMessage { _ = try factory.reranker(ProviderSettings(provider: "tei", baseURL: baseURL)) }
            == "'reranker.config.base_url' must be an http or https URL")
        #expect(invalidMessage { _ = try factory.reranker(ProviderSettings(provider: "cohere", baseURL: baseURL, apiKey: "k")) }
            == "'reranker.config.base_url' must be an http or https URL")
        #expect(invalidMessage { _ = try factory.reranker(ProviderSettings(provider: "jina", apiKey: "k", timeout: 0)) }?.contains("positive") == true)
    }

    @Test("names every provider users can choose when given an unknown one")
    func unknownProvider() {
        #expect(invalidMessage { _ = try factory.reranker(ProviderSettings(provider: "openai")) }
            == "Unknown reranker provider 'openai'; known providers: cohere, jina, llm, local, tei, voyage")
    }

    @Test("does not build the engine's or the executable's own rerankers", arguments: ["llm", "local"])
    func builtIn(provider: String) {
        #expect(invalidMessage { _ = try factory.reranker(ProviderSettings(provider: provider)) }
            == "The \(provider) reranker is not a remote provider; the server builds it itself")
    }

    @Test("builds rerankers that call the configured server with the settings' timeout")
    func calls() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.cohereRerank(), on: FakeProviderServer.Path.rerank)
            let cohere = try factory.reranker(ProviderSettings(provider: "cohere", baseURL: fake.baseURL + "/v1", apiKey: "k"))
            let scores = try cohere.scores(query: "tea", documents: ["green tea", "coffee"])
            #expect(scores == ["green tea", "coffee"].map { FakeProviderServer.relevance(of: $0, to: "tea") })
            #expect(fake.requests.first?.json["model"] as? String == "rerank-v3.5")

            fake.setFallback(FakeProviderServer.Reply.teiRerank().delayed(by: .seconds(5)), on: FakeProviderServer.Path.teiRerank)
            let tei = try factory.reranker(ProviderSettings(provider: "tei", baseURL: fake.baseURL, timeout: 0.3, maxRetries: 0))
            let clock = ContinuousClock()
            let start = clock.now
            let error = #expect(throws: ProviderError.self) { try tei.scores(query: "tea", documents: ["green tea"]) }
            #expect(error?.code == .timeout)
            #expect(clock.now - start < .seconds(2))
        }
    }
}
