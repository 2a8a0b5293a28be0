import Foundation

/// A person, place, organisation or other named thing of one scope's graph.
public struct GraphEntity: Sendable, Equatable {
    public var id: String
    /// The name as first seen (the scope's user is named by its `user_id`).
    public var name: String
    /// `person`, `place`, `organization`, `title`, `entity`, or what a model said.
    public var type: String
    /// Other names the entity is known by, normalised (`EntityName.key`).
    public var aliases: [String]
    /// How many memories mention it.
    public var mentions: Int
    public var scope: Scope
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, name: String, type: String, aliases: [String], mentions: Int, scope: Scope, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.aliases = aliases
        self.mentions = mentions
        self.scope = scope
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A relation between two entities, with the two time axes of DESIGN.md "Graph": when it held in the
/// world (`validAt` up to `invalidAt`) and when Engram learned it and retired it (`createdAt`,
/// `expiredAt`). A relation is never changed in place: a contradiction closes its window and a later
/// re-statement opens a new one.
public struct GraphRelation: Sendable, Equatable, Codable {
    /// Where a relation came from.
    public enum Origin: String, Sendable, Codable {
        /// Stated by the model in an inference call.
        case llm
        /// Found by the built-in patterns or by two entities named in one memory.
        case heuristic
    }

    public var id: String
    public var source: String
    public var sourceType: String
    /// Lower snake_case, e.g. `lives_in`.
    public var relationship: String
    public var target: String
    public var targetType: String
    /// The sentence the relation was read from, when there is one.
    public var fact: String?
    public var validAt: Date?
    public var invalidAt: Date?
    public var createdAt: Date
    public var expiredAt: Date?
    /// The memories that state it (provenance), oldest link first.
    public var memoryIDs: [String]
    public var origin: Origin
    public var sourceID: String
    public var targetID: String
    /// How many memories mention each endpoint (for damping hubs in a search).
    public var sourceMentions: Int
    public var targetMentions: Int

    public init(
        id: String, source: String, sourceType: String, relationship: String, target: String, targetType: String,
        fact: String?, validAt: Date?, invalidAt: Date?, createdAt: Date, expiredAt: Date?, memoryIDs: [String],
        origin: Origin, sourceID: String, targetID: String, sourceMentions: Int = 0, targetMentions: Int = 0
    ) {
        self.sourceMentions = sourceMentions
        self.targetMentions = targetMentions
        self.id = id
        self.source = source
        self.sourceType = sourceType
        self.relationship = relationship
        self.target = target
        self.targetType = targetType
        self.fact = fact
        self.validAt = validAt
        self.invalidAt = invalidAt
        self.createdAt = createdAt
        self.expiredAt = expiredAt
        self.memoryIDs = memoryIDs
        self.origin = origin
        self.sourceID = sourceID
        self.targetID = targetID
    }

    /// Whether the relation held in the world at `time`: `validAt` ≤ `time` < `invalidAt`, an open
    /// end holding on.
    public func held(at time: Date) -> Bool {
        (validAt.map { $0 <= time } ?? true) && (invalidAt.map { time < $0 } ?? true)
    }
}

/// A relation with the score that ranked it for a query.
public struct ScoredRelation: Sendable, Equatable {
    public var relation: GraphRelation
    public var score: Double

    public init(relation: GraphRelation, score: Double) {
        self.relation = relation
        self.score = score
    }
}
