import EngramCore
import EngramHTTP
import Foundation

/// A tool the endpoint offers: what `tools/list` shows, and how a call becomes a request to the REST
/// API it wraps. Every tool runs through the same routes (and so the same validation, scoping and
/// project isolation) as a REST client's request.
struct MCPTool: Sendable {
    let name: String
    let title: String
    let description: String
    let parameters: [MCPParameter]
    var readOnly = false
    var destructive = false
    var idempotent = false
    /// The top-level members of `structuredContent`, as JSON schemas.
    let output: [String: JSONValue]
    /// The REST request a call with these (already checked) arguments makes.
    let request: @Sendable (MCPToolArguments) throws(MCPToolFailure) -> MCPRESTCall
    /// `structuredContent` from the REST answer's JSON; by default the answer itself, a list wrapped
    /// as `{"results": [...]}` (structured content is an object in the handshake era).
    var render: @Sendable (JSONValue) throws(MCPToolFailure) -> JSONValue = { answer in
        if case .array = answer { return .object(["results": answer]) }
        return answer
    }

    /// The `tools/list` entry.
    var definition: JSONValue {
        var properties: [String: JSONValue] = [:]
        for parameter in parameters { properties[parameter.name] = parameter.schema }
        var input: [String: JSONValue] = ["type": .string("object"), "properties": .object(properties)]
        let required = parameters.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { input["required"] = .array(required) }
        return .object([
            "name": .string(name), "title": .string(title), "description": .string(description),
            "inputSchema": .object(input),
            "outputSchema": .object(["type": .string("object"), "properties": .object(output)]),
            "annotations": .object([
                "title": .string(title), "readOnlyHint": .bool(readOnly), "destructiveHint": .bool(destructive),
                "idempotentHint": .bool(idempotent), "openWorldHint": .bool(false),
            ]),
        ])
    }

    /// Checks `arguments` against the parameters: unknown names, missing required ones and wrong
    /// types are refused with a message the model can act on.
    func check(_ arguments: [String: JSONValue]) throws(MCPToolFailure) {
        let known = Set(parameters.map(\.name))
        if let unknown = arguments.keys.sorted().first(where: { !known.contains($0) }) {
            throw MCPToolFailure("Unknown argument '\(unknown)' for \(name); it takes \(parameters.map(\.name).joined(separator: ", ")).")
        }
        for parameter in parameters {
            guard let value = arguments[parameter.name], value != .null else {
                if parameter.required { throw MCPToolFailure("\(name) needs '\(parameter.name)': \(parameter.description)") }
                continue
            }
            if let problem = parameter.problem(with: value) { throw MCPToolFailure(problem + ".") }
            if parameter.required, case .string(let text) = value, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw MCPToolFailure("\(parameter.name) must not be empty.")
            }
        }
    }
}

/// A tool call that cannot be carried out; its message becomes the `isError` result's text.
struct MCPToolFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A request to the REST API on the caller's behalf.
struct MCPRESTCall: Sendable {
    var method: HTTPMethod
    var path: String
    var query: [(name: String, value: String)] = []
    var body: JSONValue?
}

/// A call's arguments, with the scope the endpoint's URL (or the server's default) supplies.
struct MCPToolArguments: Sendable {
    static let scopeNames = ["user_id", "agent_id", "run_id"]

    let values: [String: JSONValue]
    /// The scope from the endpoint's query string, else the configured default user; may be empty.
    let fallbackScope: [String: String]

    func string(_ name: String) -> String? { values[name]?.stringValue }
    func number(_ name: String) -> Double? { values[name]?.numberValue }
    func has(_ name: String) -> Bool { values[name].map { $0 != .null } ?? false }

    /// The scope ids the call names, else the fallback scope: the tool's own arguments win as a
    /// whole, so a call naming only `agent_id` does not inherit the URL's `user_id`.
    var scope: [String: String] {
        var named: [String: String] = [:]
        for name in Self.scopeNames { if let value = string(name), !value.isEmpty { named[name] = value } }
        return named.isEmpty ? fallbackScope : named
    }

    /// The scope, or a failure saying how to give one.
    func requiredScope() throws(MCPToolFailure) -> [String: String] {
        let scope = scope
        guard !scope.isEmpty else {
            throw MCPToolFailure("No scope: pass user_id (or agent_id / run_id), or add ?user_id=... to the MCP server URL.")
        }
        return scope
    }

    /// `scope` as body members.
    func scopeMembers(_ scope: [String: String]) -> [String: JSONValue] { scope.mapValues(JSONValue.string) }

    /// `scope` as query items, in a fixed order.
    func scopeQuery(_ scope: [String: String]) -> [(name: String, value: String)] {
        Self.scopeNames.compactMap { name in scope[name].map { (name, $0) } }
    }

    /// The members named in `names` that were given, copied as they are.
    func members(_ names: [String]) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        for name in names { if let value = values[name], value != .null { members[name] = value } }
        return members
    }
}
