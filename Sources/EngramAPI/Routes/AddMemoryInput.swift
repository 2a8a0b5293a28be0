import EngramCore
import EngramHTTP
import Foundation

/// The body of `POST /memories`, checked field by field.
struct AddMemoryInput {
    /// Most messages one add may carry; each is embedded while the request holds a worker.
    static let maxMessages = 1000

    let request: AddRequest
    /// Queue the add and answer 202 at once.
    let asyncMode: Bool

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
        let prompt = body.string("prompt")
        let includes = body.string("includes")
        let excludes = body.string("excludes")
        let enableGraph = body.bool("enable_graph")
        asyncMode = body.bool("async_mode") ?? false
        try body.finish()
        var type: AddRequest.MemoryType?
        if let memoryType {
            guard let known = AddRequest.MemoryType(rawValue: memoryType) else {
                throw HTTPError(.badRequest, "memory_type must be 'procedural_memory'")
            }
            type = known
        }
        let scope = try Scope(userID: userID, agentID: agentID, runID: runID)
        request = AddRequest(
            messages: messages ?? [], scope: scope, metadata: metadata, infer: infer,
            expirationDate: expiration, timestamp: timestamp, memoryType: type, prompt: prompt, includes: includes,
            excludes: excludes, enableGraph: enableGraph)
    }

    /// `messages`: a string, one message object, or a list of them; `content` must be a string.
    static func messages(_ body: inout JSONBody) -> [Message]? {
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
        guard let (content, images) = content(object["content"], at: location + [.key("content")], body: &body) else { return nil }
        var name: String?
        switch object["name"] {
        case .none, .some(.null): name = nil
        case .some(.string(let value)): name = value
        case .some:
            body.problem(at: location + [.key("name")], "Input should be a valid string", type: "string_type")
            return nil
        }
        return Message(role: role, content: content, name: name, imageURLs: images)
    }

    /// `content`: a string; one part `{"type": "text"|"image_url", ...}`; or a list of parts (OpenAI's
    /// shape). Text parts are joined by newlines; image parts give their URL.
    private static func content(
        _ value: JSONValue?, at location: [ValidationFailure.Location], body: inout JSONBody
    ) -> (String, [String])? {
        switch value {
        case .some(.string(let text)):
            return (text, [])
        case .some(.object(let part)):
            return parts([part], at: location, body: &body)
        case .some(.array(let items)):
            var objects: [[String: JSONValue]] = []
            for (index, item) in items.enumerated() {
                guard case .object(let part) = item else {
                    body.problem(at: location + [.index(index)], "Input should be a content part object", type: "model_type")
                    return nil
                }
                objects.append(part)
            }
            return parts(objects, at: location, body: &body)
        case .none, .some(.null):
            body.problem(at: location, "Field required", type: "missing")
            return nil
        case .some:
            body.problem(at: location, "Input should be a string or a list of content parts", type: "string_type")
            return nil
        }
    }

    private static func parts(
        _ parts: [[String: JSONValue]], at location: [ValidationFailure.Location], body: inout JSONBody
    ) -> (String, [String])? {
        var texts: [String] = []
        var images: [String] = []
        for (index, part) in parts.enumerated() {
            let here = parts.count == 1 ? location : location + [.index(index)]
            switch part["type"] {
            case .some(.string("text")):
                guard case .string(let text)? = part["text"] else {
                    body.problem(at: here + [.key("text")], "Input should be a valid string", type: "string_type")
                    return nil
                }
                texts.append(text)
            case .some(.string("image_url")):
                var url: String?
                switch part["image_url"] {
                case .some(.string(let text)): url = text
                case .some(.object(let image)): url = image["url"]?.stringValue
                default: url = nil
                }
                guard let url, url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("data:image/") else {
                    body.problem(at: here + [.key("image_url")], "Input should be an http(s) or data:image URL", type: "url_parsing")
                    return nil
                }
                images.append(url)
            default:
                body.problem(at: here + [.key("type")], "Input should be 'text' or 'image_url'", type: "literal_error")
                return nil
            }
        }
        return (texts.joined(separator: "\n"), images)
    }

    /// `timestamp`: ISO-8601 text or Unix seconds.
    static func timestamp(_ body: inout JSONBody) -> Date? {
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
