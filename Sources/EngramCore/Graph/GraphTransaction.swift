import Foundation

/// A relation row as the write rules need it.
public struct StoredRelation: Sendable, Equatable {
    public var id: String
    public var sourceID: String
    public var relationship: String
    public var targetID: String
    public var validAt: Date?
    public var invalidAt: Date?

    public init(id: String, sourceID: String, relationship: String, targetID: String, validAt: Date?, invalidAt: Date?) {
        self.id = id
        self.sourceID = sourceID
        self.relationship = relationship
        self.targetID = targetID
        self.validAt = validAt
        self.invalidAt = invalidAt
    }
}

/// A new entity row.
public struct NewEntity: Sendable, Equatable {
    public var id: String
    public var key: String
    public var name: String
    public var type: String
    public var at: Date
}

/// A new relation row; `expiredAt` is set when it is stored already closed.
public struct NewRelation: Sendable, Equatable {
    public var id: String
    public var sourceID: String
    public var relationship: String
    public var targetID: String
    public var fact: String?
    public var validAt: Date?
    public var invalidAt: Date?
    public var createdAt: Date
    public var expiredAt: Date?
    public var origin: GraphRelation.Origin
}

/// The graph primitives a store offers inside its write transaction, each confined to one project and
/// one scope (`scopeKey`, `Scope.lockKey`). `GraphWriter` builds every write rule on them, so the rules
/// are the same on every store. "Open" means not expired (`expired_at` is null).
public protocol GraphTransaction {
    /// The id and type of the entity known by `key` (its key or one of its aliases) in the scope.
    func entity(key: String, project: String, scopeKey: String) throws -> (id: String, type: String)?
    /// `entity(key:)` for several keys at once, by key (the keys known by none are absent).
    func entities(keys: [String], project: String, scopeKey: String) throws -> [String: (id: String, type: String)]
    /// Gives an entity of the generic type `entity` a more specific one.
    func refineType(id: String, type: String) throws
    /// The keys of the scope's entities starting with `prefix`, at most `limit`, with their ids.
    func entityKeys(prefix: String, project: String, scopeKey: String, limit: Int) throws -> [(id: String, key: String)]
    /// Inserts the entity unless the scope has one with its key; returns the id of the one stored.
    func upsertEntity(_ entity: NewEntity, project: String, scope: Scope, scopeKey: String) throws -> String
    /// Records `alias` as another key of the entity unless the scope already uses it.
    func addAlias(_ alias: String, entityID: String, project: String, scopeKey: String) throws
    /// Links a memory to the entities it mentions (each once), counting the mentions; with `replacing`,
    /// its links to other entities are removed (and uncounted).
    func setLinks(memoryID: String, entityIDs: [String], replacing: Bool, at time: Date) throws
    /// The open relations `sourceID` has under `relationship`.
    func openRelations(sourceID: String, relationship: String) throws -> [StoredRelation]
    /// Records that `memoryID` states a relation of the scope (once): when `relation` is open and an open
    /// one with the same source, relationship and target exists, that one gains the memory as a source;
    /// otherwise `relation` is inserted with it as its first. Returns the id of the relation stated and
    /// whether it is the new one.
    func stateRelation(_ relation: NewRelation, by memoryID: String, project: String, scope: Scope) throws -> (id: String, inserted: Bool)
    /// Records that `memoryID` states the relation `id` too, when the project has that relation;
    /// returns whether it does.
    func restateRelation(id: String, by memoryID: String, project: String, at time: Date) throws -> Bool
    /// Forgets that a memory states a relation.
    func removeSource(relationID: String, memoryID: String) throws
    /// Closes a relation: it stopped holding at `invalidAt` (kept if earlier) and was retired at `expiredAt`.
    func close(relationID: String, invalidAt: Date, expiredAt: Date) throws
    /// The open relations a memory states, each with whether a current (active) memory other than it
    /// states it too.
    func openRelations(statedBy memoryID: String) throws -> [(relation: StoredRelation, otherwiseSupported: Bool)]
    /// Removes a memory from the graph: its links and its statements; relations no memory states any
    /// more are deleted, and entities left without links or relations.
    func forget(memoryID: String) throws
    /// Deletes relations by id within the project; returns the ids that existed.
    func deleteRelations(ids: [String], project: String) throws -> [String]
    /// The relations of `ids` in full (names, types, provenance), for the add response.
    func relations(ids: [String]) throws -> [GraphRelation]
}
