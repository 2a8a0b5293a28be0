import EngramCore
import Foundation

/// The tools, in the fixed order `tools/list` shows them. Names follow mem0's MCP server, so prompts
/// written for it carry over.
enum MCPToolCatalogue {
    static let tools: [MCPTool] = [
        addMemory, searchMemories, getMemories, getMemory, updateMemory, deleteMemory, deleteAllMemories,
        listEntities, memoryHistory, searchRelations, getEventStatus,
    ]

    static let byName: [String: MCPTool] = Dictionary(uniqueKeysWithValues: tools.map { ($0.name, $0) })

    static let definitions: JSONValue = .array(tools.map(\.definition))

    private static let array: JSONValue = .object(["type": .string("array"), "items": .object(["type": .string("object")])])
    private static let strings: JSONValue = .object(["type": .string("array"), "items": .object(["type": .string("string")])])
    private static let string: JSONValue = .object(["type": .string("string")])
    private static let integer: JSONValue = .object(["type": .string("integer")])
    /// A member that may be null (clients validate `structuredContent` against these schemas, and a
    /// type list or `anyOf` is what some of them reject): described, not typed.
    private static func nullable(_ description: String) -> JSONValue { .object(["description": .string(description)]) }
    /// One memory as the REST API renders it.
    private static let memoryOutput: [String: JSONValue] = [
        "id": string, "memory": string, "categories": strings, "created_at": string, "updated_at": string,
        "user_id": nullable("The user it belongs to, or null."), "agent_id": nullable("The agent it belongs to, or null."),
        "run_id": nullable("The run it belongs to, or null."), "metadata": nullable("Its metadata object, or null."),
    ]

