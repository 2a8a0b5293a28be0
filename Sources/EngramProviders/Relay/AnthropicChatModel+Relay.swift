import EngramCore
import Foundation

/// The chat proxy over Anthropic's Messages API: the OpenAI-shaped request is adapted (system
/// messages, text and images, `max_tokens`, `temperature`, `top_p`, `stop`, `stream`; other fields have
/// no equivalent and are left out), and the answer comes back in OpenAI's shapes, streamed or not.
extension AnthropicChatModel: ChatCompletionsRelay {
    public var defaultModel: String { model }

    public func complete(_ request: ChatCompletionRequest) throws -> Data {
        let (http, host) = try relayRequest(request)
        let body = try client.exchange(http).relayedBody(from: host)
        return try AnthropicOpenAIShapes(created: Self.now()).completion(body, host: host)
    }

    public func stream(_ request: ChatCompletionRequest, chunk: (String) throws -> Void) throws {
        let (http, host) = try relayRequest(request)
        var decoder = EventStreamDecoder()
        var shapes = AnthropicOpenAIShapes(created: Self.now(), includeUsage: request.includeUsage)
        var failure: (any Error)?
        let response: HTTPClientResponse
        do {
            response = try client.stream(http) { bytes in
                do {
                    for event in decoder.feed(bytes) {
                        for text in try shapes.chunks(for: event.data, host: host) { try chunk(text) }
                    }
                    if decoder.overflowed { throw ProviderError(.unavailable, "\(host) sent an oversized stream event") }
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
        } catch {
            throw failure ?? error
        }
        if let failure { throw failure }
        _ = try response.relayedBody(from: host)
        guard shapes.finished else { throw ProviderError(.unavailable, "The stream from \(host) ended before message_stop") }
    }

    /// The Messages API request for an OpenAI-shaped one; the request's model, else the configured one.
    private func relayRequest(_ request: ChatCompletionRequest) throws(ProviderError) -> (HTTPClientRequest, host: String) {
        let url = Self.messagesURL(baseURL: baseURL)
        let options = AnthropicPayload.Options(
            model: request.model ?? model, temperature: temperature, maxTokens: maxTokens, vision: supportsVision)
        let chat = ChatRequest(messages: try request.chatMessages(), maxTokens: request.maxTokens, temperature: request.temperature)
        let body = try AnthropicPayload.body(chat, options: options, stream: request.stream, stop: request.stop, topP: request.topP)
        let headers = [("x-api-key", apiKey), ("anthropic-version", Self.apiVersion)]
        let accept = request.stream ? "text/event-stream" : "application/json"
        return (.postJSON(url: url, headers: headers, body: body, accept: accept), RequestTarget(url: url).host)
    }

    private static func now() -> Int { Int(Date().timeIntervalSince1970) }
}
