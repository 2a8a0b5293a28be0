import Foundation

/// A user, agent or run that has memories, from the store's entity index.
public struct Entity: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case user
        case agent
        case run
        case app

        /// The scope field this kind of entity is stored under.
        public var field: MemoryField {
            switch self {
            case .user: .userID
            case .agent: .agentID
            case .run: .runID
            case .app: .appID
            }
        }
    }

    public var id: String
    public var kind: Kind
    public var totalMemories: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, kind: Kind, totalMemories: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.kind = kind
        self.totalMemories = totalMemories
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
