import EngramCore
import Foundation

/// A Claude model behind Anthropic's Messages API (`{base}/v1/messages`), authenticated with the
/// `x-api-key` header and pinned to API version `2023-06-01`.
public final class AnthropicChatModel: ChatModel {
    /// The API version sent in `anthropic-version`.
    public static let apiVersion = "2023-06-01"
    /// Anthropic's own API root.
    public static let defaultBaseURL = "https://api.anthropic.com"
    /// The answer limit when neither the settings nor the request set one (the API requires one).
    public static let defaultMaxTokens = 2000

    /// `anthropic/<model>`.
    public let modelID: String
    /// Whether images are sent as image blocks.
    public let supportsVision: Bool
    let model: String
    let baseURL: String
    let apiKey: String
    let client: HTTPClient
    let temperature: Double?
    let maxTokens: Int

    /// Creates a model; `temperature` and `maxTokens` apply when a request does not set its own.
    public init(
        model: String, apiKey: String, client: HTTPClient, baseURL: String = AnthropicChatModel.defaultBaseURL,
        temperature: Double? = nil, maxTokens: Int? = nil, supportsVision: Bool = false
    ) {
        self.modelID = "anthropic/\(model)"
        self.model = model
        self.apiKey = apiKey
        self.client = client
        self.baseURL = baseURL
        self.temperature = temperature
        self.maxTokens = maxTokens ?? Self.defaultMaxTokens
        self.supportsVision = supportsVision
    }

    /// One completion; a JSON request is asked for JSON in the system prompt.
    public func complete(_ request: ChatRequest) throws(ProviderError) -> ChatResponse {
        let url = Self.messagesURL(baseURL: baseURL)
        let options = AnthropicPayload.Options(
            model: model, temperature: temperature, maxTokens: maxTokens, vision: supportsVision)
        let body = try AnthropicPayload.body(request, options: options)
        let headers = [("x-api-key", apiKey), ("anthropic-version", Self.apiVersion)]
        let response = try client.send(.postJSON(url: url, headers: headers, body: body))
        return try AnthropicPayload.response(response.body, host: RequestTarget(url: url).host)
    }

    /// `{base}/v1/messages`; a base that already ends in `/v1` is taken as the versioned root.
    static func messagesURL(baseURL: String) -> String {
        let base = baseURL.trimmingTrailingSlashes
        return base.hasSuffix("/v1") ? "\(base)/messages" : "\(base)/v1/messages"
    }
}
