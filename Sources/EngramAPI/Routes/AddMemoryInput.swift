import EngramCore
import EngramHTTP
import Foundation

/// The body of `POST /memories`, checked field by field.
struct AddMemoryInput {
    /// Most messages one add may carry; each is embedded while the request holds a worker.
    static let maxMessages = 1000

    let request: AddRequest

    init(_ http: HTTPRequest) throws {
        var body = try JSONBody(http)
        let messages = Self.messages(&body)
        let userID = body.string("user_id")
        let agentID = body.string("agent_id")
        let runID = body.string("run_id")
        let metadata = body.object("metadata")
        let infer = body.bool("infer") ?? true
        let expiration = body.string("expiration_date")
        let timestamp = Self.timestamp(&body)
        let memoryType = body.string("memory_type")
        _ = body.string("prompt")
        _ = body.bool("async_mode")
        try body.finish()
        if let memoryType {
            guard memoryType == "procedural_memory" else {
                throw HTTPError(.badRequest, "memory_type must be 'procedural_memory'")
            }
            throw HTTPError(.badRequest, "memory_type 'procedural_memory' needs an LLM provider, and none is configured")
        }
        let scope = try Scope(userID: userID, agentID: agentID, runID: runID)
        request = AddRequest(
            messages: messages ?? [], scope: scope, metadata: metadata, infer: infer,
            expirationDate: expiration, timestamp: timestamp)
    }

    /// `messages`: a string, one message object, or a list of them; `content` must be a string.
    private static func messages(_ body: inout JSONBody) -> [Message]? {
        switch body.members["messages"] {
        case .none, .some(.null):
            body.problem("messages", "Field required", type: "missing")
            return nil
        case .some(.string(let text)):
            return [Message(role: "user", content: text)]
        case .some(.object(let object)):
            return message(object, at: [.key("messages")], body: &body).map { [$0] }
        case .some(.array(let items)):
            guard items.count <= maxMessages else {
                body.problem("messages", "At most \(maxMessages) messages per request", type: "too_long")
                return nil
            }
            var messages: [Message] = []
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else {
                    body.problem(at: [.key("messages"), .index(index)], "Input should be a message object", type: "model_type")
                    continue
                }
                if let message = message(object, at: [.key("messages"), .index(index)], body: &body) { messages.append(message) }
            }
            return messages
        case .some:
            body.problem("messages", "Input should be a string, a message or a list of messages", type: "type_error")
            return nil
        }
    }

    private static func message(_ object: [String: JSONValue], at location: [ValidationFailure.Location], body: inout JSONBody) -> Message? {
        guard case .string(let role)? = object["role"] else {
            body.problem(at: location + [.key("role")], object["role"] == nil ? "Field required" : "Input should be a valid string",
                         type: object["role"] == nil ? "missing" : "string_type")
            return nil
        }
        guard case .string(let content)? = object["content"] else {
            body.problem(at: location + [.key("content")], object["content"] == nil ? "Field required" : "Input should be a valid string",
                         type: object["content"] == nil ? "missing" : "string_type")
            return nil
        }
        var name: String?
        switch object["name"] {
        case .none, .some(.null): name = nil
        case .some(.string(let value)): name = value
        case .some:
            body.problem(at: location + [.key("name")], "Input should be a valid string", type: "string_type")
            return nil
        }
        return Message(role: role, content: content, name: name)
    }

    /// `timestamp`: ISO-8601 text or Unix seconds.
    private static func timestamp(_ body: inout JSONBody) -> Date? {
        switch body.members["timestamp"] {
        case .none, .some(.null): return nil
        case .some(.number(let seconds)) where seconds.isFinite && seconds >= 0 && seconds < 1e11:
            return Date(timeIntervalSince1970: seconds)
        case .some(.string(let text)):
            if let date = Timestamp.parse(text) { return date }
            body.problem("timestamp", "Input should be an ISO-8601 date-time", type: "datetime_parsing")
            return nil
        case .some:
            body.problem("timestamp", "Input should be an ISO-8601 date-time or Unix seconds", type: "datetime_type")
            return nil
        }
    }
}
