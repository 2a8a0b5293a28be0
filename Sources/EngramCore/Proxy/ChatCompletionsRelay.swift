import Foundation

/// A chat model that also serves Engram's chat proxy (`POST /v1/chat/completions`): it takes an
/// OpenAI-shaped request and answers in OpenAI's shapes, whatever its provider's own API is.
///
/// Like `ChatModel`, calls block the calling thread and may run on many threads at once. A provider
/// that answered with an error status throws `ProviderRejection`; a call that got no usable answer
/// throws `ProviderError`.
public protocol ChatCompletionsRelay: ChatModel {
    /// The model a request that names none is sent to.
    var defaultModel: String { get }

    /// One completion: the JSON of an OpenAI `chat.completion` object.
    func complete(_ request: ChatCompletionRequest) throws -> Data

    /// A streamed completion: `chunk` gets the JSON text of each OpenAI `chat.completion.chunk` as it
    /// arrives, and the call returns after the last one (the `[DONE]` marker is not passed on). A
    /// rejection is thrown before any chunk; an error `chunk` throws aborts the stream and is rethrown.
    func stream(_ request: ChatCompletionRequest, chunk: (String) throws -> Void) throws
}

/// A provider answered a relayed request with an error status: the status and what its error body said.
public struct ProviderRejection: Error, Sendable, Equatable {
    /// The provider's HTTP status (4xx or 5xx).
    public var status: Int
    /// The provider's message, or a description of the status when it gave none that may be shown.
    public var message: String
    /// The provider's error type, e.g. `invalid_request_error` or `rate_limit_error`.
    public var type: String?
    /// The provider's error code, e.g. `model_not_found`.
    public var code: String?

    public init(status: Int, message: String, type: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.code = code
    }
}
