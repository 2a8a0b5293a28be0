/// One message of a conversation sent to a chat model.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable {
        case system
        case user
        case assistant
    }

    public var role: Role
    public var text: String
    /// Images shown with the message (`https:` or `data:` URLs); only sent to models with vision on.
    public var imageURLs: [String]

    public init(role: Role, text: String, imageURLs: [String] = []) {
        self.role = role
        self.text = text
        self.imageURLs = imageURLs
    }
}

/// A request for one completion.
public struct ChatRequest: Sendable, Equatable {
    public var messages: [ChatMessage]
    /// Ask for a single JSON object (OpenAI `response_format: json_object`, or the provider's nearest
    /// equivalent). The answer is still parsed as untrusted text.
    public var jsonOutput: Bool
    /// Overrides the provider's configured limits for this call.
    public var maxTokens: Int?
    public var temperature: Double?

    public init(messages: [ChatMessage], jsonOutput: Bool = false, maxTokens: Int? = nil, temperature: Double? = nil) {
        self.messages = messages
        self.jsonOutput = jsonOutput
        self.maxTokens = maxTokens
        self.temperature = temperature
    }
}

/// A model's answer.
public struct ChatResponse: Sendable, Equatable {
    /// The text of the first choice (for Anthropic, the text blocks joined).
    public var text: String
    /// Token usage as the provider reported it, when it did.
    public var promptTokens: Int?
    public var completionTokens: Int?

    public init(text: String, promptTokens: Int? = nil, completionTokens: Int? = nil) {
        self.text = text
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// A large language model behind some provider's chat API.
///
/// Calls are synchronous and block the calling thread (one the server owns) until the answer arrives,
/// the configured timeout passes, or retries are exhausted. Implementations are shared by every
/// request, so they must be safe to call from many threads at once. Every failure is a
/// `ProviderError`.
public protocol ChatModel: Sendable {
    /// `provider/model`, for logs and `GET /configure`.
    var modelID: String { get }
    /// Whether images may be sent (the `enable_vision` setting).
    var supportsVision: Bool { get }

    func complete(_ request: ChatRequest) throws -> ChatResponse
}
