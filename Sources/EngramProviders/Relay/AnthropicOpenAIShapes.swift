import EngramCore
import Foundation

/// Anthropic's Messages answers in OpenAI's chat completion shapes, for the chat proxy: a whole
/// message becomes a `chat.completion`, and the streamed events (`message_start`,
/// `content_block_delta`, `message_delta`, `message_stop`, `error`) become `chat.completion.chunk`
/// objects. Pure functions of the provider's JSON.
struct AnthropicOpenAIShapes {
    /// The Unix time the answers are stamped with (`created`).
    let created: Int
    /// Whether a streamed answer ends with a usage chunk (`stream_options.include_usage`).
    let includeUsage: Bool

    private var id = "chatcmpl-anthropic"
    private var model = ""
    private var promptTokens = 0
    private var completionTokens = 0
    /// Whether `message_stop` arrived: the answer is complete.
    private(set) var finished = false

    init(created: Int, includeUsage: Bool = false) {
        self.created = created
        self.includeUsage = includeUsage
    }

    /// OpenAI's `finish_reason` for Anthropic's `stop_reason`.
    static func finishReason(_ stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    /// A whole message as a `chat.completion` object's JSON.
    func completion(_ data: Data, host: String) throws(ProviderError) -> Data {
        let message = try ProviderJSON.decode(Message.self, from: data, host: host, what: "message")
        let text = (message.content ?? []).filter { $0.type == "text" }.compactMap(\.text).joined()
        let prompt = message.usage?.inputTokens ?? 0
        let completion = message.usage?.outputTokens ?? 0
        return try ProviderJSON.encode(JSONValue.object([
            "id": .string("chatcmpl-" + (message.id ?? "anthropic")), "object": .string("chat.completion"),
            "created": .number(Double(created)), "model": .string(message.model ?? ""),
            "choices": .array([.object([
                "index": .number(0), "message": .object(["role": .string("assistant"), "content": .string(text)]),
                "finish_reason": .string(Self.finishReason(message.stopReason)),
            ])]),
            "usage": usage(prompt: prompt, completion: completion),
        ]))
    }

    /// The chunks one streamed event becomes (none for `ping` and block boundaries). An `error` event
    /// throws the rejection it describes.
    mutating func chunks(for data: String, host: String) throws -> [String] {
        let event = try ProviderJSON.decode(StreamEvent.self, from: Data(data.utf8), host: host, what: "stream event")
        switch event.type {
        case "message_start":
            id = "chatcmpl-" + (event.message?.id ?? "anthropic")
            model = event.message?.model ?? ""
            promptTokens = event.message?.usage?.inputTokens ?? 0
            completionTokens = event.message?.usage?.outputTokens ?? 0
            return [try chunk(delta: ["role": .string("assistant"), "content": .string("")], finishReason: nil)]
        case "content_block_delta":
            guard event.delta?.type == "text_delta", let text = event.delta?.text, !text.isEmpty else { return [] }
            return [try chunk(delta: ["content": .string(text)], finishReason: nil)]
        case "message_delta":
            completionTokens = event.usage?.outputTokens ?? completionTokens
            return [try chunk(delta: [:], finishReason: Self.finishReason(event.delta?.stopReason))]
        case "message_stop":
            finished = true
            guard includeUsage else { return [] }
            return [try encode([
                "id": .string(id), "object": .string("chat.completion.chunk"), "created": .number(Double(created)),
                "model": .string(model), "choices": .array([]),
                "usage": usage(prompt: promptTokens, completion: completionTokens),
            ])]
        case "error":
            throw ProviderRejection(
                status: 502, message: event.error?.message ?? "\(host) failed mid-stream", type: event.error?.type)
        default:
            return []
        }
    }

    private func chunk(delta: [String: JSONValue], finishReason: String?) throws(ProviderError) -> String {
        try encode([
            "id": .string(id), "object": .string("chat.completion.chunk"), "created": .number(Double(created)),
            "model": .string(model),
            "choices": .array([.object([
                "index": .number(0), "delta": .object(delta), "finish_reason": finishReason.map(JSONValue.string) ?? .null,
            ])]),
        ])
    }

    private func usage(prompt: Int, completion: Int) -> JSONValue {
        .object([
            "prompt_tokens": .number(Double(prompt)), "completion_tokens": .number(Double(completion)),
            "total_tokens": .number(Double(prompt + completion)),
        ])
    }

    private func encode(_ object: [String: JSONValue]) throws(ProviderError) -> String {
        String(decoding: try ProviderJSON.encode(JSONValue.object(object)), as: UTF8.self)
    }

    // MARK: Anthropic's JSON

    private struct Message: Decodable {
        var id: String?
        var model: String?
        var content: [Block]?
        var stopReason: String?
        var usage: Usage?

        enum CodingKeys: String, CodingKey {
            case id, model, content, usage
            case stopReason = "stop_reason"
        }
    }

    private typealias Block = AnthropicPayload.AnswerBlock
    private typealias Usage = AnthropicPayload.Usage

    private struct StreamEvent: Decodable {
        var type: String
        var message: Message?
        var delta: Delta?
        var usage: Usage?
        var error: ErrorDetails?
    }

    private struct Delta: Decodable {
        var type: String?
        var text: String?
        var stopReason: String?

        enum CodingKeys: String, CodingKey {
            case type, text
            case stopReason = "stop_reason"
        }
    }

    private struct ErrorDetails: Decodable {
        var type: String?
        var message: String?
    }
}
