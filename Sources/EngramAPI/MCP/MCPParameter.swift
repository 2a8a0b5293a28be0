import EngramCore

/// One argument of a tool: the single description both its JSON schema (flat: no `$ref`, `anyOf` or
/// `additionalProperties`, which some clients reject) and the check of what a caller sent come from.
struct MCPParameter: Sendable {
    enum Kind: Sendable {
        case string
        case integer(minimum: Int, maximum: Int?)
        case number(minimum: Double, maximum: Double)
        case boolean
        /// A free-form JSON object (metadata, filters).
        case object
        /// Conversation turns: `[{role, content}]`.
        case messages
    }

    let name: String
    let kind: Kind
    let description: String
    var required = false

    static let messageRoles = ["user", "assistant", "system"]

    /// The property's JSON schema.
    var schema: JSONValue {
        var object: [String: JSONValue] = ["description": .string(description)]
        switch kind {
        case .string:
            object["type"] = .string("string")
        case .integer(let minimum, let maximum):
            object["type"] = .string("integer")
            object["minimum"] = .number(Double(minimum))
            if let maximum { object["maximum"] = .number(Double(maximum)) }
        case .number(let minimum, let maximum):
            object["type"] = .string("number")
            object["minimum"] = .number(minimum)
            object["maximum"] = .number(maximum)
        case .boolean:
            object["type"] = .string("boolean")
        case .object:
            object["type"] = .string("object")
        case .messages:
            object["type"] = .string("array")
            object["items"] = .object([
                "type": .string("object"),
                "properties": .object([
                    "role": .object(["type": .string("string"), "enum": .array(Self.messageRoles.map(JSONValue.string))]),
                    "content": .object(["type": .string("string")]),
                ]),
                "required": .array([.string("role"), .string("content")]),
            ])
        }
        return .object(object)
    }

    /// Why `value` does not fit, or nil when it does.
    func problem(with value: JSONValue) -> String? {
        switch (kind, value) {
        case (.string, .string), (.boolean, .bool), (.object, .object):
            return nil
        case (.integer(let minimum, let maximum), .number(let number)):
            guard number.rounded() == number else { return "\(name) must be an integer" }
            if number < Double(minimum) { return "\(name) must be at least \(minimum)" }
            if let maximum, number > Double(maximum) { return "\(name) must be at most \(maximum)" }
            return nil
        case (.number(let minimum, let maximum), .number(let number)):
            guard (minimum...maximum).contains(number) else { return "\(name) must be between \(minimum) and \(maximum)" }
            return nil
        case (.messages, .array(let items)):
            for (index, item) in items.enumerated() {
                guard case .object(let message) = item, case .string(let role)? = message["role"],
                      Self.messageRoles.contains(role), case .string? = message["content"]
                else {
                    return "\(name)[\(index)] must be {\"role\": one of \(Self.messageRoles.joined(separator: ", ")), \"content\": a string}"
                }
            }
            return nil
        default:
            return "\(name) must be \(expected), not \(value.typeName)"
        }
    }

    private var expected: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "a boolean"
        case .object: "an object"
        case .messages: "a list of messages"
        }
    }
}

extension MCPParameter {
    static let userID = MCPParameter(
        name: "user_id", kind: .string, description: "The user the memories belong to; defaults to the server URL's user_id.")
    static let agentID = MCPParameter(
        name: "agent_id", kind: .string, description: "The agent the memories belong to; defaults to the server URL's agent_id.")
    static let runID = MCPParameter(
        name: "run_id", kind: .string, description: "The run or session the memories belong to; defaults to the server URL's run_id.")
    static let scope = [userID, agentID, runID]

    static let memoryID = MCPParameter(name: "memory_id", kind: .string, description: "The memory's id, as search and list results give it.", required: true)
    static let filters = MCPParameter(
        name: "filters", kind: .object,
        description: """
            Conditions on memory fields and metadata, e.g. {"category": "food"}, \
            {"created_at": {"gte": "2026-01-01"}}, {"AND": [...]} or {"OR": [...]}.
            """)
}
