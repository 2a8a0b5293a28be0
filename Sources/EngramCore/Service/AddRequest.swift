import Foundation

/// What `MemoryService.add` is asked to remember.
public struct AddRequest: Sendable, Equatable, Codable {
    /// What kind of memory an add makes.
    public enum MemoryType: String, Sendable, Codable {
        /// One summary of the conversation as a procedure the agent can follow (mem0's procedural memory).
        case procedural = "procedural_memory"
    }

    public var messages: [Message]
    public var scope: Scope
    /// Caller metadata; scope keys inside it are ignored.
    public var metadata: [String: JSONValue]?
    /// Extract facts (true) or store each non-system message verbatim (false).
    public var infer: Bool
    /// `YYYY-MM-DD`.
    public var expirationDate: String?
    /// The observation time; now when nil.
    public var timestamp: Date?
    /// Procedural memory instead of facts.
    public var memoryType: MemoryType?
    /// Instructions for this call's extraction, in place of the configured `custom_instructions`.
    public var prompt: String?
    /// Only facts about these topics are kept / facts about these are never kept (free text).
    public var includes: String?
    public var excludes: String?
    /// False skips the graph for this add; nil follows the server's setting.
    public var enableGraph: Bool?
    /// Categories for this add's memories, in place of the project's.
    public var categories: [CategoryDefinition]?

    enum CodingKeys: String, CodingKey {
        case messages, scope, metadata, infer, prompt, includes, excludes, categories
        case enableGraph = "enable_graph"
        case expirationDate = "expiration_date"
        case timestamp
        case memoryType = "memory_type"
    }

    public init(
        messages: [Message], scope: Scope, metadata: [String: JSONValue]? = nil, infer: Bool = true,
        expirationDate: String? = nil, timestamp: Date? = nil, memoryType: MemoryType? = nil, prompt: String? = nil,
        includes: String? = nil, excludes: String? = nil, enableGraph: Bool? = nil
    ) {
        self.enableGraph = enableGraph
        self.memoryType = memoryType
        self.prompt = prompt
        self.includes = includes
        self.excludes = excludes
        self.messages = messages
        self.scope = scope
        self.metadata = metadata
        self.infer = infer
        self.expirationDate = expirationDate
        self.timestamp = timestamp
    }
}

/// One change `add` made.
public struct AddResult: Sendable, Equatable, Codable {
    public enum Event: String, Sendable, Codable {
        case add = "ADD"
        case update = "UPDATE"
        case delete = "DELETE"
    }

    public var id: String
    public var memory: String
    public var event: Event
    /// The text before an UPDATE.
    public var previousMemory: String?

    enum CodingKeys: String, CodingKey {
        case id, memory, event
        case previousMemory = "previous_memory"
    }

    public init(id: String, memory: String, event: Event, previousMemory: String? = nil) {
        self.id = id
        self.memory = memory
        self.event = event
        self.previousMemory = previousMemory
    }
}
