import Foundation

/// An entity as extraction names it, before it is resolved against the scope's graph.
public struct EntityMention: Sendable, Equatable, Hashable {
    /// The name as written (cleaned by `EntityName.clean`).
    public var name: String
    /// `EntityName.key(name)`, or `EntityName.selfKey` for the scope's user.
    public var key: String
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        let key = EntityName.key(name)
        self.key = EntityName.selfWords.contains(key) ? EntityName.selfKey : key
        self.type = type
    }

    /// Whether it names the scope's user.
    public var isSelf: Bool { key == EntityName.selfKey }
}

/// A relation as extraction states it.
public struct RelationStatement: Sendable, Equatable {
    public var source: EntityMention
    /// Lower snake_case (`EntityName.relationship`).
    public var relationship: String
    public var target: EntityMention
    public var fact: String?
    /// When it started to hold, as the conversation says; the observation time when nil.
    public var validAt: Date?
    public var origin: GraphRelation.Origin

    public init(source: EntityMention, relationship: String, target: EntityMention, fact: String? = nil, validAt: Date? = nil,
                origin: GraphRelation.Origin) {
        self.source = source
        self.relationship = relationship
        self.target = target
        self.fact = fact
        self.validAt = validAt
        self.origin = origin
    }

    /// Whether a source holds this relationship with one target at a time, so that a new target closes
    /// the old one (someone lives in one city at a time, but likes many foods).
    public var isFunctional: Bool { GraphVocabulary.functional.contains(relationship) }
}

/// What one memory says in the graph: the entities it mentions and the relations it states.
public struct MemoryGraph: Sendable, Equatable {
    public var memoryID: String
    public var scope: Scope
    public var entities: [EntityMention]
    public var relations: [RelationStatement]
    /// The memory's text changed (an UPDATE): the relations it supported and no longer states are
    /// retracted (closed, unless another current memory still states them).
    public var restates: Bool
    /// Other names of the scope's user the memory gives ("my name is Ada").
    public var selfNames: [String]
    /// Who wrote the memory (a conversation's speaker), when known. Other people the memory only
    /// mentions are not linked to it: in a conversation, a name in someone else's line mostly
    /// addresses that person ("Wow, Caroline!") rather than telling about them.
    public var speaker: EntityMention?

    public init(
        memoryID: String, scope: Scope, entities: [EntityMention], relations: [RelationStatement], restates: Bool = false,
        selfNames: [String] = [], speaker: EntityMention? = nil
    ) {
        self.speaker = speaker
        self.memoryID = memoryID
        self.scope = scope
        self.entities = entities
        self.relations = relations
        self.restates = restates
        self.selfNames = selfNames
    }
}

/// The graph side of one change set, applied in the same transaction as the memories.
public struct GraphChanges: Sendable, Equatable {
    /// What written memories say, applied after the memory rows.
    public var statements: [MemoryGraph] = []
    /// Relations removed for good by the API, by id.
    public var relationDeletions: [String] = []
    /// Graphs read back from an export (`engram import`), stored as they were.
    public var restorations: [RestoredGraph] = []

    public init() {}

    public var isEmpty: Bool { statements.isEmpty && relationDeletions.isEmpty && restorations.isEmpty }
}

/// A memory's graph as exported, written back as it was by `engram import`: its entities linked, and
/// its relations with their ids, both time axes and origin (a relation stated by several memories is
/// written once, by the first, and gains the others as sources). The write rules of `GraphWriter` are
/// not applied: closures and supersessions are in the times already.
public struct RestoredGraph: Sendable, Equatable {
    public var memoryID: String
    public var scope: Scope
    /// When the memory was created: the time of its links and of the entities it brings.
    public var at: Date
    public var entities: [EntityMention]
    /// Full relations; their `memoryIDs` and ids of entities are not used.
    public var relations: [GraphRelation]

    public init(memoryID: String, scope: Scope, at: Date, entities: [EntityMention], relations: [GraphRelation]) {
        self.memoryID = memoryID
        self.scope = scope
        self.at = at
        self.entities = entities
        self.relations = relations
    }
}

/// What applying graph changes did, for the add response.
public struct GraphOutcome: Sendable, Equatable, Codable {
    /// Relations opened (new, or a re-statement after a close).
    public var added: [GraphRelation] = []
    /// Relations closed (contradicted, no longer stated, or left without a current memory).
    public var closed: [GraphRelation] = []

    public init(added: [GraphRelation] = [], closed: [GraphRelation] = []) {
        self.added = added
        self.closed = closed
    }
}

/// Relationship names with a meaning the graph acts on.
public enum GraphVocabulary {
    /// Relationships a source holds with one target at a time.
    public static let functional: Set<String> = [
        "lives_in", "lives_at", "based_in", "located_in", "works_at", "works_for", "employed_by", "works_as", "job_title",
        "married_to", "spouse", "husband", "wife", "partner", "boyfriend", "girlfriend", "engaged_to", "studies_at",
        "age", "relationship_status", "current_city", "home_town", "favorite_color", "name",
    ]
    /// What two entities named in one memory are linked by, when nothing more is known.
    public static let coOccurrence = "related_to"
}
