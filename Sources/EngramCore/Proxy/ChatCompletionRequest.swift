import Foundation

/// An OpenAI-shaped chat completion request as the chat proxy forwards it: the client's JSON body, kept
/// whole so that fields Engram does not know reach OpenAI-compatible providers unchanged, with readers
/// for the fields the proxy and the adapters for other providers need.
public struct ChatCompletionRequest: Sendable, Equatable {
    /// The body as it is forwarded.
    public private(set) var body: [String: JSONValue]

    /// Checks the fields the proxy relies on: `messages` is a non-empty list of objects with a string
    /// `role`; `model` is a string and `stream` a boolean when present.
    public init(body: [String: JSONValue]) throws(MemoryError) {
        guard case .array(let messages)? = body["messages"], !messages.isEmpty else {
            throw .invalid("messages must be a non-empty list of messages")
        }
        for (index, message) in messages.enumerated() {
            guard case .string? = message.objectValue?["role"] else {
                throw .invalid("messages[\(index)] must be an object with a string 'role'")
            }
        }
        if let model = body["model"], model != .null, model.stringValue == nil { throw .invalid("model must be a string") }
        if let stream = body["stream"], stream != .null, stream != .bool(true), stream != .bool(false) {
            throw .invalid("stream must be a boolean")
        }
        self.body = body
    }

    /// The model asked for, if any.
    public var model: String? { body["model"]?.stringValue }

    /// Whether the answer is to be streamed as server-sent events.
    public var stream: Bool { body["stream"] == .bool(true) }

    /// Whether a streamed answer ends with a usage chunk (`stream_options.include_usage`).
    public var includeUsage: Bool { body["stream_options"]?.objectValue?["include_usage"] == .bool(true) }

    /// The answer's token limit: `max_completion_tokens`, else the older `max_tokens`; nil when neither
    /// is a whole number in 1...10⁹ (a provider that needs one then gets the configured limit).
    public var maxTokens: Int? {
        guard let value = body["max_completion_tokens"]?.numberValue ?? body["max_tokens"]?.numberValue,
              value.rounded() == value, (1...1e9).contains(value)
        else { return nil }
        return Int(value)
    }

    public var temperature: Double? { body["temperature"]?.numberValue }

    public var topP: Double? { body["top_p"]?.numberValue }

    /// `stop`: one string or a list of them.
    public var stop: [String] {
        switch body["stop"] {
        case .string(let text)?: [text]
        case .array(let items)?: items.compactMap(\.stringValue)
        default: []
        }
    }

    /// Sends the request to `model` when it names none.
    public mutating func setModelIfAbsent(_ model: String) {
        if self.model == nil { body["model"] = .string(model) }
    }

    private var messages: [[String: JSONValue]] {
        guard case .array(let items)? = body["messages"] else { return [] }
        return items.compactMap(\.objectValue)
    }

    /// The text of the last user message (its text parts joined by newlines); nil when there is none
    /// or it holds no text.
    public var lastUserText: String? {
        guard let message = messages.last(where: { $0["role"]?.stringValue == "user" }) else { return nil }
        let text = Self.text(of: message["content"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Appends `text` to the first system (or developer) message, after a blank line; inserts a system
    /// message first when the request has none.
    public mutating func addToSystemMessage(_ text: String) {
        var items = messages.map(JSONValue.object)
        if let index = messages.firstIndex(where: { ["system", "developer"].contains($0["role"]?.stringValue) }) {
            var message = messages[index]
            switch message["content"] {
            case .array(var parts)?:
                parts.append(.object(["type": .string("text"), "text": .string(text)]))
                message["content"] = .array(parts)
            case .string(let existing)? where !existing.isEmpty:
                message["content"] = .string(existing + "\n\n" + text)
            default:
                message["content"] = .string(text)
            }
            items[index] = .object(message)
        } else {
            items.insert(.object(["role": .string("system"), "content": .string(text)]), at: 0)
        }
        body["messages"] = .array(items)
    }

    /// The messages as Engram's chat messages, for providers whose API has another shape: `developer`
    /// counts as `system`; text parts are joined by newlines and `image_url` parts give their URL. Tool
    /// and function messages have no equivalent there and are refused.
    public func chatMessages() throws(ProviderError) -> [ChatMessage] {
        var result: [ChatMessage] = []
        for message in messages {
            let role: ChatMessage.Role
            switch message["role"]?.stringValue {
            case "system", "developer": role = .system
            case "user": role = .user
            case "assistant": role = .assistant
            case let other:
                throw ProviderError(.badRequest, "Messages with role '\(other ?? "")' cannot be sent to this provider")
            }
            result.append(ChatMessage(role: role, text: Self.text(of: message["content"]), imageURLs: Self.imageURLs(of: message["content"])))
        }
        return result
    }

    /// A content value's text: the string itself, or its text parts joined by newlines.
    static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            return parts.compactMap { part in
                part.objectValue?["type"] == .string("text") ? part.objectValue?["text"]?.stringValue : nil
            }.joined(separator: "\n")
        default: return ""
        }
    }

    /// The URLs of a content value's `image_url` parts (`{"url": ...}` or a bare string).
    static func imageURLs(of content: JSONValue?) -> [String] {
        guard case .array(let parts)? = content else { return [] }
        return parts.compactMap { part in
            guard let object = part.objectValue, object["type"] == .string("image_url") else { return nil }
            return object["image_url"]?.stringValue ?? object["image_url"]?.objectValue?["url"]?.stringValue
        }
    }
}
