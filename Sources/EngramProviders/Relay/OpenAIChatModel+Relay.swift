import EngramCore
import Foundation

/// The chat proxy over an OpenAI-compatible API: the request goes as it came (unknown fields
/// included), the answer and every streamed chunk come back as the provider sent them.
extension OpenAIChatModel: ChatCompletionsRelay {
    public var defaultModel: String { model }

    public func complete(_ request: ChatCompletionRequest) throws -> Data {
        let (http, host) = try relayRequest(request)
        return try client.exchange(http).relayedBody(from: host)
    }

    public func stream(_ request: ChatCompletionRequest, chunk: (String) throws -> Void) throws {
        let (http, host) = try relayRequest(request)
        var decoder = EventStreamDecoder()
        var failure: (any Error)?
        let response: HTTPClientResponse
        do {
            response = try client.stream(http) { bytes in
                for event in decoder.feed(bytes) where event.data != "[DONE]" {
                    // Some compatible servers report a failure mid-stream as an event holding `error`.
                    if let rejection = Self.streamedError(event.data, host: host) {
                        failure = rejection
                        return false
                    }
                    do {
                        try chunk(event.data)
                    } catch {
                        failure = error
                        return false
                    }
                }
                if decoder.overflowed { failure = ProviderError(.unavailable, "\(host) sent an oversized stream event") }
                return failure == nil
            }
        } catch {
            throw failure ?? error
        }
        if let failure { throw failure }
        _ = try response.relayedBody(from: host)
    }

    /// The forwarded request: the body with the configured model when it names none, to
    /// `chat/completions` with the endpoint's key.
    private func relayRequest(_ request: ChatCompletionRequest) throws(ProviderError) -> (HTTPClientRequest, host: String) {
        var request = request
        request.setModelIfAbsent(model)
        let url = endpoint.url("chat/completions")
        let body = try ProviderJSON.encode(JSONValue.object(request.body))
        let accept = request.stream ? "text/event-stream" : "application/json"
        return (.postJSON(url: url, headers: endpoint.authorization, body: body, accept: accept), RequestTarget(url: url).host)
    }

    /// The rejection an `{"error": {...}}` event describes, if the event is one.
    private static func streamedError(_ data: String, host: String) -> ProviderRejection? {
        guard data.contains("\"error\""),
              case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)),
              let error = object["error"], error != .null
        else { return nil }
        return ProviderRejection(status: 502, body: Data(data.utf8), host: host)
    }
}