    static let addMemory = MCPTool(
        name: "add_memory", title: "Remember",
        description: """
            Store something worth remembering across conversations: a fact, preference, plan or decision, \
            in plain language ("Prefers window seats on long flights"). Engram extracts the facts and \
            reconciles them with what it already knows (adding, updating or removing memories); with \
            infer=false the text is stored as it is. Returns what changed.
            """,
        parameters: [
            MCPParameter(name: "text", kind: .string, description: "What to remember. Required unless messages is given."),
            MCPParameter(
                name: "messages", kind: .messages,
                description: "Conversation turns to extract memories from, instead of text."),
            MCPParameter(name: "metadata", kind: .object, description: "Key-value data stored with the memories, usable in filters."),
            MCPParameter(name: "infer", kind: .boolean, description: "Extract and reconcile facts (default true); false stores the text verbatim."),
            MCPParameter(
                name: "async_mode", kind: .boolean,
                description: "Queue the add and return an event_id at once (check it with get_event_status)."),
        ] + MCPParameter.scope,
        output: ["results": array, "event_id": string, "status": string],
        request: { arguments throws(MCPToolFailure) in
            var body = arguments.members(["metadata", "infer", "async_mode"]).merging(
                arguments.scopeMembers(try arguments.requiredScope())) { _, scope in scope }
            if case .array(let messages)? = arguments.values["messages"], !messages.isEmpty {
                body["messages"] = .array(messages)
            } else if let text = arguments.string("text"), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                body["messages"] = .array([.object(["role": .string("user"), "content": .string(text)])])
            } else {
                throw MCPToolFailure("add_memory needs text (what to remember) or messages.")
            }
            return MCPRESTCall(method: .post, path: "/memories", body: .object(body))
        })

    static let searchMemories = MCPTool(
        name: "search_memories", title: "Search memories",
        description: """
            Find the memories relevant to a question or topic, best first, with a relevance score. Use it \
            before answering anything that may depend on earlier conversations.
            """,
        parameters: [
            MCPParameter(name: "query", kind: .string, description: "What to look for, in natural language.", required: true),
            MCPParameter.filters,
            MCPParameter(name: "limit", kind: .integer(minimum: 1, maximum: 100), description: "Most results to return (default 10)."),
            MCPParameter(name: "threshold", kind: .number(minimum: 0, maximum: 1), description: "Lowest score to return (default 0.1)."),
            MCPParameter(
                name: "rerank", kind: .boolean,
                description: "Reorder the best results with the server's reranker (only when one is configured)."),
        ] + MCPParameter.scope,
        readOnly: true, idempotent: true,
        output: ["results": array, "relations": array, "warnings": array],
        request: { arguments throws(MCPToolFailure) in
            var body = arguments.members(["query", "filters", "threshold", "rerank"])
            body["top_k"] = .number(arguments.number("limit") ?? 10)
            body.merge(arguments.scopeMembers(try scope(arguments, orFilters: true))) { _, scope in scope }
            return MCPRESTCall(method: .post, path: "/search", body: .object(body))
        })

    static let getMemories = MCPTool(
        name: "get_memories", title: "List memories",
        description: "List the scope's memories, newest first, a page at a time; filters narrow the list.",
        parameters: [
            MCPParameter.filters,
            MCPParameter(name: "page", kind: .integer(minimum: 1, maximum: nil), description: "Page number, from 1."),
            MCPParameter(name: "page_size", kind: .integer(minimum: 1, maximum: 100), description: "Memories per page (default 20)."),
        ] + MCPParameter.scope,
        readOnly: true, idempotent: true,
        output: ["results": array, "count": integer, "page": integer, "page_size": integer],
        request: { arguments throws(MCPToolFailure) in
            var query = arguments.scopeQuery(try arguments.requiredScope())
            query.append(("page", String(Int(arguments.number("page") ?? 1))))
            query.append(("page_size", String(Int(arguments.number("page_size") ?? 20))))
            if let filters = arguments.values["filters"], filters != .null { query.append(("filters", compact(filters))) }
            return MCPRESTCall(method: .get, path: "/memories", query: query)
        },
        render: { answer in
            // `next` is a REST URL, of no use to a model: it asks for the next page by number.
            guard case .object(var members) = answer else { return answer }
            members["next"] = nil
            return .object(members)
        })

    static let getMemory = MCPTool(
        name: "get_memory", title: "Get a memory", description: "One memory by its id, with its metadata and dates.",
        parameters: [MCPParameter.memoryID], readOnly: true, idempotent: true, output: memoryOutput,
        request: { arguments in MCPRESTCall(method: .get, path: "/memories/" + segment(arguments.string("memory_id") ?? "")) })

    static let updateMemory = MCPTool(
        name: "update_memory", title: "Update a memory",
        description: "Correct a memory's text or replace its metadata, keeping its id; the old text stays in its history.",
        parameters: [
            MCPParameter.memoryID,
            MCPParameter(name: "text", kind: .string, description: "The memory's new text."),
            MCPParameter(name: "metadata", kind: .object, description: "The memory's new metadata (replaces the old)."),
        ],
        idempotent: true, output: memoryOutput,
        request: { arguments throws(MCPToolFailure) in
            let body = arguments.members(["text", "metadata"])
            guard !body.isEmpty else { throw MCPToolFailure("update_memory needs text or metadata (or both).") }
            return MCPRESTCall(method: .put, path: "/memories/" + segment(arguments.string("memory_id") ?? ""), body: .object(body))
        })

    static let deleteMemory = MCPTool(
        name: "delete_memory", title: "Delete a memory",
        description: "Forget one memory by its id (when the user withdraws it or it is wrong).",
        parameters: [MCPParameter.memoryID], destructive: true, idempotent: true,
        output: ["message": string, "deleted": .object(["type": .string("boolean")])],
        request: { arguments in MCPRESTCall(method: .delete, path: "/memories/" + segment(arguments.string("memory_id") ?? "")) },
        render: { answer in
            guard case .object(var members) = answer else { return answer }
            members["deleted"] = .bool(true)
            return .object(members)
        })

    static let deleteAllMemories = MCPTool(
        name: "delete_all_memories", title: "Delete a scope's memories",
        description: """
            Forget every memory of one scope (a user, agent or run), or those of it matching filters. \
            Refuses without a scope. Only when the user clearly asks for it.
            """,
        parameters: [MCPParameter.filters] + MCPParameter.scope, destructive: true, idempotent: true,
        output: ["message": string, "deleted": integer],
        request: { arguments throws(MCPToolFailure) in
            var query = arguments.scopeQuery(try arguments.requiredScope())
            if let filters = arguments.values["filters"], filters != .null { query.append(("filters", compact(filters))) }
            return MCPRESTCall(method: .delete, path: "/memories", query: query)
        })

    static let listEntities = MCPTool(
        name: "list_entities", title: "List users, agents and runs",
        description: "The users, agents and runs that have memories, with how many each holds.",
        parameters: [], readOnly: true, idempotent: true, output: ["results": array],
        request: { _ in MCPRESTCall(method: .get, path: "/entities") })

    static let memoryHistory = MCPTool(
        name: "memory_history", title: "A memory's history",
        description: "How a memory changed over time: when it was added, each update with the old and new text, its deletion.",
        parameters: [MCPParameter.memoryID], readOnly: true, idempotent: true, output: ["results": array],
        request: { arguments in
            MCPRESTCall(method: .get, path: "/memories/" + segment(arguments.string("memory_id") ?? "") + "/history")
        })

    static let searchRelations = MCPTool(
        name: "search_relations", title: "Search the memory graph",
        description: """
            Find relations between people, places and things (for example "alice — works at — Acme") that \
            bear on a question, from the graph Engram builds out of memories. Needs graph memory on.
            """,
        parameters: [
            MCPParameter(name: "query", kind: .string, description: "What to look for, in natural language.", required: true),
            MCPParameter(name: "limit", kind: .integer(minimum: 1, maximum: 100), description: "Most memories to consider (default 10)."),
        ] + MCPParameter.scope,
        readOnly: true, idempotent: true, output: ["relations": array],
        request: { arguments throws(MCPToolFailure) in
            var body = arguments.members(["query"])
            body["top_k"] = .number(arguments.number("limit") ?? 10)
            body["enable_graph"] = .bool(true)
            body.merge(arguments.scopeMembers(try arguments.requiredScope())) { _, scope in scope }
            return MCPRESTCall(method: .post, path: "/search", body: .object(body))
        },
        render: { answer throws(MCPToolFailure) in
            guard case .object(let members) = answer, let relations = members["relations"] else {
                throw MCPToolFailure("Graph memory is off on this server (start it with ENGRAM_GRAPH=on).")
            }
            return .object(["relations": relations])
        })

    static let getEventStatus = MCPTool(
        name: "get_event_status", title: "Status of a queued add",
        description: "Whether an add made with async_mode has finished, and what it changed.",
        parameters: [MCPParameter(name: "event_id", kind: .string, description: "The event_id add_memory returned.", required: true)],
        readOnly: true, idempotent: true,
        output: [
            "id": string, "status": string, "results": nullable("What the add changed, once it has run."),
            "error": nullable("Why it failed, or null."),
        ],
        request: { arguments in MCPRESTCall(method: .get, path: "/events/" + segment(arguments.string("event_id") ?? "")) })

    /// The scope; for a search, filters naming a scope id may stand in for it.
    private static func scope(_ arguments: MCPToolArguments, orFilters: Bool) throws(MCPToolFailure) -> [String: String] {
        let scope = arguments.scope
        if scope.isEmpty, orFilters, case .object(let filters)? = arguments.values["filters"],
           MCPToolArguments.scopeNames.contains(where: { filters[$0] != nil }) {
            return [:]
        }
        return try arguments.requiredScope()
    }

    /// A path segment with everything but unreserved characters percent-encoded.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func compact(_ value: JSONValue) -> String { String(decoding: value.jsonBytes, as: UTF8.self) }
}
