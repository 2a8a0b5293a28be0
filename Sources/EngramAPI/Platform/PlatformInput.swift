import EngramCore
import EngramHTTP
import Foundation

/// Reading the bodies mem0's platform clients send. They pass every keyword argument the caller gave,
/// so keys Engram has no use for are ignored rather than refused; keys it uses are checked.
enum PlatformInput {
    /// The scope of an add or delete: top-level `user_id`, `agent_id`, `app_id`, `run_id` (the 2.x client
    /// also accepts them inside `filters`).
    static func scope(_ body: inout JSONBody) throws -> Scope {
        let filters = body.object("filters") ?? [:]
        func id(_ name: String) -> String? {
            if let value = body.string(name) { return value }
            if case .string(let value)? = filters[name], value != "*" { return value }
            return nil
        }
        let (user, agent, app, run) = (id("user_id"), id("agent_id"), id("app_id"), id("run_id"))
        try body.finish()
        guard user != nil || agent != nil || app != nil || run != nil else {
            throw HTTPError(.badRequest, "At least one of user_id, agent_id, app_id or run_id is required")
        }
        return try Scope(userID: user, agentID: agent, runID: run, appID: app)
    }

    /// An add: messages, scope and the options the platform's add takes.
    static func add(_ http: HTTPRequest, asyncDefault: Bool) throws -> (request: AddRequest, async: Bool, outputFormat: String?, version: String?) {
        var body = try JSONBody(http)
        let messages = AddMemoryInput.messages(&body)
        let metadata = body.object("metadata")
        let infer = body.bool("infer") ?? true
        let expiration = body.string("expiration_date")
        let timestamp = AddMemoryInput.timestamp(&body)
        let observed = body.date("observation_datetime") ?? body.date("observation_date")
        let instructions = body.string("custom_instructions") ?? body.string("prompt")
        let agentInstructions = body.string("agent_custom_instructions")
        let includes = body.string("includes")
        let excludes = body.string("excludes")
        let enableGraph = body.bool("enable_graph")
        let asyncMode = body.bool("async_mode")
        let outputFormat = body.string("output_format")
        let version = body.string("version")
        let memoryType = body.string("memory_type")
        var categories: [CategoryDefinition]?
        if body.has("custom_categories") {
            categories = try customCategories(body.members["custom_categories"] ?? .null)
        }
        let scope = try scope(&body)
        guard let messages, messages.contains(where: { !$0.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !$0.imageURLs.isEmpty }) else {
            throw HTTPError(.badRequest, "messages must hold at least one message with content")
        }
        var type: AddRequest.MemoryType?
        if let memoryType {
            guard let known = AddRequest.MemoryType(rawValue: memoryType) else {
                throw HTTPError(.badRequest, "memory_type must be 'procedural_memory'")
            }
            type = known
        }
        let agentOnly = scope.userID == nil && scope.agentID != nil
        let request = AddRequest(
            messages: messages, scope: scope, metadata: metadata, infer: infer, expirationDate: expiration,
            timestamp: timestamp ?? observed, memoryType: type, prompt: agentOnly ? agentInstructions ?? instructions : instructions,
            includes: includes, excludes: excludes, enableGraph: enableGraph)
        var result = request
        result.categories = categories
        // An add that stores messages as they are is quick: it answers with its results.
        return (result, asyncMode ?? (infer && asyncDefault), outputFormat, version)
    }

    /// `custom_categories`: a list of one-key objects `{name: description}` (the platform's form), or
    /// `{name, description}` objects; at most 100.
    static func customCategories(_ value: JSONValue) throws -> [CategoryDefinition] {
        guard case .array(let items) = value, items.count <= 100 else {
            throw HTTPError(.badRequest, "custom_categories must be a list of at most 100 {name: description} objects")
        }
        var definitions: [CategoryDefinition] = []
        for item in items {
            guard case .object(let object) = item else {
                throw HTTPError(.badRequest, "custom_categories must be a list of {name: description} objects")
            }
            let pair: (String, String)?
            if case .string(let name)? = object["name"] {
                pair = (name, object["description"]?.stringValue ?? "")
            } else if object.count == 1, let (name, description) = object.first, case .string(let text) = description {
                pair = (name, text)
            } else {
                pair = nil
            }
            guard let (name, description) = pair,
                  let normalised = CategoryList.normalised([name]).first, description.utf8.count <= 2000, !description.utf8.contains(0)
            else { throw HTTPError(.badRequest, "A custom category needs a name (at most 64 bytes) and a description (at most 2000)") }
            guard !definitions.contains(where: { $0.name == normalised }) else {
                throw HTTPError(.badRequest, "Category '\(normalised)' appears twice")
            }
            definitions.append(CategoryDefinition(name: normalised, description: description))
        }
        return definitions
    }

    /// The filter of a search or get-all: `filters` in the platform grammar plus the 1.x client's
    /// top-level scope ids, `categories`, `metadata` and `keywords`; at least one scope id is required.
    static func filter(_ body: inout JSONBody) throws -> Filter {
        var parts: [Filter] = []
        var scoped = false
        if let filters = body.members["filters"], filters != .null {
            scoped = PlatformFilter.scopes(filters)
            if let filter = try PlatformFilter.parse(filters) { parts.append(filter) }
        }
        for field in MemoryField.scopeIDs {
            guard let value = body.string(field.rawValue) else { continue }
            if let filter = try PlatformFilter.parse(.object([field.rawValue: .string(value)])) { parts.append(filter) }
            scoped = true
        }
        if let categories = body.members["categories"], categories != .null,
           let filter = try PlatformFilter.parse(.object(["categories": categories])) {
            parts.append(filter)
        }
        if let metadata = body.object("metadata"), !metadata.isEmpty,
           let filter = try PlatformFilter.parse(.object(["metadata": .object(metadata)])) {
            parts.append(filter)
        }
        if let keywords = body.string("keywords"), !keywords.isEmpty {
            parts.append(.compare(.field(.text), .icontains, .string(keywords)))
        }
        guard scoped else {
            throw HTTPError(.badRequest, "Filters must contain at least one of user_id, agent_id, app_id or run_id")
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    /// `fields`: the keys to return.
    static func fields(_ body: inout JSONBody) -> [String]? {
        guard case .array(let items)? = body.members["fields"] else { return nil }
        return items.compactMap(\.stringValue)
    }
}
