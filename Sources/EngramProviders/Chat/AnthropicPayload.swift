import EngramCore
import Foundation

/// The JSON of Anthropic's Messages API (`POST /v1/messages`): the request body built from a
/// `ChatRequest`, and the answer read back into a `ChatResponse`. Pure functions, no I/O.
enum AnthropicPayload {
    /// The settings that shape a request body besides the request itself.
    struct Options: Equatable {
        var model: String
        var temperature: Double?
        /// Required by the API; the request's own limit wins.
        var maxTokens: Int
        /// Send images as image blocks; without vision they are left out.
        var vision: Bool
    }

    /// Anthropic has no JSON mode; a JSON request gets this instruction appended to the system prompt.
    /// The caller parses the answer as untrusted text either way.
    static let jsonInstruction = "Reply with a single JSON object and nothing before or after it."

    /// System messages become the top-level `system` string; the others keep their order. `stream`,
    /// `stop` and `topP` come from the chat proxy's OpenAI-shaped requests.
    static func body(
        _ request: ChatRequest, options: Options, stream: Bool = false, stop: [String] = [], topP: Double? = nil
    ) throws(ProviderError) -> Data {
        var system = request.messages.filter { $0.role == .system }.map(\.text)
        if request.jsonOutput { system.append(jsonInstruction) }
        var messages: [Message] = []
        for message in request.messages where message.role != .system {
            messages.append(Message(role: message.role.rawValue, content: try content(of: message, vision: options.vision)))
        }
        let body = Body(
            model: options.model, maxTokens: request.maxTokens ?? options.maxTokens,
            system: system.isEmpty ? nil : system.joined(separator: "\n\n"), messages: messages,
            temperature: request.temperature ?? options.temperature, topP: topP,
            stopSequences: stop.isEmpty ? nil : stop, stream: stream ? true : nil)
        return try ProviderJSON.encode(body)
    }

    /// Plain text, or image blocks followed by the text when vision is on and the message has images.
    private static func content(of message: ChatMessage, vision: Bool) throws(ProviderError) -> Content {
        guard vision, !message.imageURLs.isEmpty else { return .text(message.text) }
        var blocks: [Block] = []
        for url in message.imageURLs {
            let source: ImageSource = switch try ImageReference(url) {
            case .inline(let mediaType, let base64): ImageSource(type: "base64", mediaType: mediaType, data: base64, url: nil)
            case .remote(let url): ImageSource(type: "url", mediaType: nil, data: nil, url: url)
            }
            blocks.append(Block(type: "image", text: nil, source: source))
        }
        if !message.text.isEmpty { blocks.append(Block(type: "text", text: message.text, source: nil)) }
        return .blocks(blocks)
    }

    /// The text blocks joined, and the usage; an answer with no text is `provider_unavailable`.
    static func response(_ data: Data, host: String) throws(ProviderError) -> ChatResponse {
        let message = try ProviderJSON.decode(Answer.self, from: data, host: host, what: "message")
        let text = (message.content ?? []).filter { $0.type == "text" }.compactMap(\.text).joined()
        guard !text.isEmpty else {
            throw ProviderError(.unavailable, "\(host) returned a message without text")
        }
        return ChatResponse(text: text, promptTokens: message.usage?.inputTokens, completionTokens: message.usage?.outputTokens)
    }

    // MARK: Request

    private struct Body: Encodable {
        var model: String
        var maxTokens: Int
        var system: String?
        var messages: [Message]
        var temperature: Double?
        var topP: Double?
        var stopSequences: [String]?
        var stream: Bool?

        enum CodingKeys: String, CodingKey {
            case model, system, messages, temperature, stream
            case maxTokens = "max_tokens"
            case topP = "top_p"
            case stopSequences = "stop_sequences"
        }
    }

    private struct Message: Encodable {
        var role: String
        var content: Content
    }

    private enum Content: Encodable {
        case text(String)
        case blocks([Block])

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .blocks(let blocks): try container.encode(blocks)
            }
        }
    }

    private struct Block: Encodable {
        var type: String
        var text: String?
        var source: ImageSource?
    }

    private struct ImageSource: Encodable {
        var type: String
        var mediaType: String?
        var data: String?
        var url: String?

        enum CodingKeys: String, CodingKey {
            case type, data, url
            case mediaType = "media_type"
        }
    }

    // MARK: Answer

    private struct Answer: Decodable {
        var content: [AnswerBlock]?
        var usage: Usage?
    }

    /// A content block of an answer (text is the only kind read).
    struct AnswerBlock: Decodable {
        var type: String
        var text: String?
    }

    /// The token counts of an answer or a stream's events.
    struct Usage: Decodable {
        var inputTokens: Int?
        var outputTokens: Int?

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }
}
