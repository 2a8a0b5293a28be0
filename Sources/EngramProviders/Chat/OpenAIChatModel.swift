import EngramCore
import Foundation
import Synchronization

/// A chat model behind OpenAI's `/chat/completions` API: OpenAI itself, Azure OpenAI, and the many
/// services and local servers that copy it (Groq, Together, DeepSeek, OpenRouter, Mistral, Gemini's
/// compatibility endpoint, xAI, Ollama, vLLM, LM Studio).
///
/// JSON requests send `response_format: {"type": "json_object"}`. Some local servers reject that
/// field; the first time one does (a 400 or 422 naming `response_format`), the request is sent once
/// more without it, and this instance leaves it out from then on.
public final class OpenAIChatModel: ChatModel {
    /// `provider/model`, e.g. `openai/gpt-4.1-mini`.
    public let modelID: String
    /// Whether images are sent as `image_url` parts.
    public let supportsVision: Bool
    let model: String
    let endpoint: OpenAIEndpoint
    let client: HTTPClient
    let temperature: Double?
    private let maxTokens: Int?
    /// Set once the server has rejected `response_format`.
    private let responseFormatRejected = Atomic<Bool>(false)

    /// Creates a model. `provider` only names it in `modelID`; `temperature` and `maxTokens` apply
    /// when a request does not set its own.
    public init(
        provider: String, model: String, endpoint: OpenAIEndpoint, client: HTTPClient, temperature: Double? = nil,
        maxTokens: Int? = nil, supportsVision: Bool = false
    ) {
        self.modelID = "\(provider)/\(model)"
        self.model = model
        self.endpoint = endpoint
        self.client = client
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.supportsVision = supportsVision
    }

    /// One completion: the first choice's text and the reported usage.
    public func complete(_ request: ChatRequest) throws(ProviderError) -> ChatResponse {
        let url = endpoint.url("chat/completions")
        let host = RequestTarget(url: url).host
        let withFormat = request.jsonOutput && !responseFormatRejected.load(ordering: .relaxed)
        var response = try client.exchange(httpRequest(request, url: url, responseFormat: withFormat))
        if withFormat, OpenAIChatPayload.rejectsResponseFormat(status: response.status, body: response.body) {
            responseFormatRejected.store(true, ordering: .relaxed)
            client.logger.notice(
                "The chat model rejected response_format; sending JSON requests without it",
                metadata: ["model": "\(modelID)", "host": "\(host)"])
            response = try client.exchange(httpRequest(request, url: url, responseFormat: false))
        }
        guard response.isSuccess else { throw ProviderError(status: response.status, host: host) }
        return try OpenAIChatPayload.response(response.body, host: host)
    }

    private func httpRequest(_ request: ChatRequest, url: String, responseFormat: Bool) throws(ProviderError) -> HTTPClientRequest {
        let options = OpenAIChatPayload.Options(
            model: model, temperature: temperature, maxTokens: maxTokens, vision: supportsVision,
            responseFormat: responseFormat)
        let body = try OpenAIChatPayload.body(request, options: options)
        return .postJSON(url: url, headers: endpoint.authorization, body: body)
    }
}
