import EngramCore
import Foundation

/// The JSON of OpenAI's `/chat/completions`: the request body built from a `ChatRequest`, and the
/// answer read back into a `ChatResponse`. Pure functions, no I/O.
enum OpenAIChatPayload {
    /// The settings that shape a request body besides the request itself.
    struct Options: Equatable {
        var model: String
        var temperature: Double?
        var maxTokens: Int?
        /// Send images as `image_url` parts; without vision they are left out.
        var vision: Bool
        /// Send `response_format: {"type": "json_object"}` when the request asks for JSON.
        var responseFormat: Bool
    }

    static func body(_ request: ChatRequest, options: Options) throws(ProviderError) -> Data {
        let messages = request.messages.map { message in
            Message(role: message.role.rawValue, content: content(of: message, vision: options.vision))
        }
        let body = Body(
            model: options.model, messages: messages,
            temperature: request.temperature ?? options.temperature,
            maxTokens: request.maxTokens ?? options.maxTokens,
            responseFormat: request.jsonOutput && options.responseFormat ? ResponseFormat(type: "json_object") : nil)
        return try ProviderJSON.encode(body)
    }

    /// Plain text, or text and image parts when vision is on and the message has images.
    private static func content(of message: ChatMessage, vision: Bool) -> Content {
        guard vision, !message.imageURLs.isEmpty else { return .text(message.text) }
        var parts: [Part] = []
        if !message.text.isEmpty { parts.append(Part(type: "text", text: message.text, imageURL: nil)) }
        for url in message.imageURLs {
            parts.append(Part(type: "image_url", text: nil, imageURL: ImageURL(url: url)))
        }
        return .parts(parts)
    }

    /// The first choice's text and the usage; a missing choice or empty text is `provider_unavailable`.
    static func response(_ data: Data, host: String) throws(ProviderError) -> ChatResponse {
        let completion = try ProviderJSON.decode(Completion.self, from: data, host: host, what: "chat completion")
        guard let text = completion.choices?.first?.message?.content, !text.isEmpty else {
            throw ProviderError(.unavailable, "\(host) returned a chat completion without an answer")
        }
        return ChatResponse(
            text: text, promptTokens: completion.usage?.promptTokens, completionTokens: completion.usage?.completionTokens)
    }

    /// Whether a rejection is about `response_format` (servers that do not implement JSON mode).
    static func rejectsResponseFormat(status: Int, body: Data) -> Bool {
        (status == 400 || status == 422) && String(decoding: body, as: UTF8.self).contains("response_format")
    }

    // MARK: Request

    private struct Body: Encodable {
        var model: String
        var messages: [Message]
        var temperature: Double?
        var maxTokens: Int?
        var responseFormat: ResponseFormat?

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature
            case maxTokens = "max_tokens"
            case responseFormat = "response_format"
        }
    }

    private struct Message: Encodable {
        var role: String
        var content: Content
    }

    private enum Content: Encodable {
        case text(String)
        case parts([Part])

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .parts(let parts): try container.encode(parts)
            }
        }
    }

    private struct Part: Encodable {
        var type: String
        var text: String?
        var imageURL: ImageURL?

        enum CodingKeys: String, CodingKey {
            case type, text
            case imageURL = "image_url"
        }
    }

    private struct ImageURL: Encodable {
        var url: String
    }

    private struct ResponseFormat: Encodable {
        var type: String
    }

    // MARK: Answer

    private struct Completion: Decodable {
        var choices: [Choice]?
        var usage: Usage?
    }

    private struct Choice: Decodable {
        var message: AnswerMessage?
    }

    private struct AnswerMessage: Decodable {
        var content: String?
    }

    private struct Usage: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }
}
