import Foundation

/// A structured export of a project's memories (mem0's `POST /v1/exports/`), made by the LLM in one call.
public struct MemoryExport: Sendable, Equatable, Codable {
    public var id: String
    /// The JSON filled in to the requested schema.
    public var data: JSONValue
    /// The filter the memories were chosen by, as given.
    public var filters: JSONValue?
    public var memoryCount: Int
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, data, filters
        case memoryCount = "memory_count"
        case createdAt = "created_at"
    }
}

/// A memory's feedback (mem0's `POST /v1/feedback/`).
public struct MemoryFeedback: Sendable, Equatable, Codable {
    public enum Value: String, Sendable, Codable, CaseIterable {
        case positive = "POSITIVE"
        case negative = "NEGATIVE"
        case veryNegative = "VERY_NEGATIVE"
    }

    public var memoryID: String
    public var feedback: Value?
    public var reason: String?
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case memoryID = "memory_id"
        case feedback
        case reason = "feedback_reason"
        case updatedAt = "updated_at"
    }
}

extension MemoryService {
    /// Most memories one export or summary reads (newest first).
    static let reportMemoryLimit = 500

    /// Fills `schema` (a JSON Schema) from the memories matching `filter`, in one LLM call, and keeps the
    /// result for `export(id:)`. Without an LLM: `MemoryError.needsLLM`.
    public func export(schema: JSONValue, filter: Filter, filters: JSONValue?) throws -> MemoryExport {
        guard let chat = chatModel else { throw MemoryError.needsLLM("A structured export") }
        let memories = try reportMemories(filter)
        let schemaText = String(decoding: (try? JSONEncoder().encode(schema)) ?? Data("{}".utf8), as: UTF8.self)
        let system = """
            You turn the stored memories about someone into structured data. Fill in the JSON Schema you are \
            given using only what the memories state; leave out or set to null what they do not say; never \
            invent. Reply with one JSON object that follows the schema, and nothing else.
            """
        let user = "JSON Schema:\n\(schemaText.prefix(64 * 1024))\n\nMemories:\n" + Self.numbered(memories)
        let answer = try chat.complete(ChatRequest(
            messages: [ChatMessage(role: .system, text: system), ChatMessage(role: .user, text: user)], jsonOutput: true))
        guard let object = ModelOutput.jsonObject(answer.text) else {
            throw ProviderError(.unavailable, "The model's export is not a JSON object")
        }
        let export = MemoryExport(id: Self.newID(), data: .object(object), filters: filters, memoryCount: memories.count, createdAt: now())
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try store.setSetting(Self.exportKey(project, export.id), value: String(decoding: try encoder.encode(export), as: UTF8.self))
        return export
    }

    /// An export made before in this project.
    public func export(id: String) throws -> MemoryExport? {
        guard let text = try store.setting(Self.exportKey(project, id)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(MemoryExport.self, from: Data(text.utf8))
    }

    /// The newest export of this project (whose filters equal `filters`, when given).
    public func latestExport(filters: JSONValue?) throws -> MemoryExport? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try store.settings(prefix: Self.exportKey(project, ""))
            .compactMap { try? decoder.decode(MemoryExport.self, from: Data($0.value.utf8)) }
            .filter { filters == nil || $0.filters == filters }
            .max { $0.createdAt < $1.createdAt }
    }

    /// A prose summary of the memories matching `filter`, in one LLM call; with how many it read.
    public func summary(filter: Filter) throws -> (text: String, memoryCount: Int) {
        guard let chat = chatModel else { throw MemoryError.needsLLM("A summary") }
        let memories = try reportMemories(filter)
        guard !memories.isEmpty else { return ("", 0) }
        let system = """
            You summarise what a memory system knows about someone. Write a short, factual summary of the \
            memories below, grouped by topic, using only what they state. Reply with the summary text only.
            """
        let answer = try chat.complete(ChatRequest(
            messages: [ChatMessage(role: .system, text: system), ChatMessage(role: .user, text: "Memories:\n" + Self.numbered(memories))]))
        return (answer.text.trimmingCharacters(in: .whitespacesAndNewlines), memories.count)
    }

    /// Records feedback on a memory of this project (nil feedback clears it).
    public func setFeedback(memoryID: String, _ value: MemoryFeedback.Value?, reason: String?) throws -> MemoryFeedback {
        _ = try get(id: memoryID)
        if let reason, reason.utf8.count > 4096 || reason.utf8.contains(0) {
            throw MemoryError.invalid("feedback_reason must be at most 4 KiB of text without NUL characters")
        }
        let feedback = MemoryFeedback(memoryID: memoryID, feedback: value, reason: reason, updatedAt: now())
        let key = "feedback/\(project)/\(memoryID)"
        if value == nil, reason == nil {
            try store.setSetting(key, value: nil)
        } else {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            try store.setSetting(key, value: String(decoding: try encoder.encode(feedback), as: UTF8.self))
        }
        return feedback
    }

    private func reportMemories(_ filter: Filter) throws -> [Memory] {
        try list(filter: filter, page: 1, pageSize: min(Self.reportMemoryLimit, configuration.maxPageSize), showExpired: false,
                 includeSuperseded: false).items
    }

    private static func numbered(_ memories: [Memory]) -> String {
        memories.enumerated().map { index, memory in
            "\(index + 1). \(memory.text.prefix(2000)) (\(day(of: memory.createdAt)))"
        }.joined(separator: "\n")
    }

    private static func exportKey(_ project: String, _ id: String) -> String { "export/\(project)/\(id)" }
}
