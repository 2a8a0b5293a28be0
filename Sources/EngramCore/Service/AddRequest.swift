import Foundation

/// What `MemoryService.add` is asked to remember.
public struct AddRequest: Sendable {
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

    public init(
        messages: [Message], scope: Scope, metadata: [String: JSONValue]? = nil, infer: Bool = true,
        expirationDate: String? = nil, timestamp: Date? = nil
    ) {
        self.messages = messages
        self.scope = scope
        self.metadata = metadata
        self.infer = infer
        self.expirationDate = expirationDate
        self.timestamp = timestamp
    }
}

/// One change `add` made.
public struct AddResult: Sendable, Equatable {
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

    public init(id: String, memory: String, event: Event, previousMemory: String? = nil) {
        self.id = id
        self.memory = memory
        self.event = event
        self.previousMemory = previousMemory
    }
}
