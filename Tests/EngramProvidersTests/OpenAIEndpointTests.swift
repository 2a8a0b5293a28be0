import Testing
@testable import EngramProviders

/// URLs and authentication of OpenAI-style and Azure endpoints, and what reaches the logs of a URL.
@Suite("OpenAI endpoint")
struct OpenAIEndpointTests {
    @Test("joins the base URL and the operation with one slash")
    func standardURL() {
        #expect(OpenAIEndpoint.standard(baseURL: "https://api.openai.com/v1", apiKey: nil).url("embeddings") == "https://api.openai.com/v1/embeddings")
        #expect(OpenAIEndpoint.standard(baseURL: "http://h:1/v1//", apiKey: nil).url("chat/completions") == "http://h:1/v1/chat/completions")
    }

    @Test("builds Azure's deployment URL with an escaped deployment and api-version")
    func azureURL() {
        let endpoint = OpenAIEndpoint.azure(endpoint: "https://x.openai.azure.com/", deployment: "my gpt/4", apiVersion: "2024-10-21", apiKey: "k")
        #expect(endpoint.url("chat/completions") == "https://x.openai.azure.com/openai/deployments/my%20gpt%2F4/chat/completions?api-version=2024-10-21")
    }

    @Test("authenticates with a bearer key, Azure's api-key field, or nothing")
    func authorization() {
        #expect(OpenAIEndpoint.standard(baseURL: "https://a", apiKey: "sk").authorization.map(\.name) == ["Authorization"])
        #expect(OpenAIEndpoint.standard(baseURL: "https://a", apiKey: "sk").authorization.map(\.value) == ["Bearer sk"])
        #expect(OpenAIEndpoint.azure(endpoint: "https://a", deployment: "d", apiVersion: "v", apiKey: "k").authorization.map(\.name) == ["api-key"])
        #expect(OpenAIEndpoint.standard(baseURL: "https://a", apiKey: nil).authorization.isEmpty)
        #expect(OpenAIEndpoint.standard(baseURL: "https://a", apiKey: "").authorization.isEmpty)
    }

    @Test("keeps only host, port and path of a URL for logs")
    func requestTarget() {
        let target = RequestTarget(url: "https://user:pw@api.example.com:8443/v1/embed?key=secret")
        #expect(target.host == "api.example.com:8443")
        #expect(target.path == "/v1/embed")
        #expect(RequestTarget(url: "https://api.example.com").path == "/")
    }
}
