import Foundation

/// One change to a memory, kept in the history log.
public struct HistoryEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case add = "ADD"
        case update = "UPDATE"
        case delete = "DELETE"
    }

    public var id: String
    public var memoryID: String
    /// The text before the change; nil for ADD (and after a purge).
    public var oldMemory: String?
    /// The text after the change; nil for DELETE (and after a purge).
    public var newMemory: String?
    public var event: Kind
    /// When the change happened (not when the memory was created).
    public var createdAt: Date
    /// Whether the memory was deleted or superseded by this change.
    public var isDeleted: Bool
    public var actorID: String?
    public var role: String?
    /// The scope of the memory, so history can be listed per scope.
    public var scope: Scope
    public var project: String

    public init(
        id: String, memoryID: String, oldMemory: String?, newMemory: String?, event: Kind, createdAt: Date,
        isDeleted: Bool, actorID: String?, role: String?, scope: Scope, project: String = Memory.defaultProject
    ) {
        self.id = id
        self.memoryID = memoryID
        self.oldMemory = oldMemory
        self.newMemory = newMemory
        self.event = event
        self.createdAt = createdAt
        self.isDeleted = isDeleted
        self.actorID = actorID
        self.role = role
        self.scope = scope
        self.project = project
    }
}
