import Foundation

/// Which memories a read may see besides the filter.
public struct Visibility: Sendable, Equatable {
    /// Include memories whose expiration date is before `today`.
    public var showExpired: Bool
    /// Include superseded memories.
    public var includeSuperseded: Bool
    /// Today as `YYYY-MM-DD` (UTC): memories with `expiration_date < today` are expired.
    public var today: String
    /// Only memories that held at this time: observed by then and not superseded by then (whatever
    /// `includeSuperseded` says).
    public var asOf: Date?

    public init(showExpired: Bool = false, includeSuperseded: Bool = false, today: String, asOf: Date? = nil) {
        self.showExpired = showExpired
        self.includeSuperseded = includeSuperseded
        self.today = today
        self.asOf = asOf
    }
}

/// Every change of one operation, applied by the store in a single transaction: all or nothing.
public struct MemoryChanges: Sendable, Equatable {
    /// New memories.
    public var inserts: [Memory] = []
    /// Memories replaced whole (same id; `created_at` kept by the caller).
    public var updates: [Memory] = []
    /// Memories marked superseded, by id.
    public var supersessions: [String] = []
    /// Memories removed for good, by id.
    public var deletions: [String] = []
    /// Memories whose history texts are erased (`old_memory`/`new_memory` set to null), by id.
    public var purges: [String] = []
    /// History rows to append.
    public var history: [HistoryEvent] = []
    /// The async job these changes finish, marked done in the same transaction.
    public var completedJob: JobCompletion?
    /// A job stored already finished with these changes: the record of a synchronous add, so its
    /// event can be read like an async add's.
    public var recordedJob: AddJob?
    /// What the changed memories say in the graph, and relations deleted through the API.
    public var graph = GraphChanges()
    /// When the changes happened in the world (an add's observation time): new memories were observed
    /// then, superseded ones and the relations closed stop holding then. Nil: `recordedAt`.
    public var observedAt: Date?
    /// When Engram made the changes (relations learnt and retired then). Nil: the store's clock.
    public var recordedAt: Date?
    /// The project the graph changes belong to.
    public var project = Memory.defaultProject
    /// The categories new and re-texted memories are filed under when they have none; nil: the
    /// project's.
    public var categoryDefinitions: [CategoryDefinition]?
    /// The webhook outbox rows reporting these changes, written in the same transaction.
    public var webhookDeliveries: [WebhookDelivery] = []

    public init() {}

    /// Whether there is nothing to apply.
    public var isEmpty: Bool {
        inserts.isEmpty && updates.isEmpty && supersessions.isEmpty && deletions.isEmpty && purges.isEmpty && history.isEmpty
            && completedJob == nil && recordedJob == nil && graph.isEmpty && webhookDeliveries.isEmpty
    }

    /// The writer of the graph side of these changes over a store's transaction.
    public func graphWriter(_ transaction: any GraphTransaction, project: String) -> GraphWriter {
        let recorded = recordedAt ?? Date()
        return GraphWriter(transaction: transaction, project: project, observedAt: observedAt ?? recorded, recordedAt: recorded)
    }
}

/// What a search of relations asks for (`GET /graph/relations`).
public struct RelationQuery: Sendable, Equatable {
    /// Only relations with an endpoint known by this key (`EntityName.key`) or alias.
    public var entityKey: String?
    /// Only relations that held at this time (valid time), whenever they were learnt or retired.
    public var asOf: Date?
    /// Closed relations too (ignored with `asOf`).
    public var includeHistory: Bool

    public init(entityKey: String? = nil, asOf: Date? = nil, includeHistory: Bool = false) {
        self.entityKey = entityKey
        self.asOf = asOf
        self.includeHistory = includeHistory
    }
}

extension Visibility {
    /// Every memory that held at `asOf` (whatever its expiry), or every memory at all when nil.
    public static func held(at asOf: Date?) -> Visibility? {
        asOf.map { Visibility(showExpired: true, includeSuperseded: true, today: "", asOf: $0) }
    }
}

/// A link between an entity and a memory that mentions it.
public struct EntityLink: Sendable, Equatable {
    public var entityID: String
    public var memoryID: String

    public init(entityID: String, memoryID: String) {
        self.entityID = entityID
        self.memoryID = memoryID
    }
}

/// The memories written just before and just after one memory in its scope.
public struct AdjacentMemories: Sendable, Equatable {
    public var previous: String?
    public var next: String?

    public init(previous: String?, next: String?) {
        self.previous = previous
        self.next = next
    }
}

/// Where memories live. Implementations: SQLite (embedded) and Postgres. Calls are synchronous and may
/// block; they run on the server's worker threads. Every read is confined to one project; the filter is
/// compiled into the store's own query, never applied afterwards.
public protocol MemoryStore: JobStore, WebhookStore {
    /// Records the embedding model and dimension on first use; afterwards throws
    /// `MemoryError.embedderMismatch` when they differ from what the store holds.
    func prepare(embeddingModel: String, dimension: Int) throws

    /// Applies all changes atomically, the graph's included (`GraphWriter`); returns the relations the
    /// changes opened and closed.
    @discardableResult
    func apply(_ changes: MemoryChanges) throws -> GraphOutcome

    /// The memory with this id in `project`, whatever its state or expiry.
    func memory(id: String, project: String) throws -> Memory?

    /// The memories of `project` matching `filter`, newest first (`created_at` then `id`, descending).
    func list(project: String, filter: Filter, visibility: Visibility, page: Int, pageSize: Int) throws -> Page<Memory>

    /// Every memory id of `project` matching `filter` (expired and superseded included), for delete-all.
    func ids(project: String, filter: Filter) throws -> [String]

    /// The `limit` memories most similar to `vector` (unit length) by cosine, best first; `semanticScore`
    /// and `score` are the cosine similarity.
    func semanticSearch(_ vector: [Float], project: String, filter: Filter, visibility: Visibility, limit: Int) throws -> [ScoredMemory]

    /// The `limit` best keyword (BM25) matches of `query`, best first; `keywordScore` and `score` are the
    /// raw BM25 relevance (higher is better).
    func keywordSearch(_ query: String, project: String, filter: Filter, visibility: Visibility, limit: Int) throws -> [ScoredMemory]

    /// What `semanticSearch` finds, without reading the memories: ids and cosine similarity, best first.
    func semanticCandidates(_ vector: [Float], project: String, filter: Filter, visibility: Visibility, limit: Int) throws -> [SearchCandidate]

    /// What `keywordSearch` finds, without reading the memories: ids and BM25 relevance, best first.
    func keywordCandidates(_ query: String, project: String, filter: Filter, visibility: Visibility, limit: Int) throws -> [SearchCandidate]

    /// The cosine similarity of `vector` (unit length) with each memory of `ids` in `project` that exists
    /// and has an embedding of the same dimension, by id.
    func similarities(_ vector: [Float], ids: [String], project: String) throws -> [String: Double]

    /// The memories of `ids` in `project` that exist (whatever their state or expiry), by id.
    func memories(ids: [String], project: String) throws -> [String: Memory]

    /// The texts of the memories of `ids` in `project` that exist, by id: what a search's context reads
    /// of the many memories it looks at (a full read costs several times more).
    func texts(ids: [String], project: String) throws -> [String: String]

    /// For each memory of `ids` in `project`, the ids of the memories written just before and just
    /// after it (by `created_at`, then `id`) among those matching `filter` and `visibility`: its
    /// neighbours in the conversation, for a search's context. Ids with neither are left out.
    func adjacentMemories(to ids: [String], project: String, filter: Filter, visibility: Visibility) throws -> [String: AdjacentMemories]

    /// How many vectors a semantic search of this filter and visibility would scan, when the store knows
    /// it without reading anything (a warm cache); nil when it does not. A hint, possibly out of date.
    func knownCandidateCount(project: String, filter: Filter, visibility: Visibility, dimension: Int) -> Int?

    /// The history of one memory, oldest first.
    func history(memoryID: String, project: String) throws -> [HistoryEvent]

    /// The change log of the memories matching `filter` (scope fields), newest first.
    func history(project: String, filter: Filter, event: HistoryEvent.Kind?, page: Int, pageSize: Int) throws -> Page<HistoryEvent>

    /// The users, agents and runs that have memories in `project`, from an index.
    func entities(project: String) throws -> [Entity]

    /// Erases every memory, history row and graph row of `project`.
    func reset(project: String) throws

    // MARK: Graph

    /// The entities of `project` known by one of `keys` (a key or an alias) whose scope has the scope ids
    /// `scope` pins (all of the project's when it pins none), at most `limit`.
    func graphEntities(keys: [String], project: String, scope: [(field: MemoryField, value: String)], limit: Int) throws -> [GraphEntity]

    /// The relations touching any of `entityIDs`: those that held at `asOf`, or the open ones when nil;
    /// with `typedOnly`, not `related_to` ones; at most `limit`, newest first. Their `memoryIDs` are left
    /// empty (a hub's relations may have thousands): `graphSources` reads them.
    func graphRelations(touching entityIDs: [String], project: String, asOf: Date?, typedOnly: Bool, limit: Int) throws -> [GraphRelation]

    /// The links of `entityIDs` to memories matching `filter` and `visibility`, at most `limitPerEntity`
    /// per entity (the newest).
    func graphLinks(entityIDs: [String], project: String, filter: Filter, visibility: Visibility, limitPerEntity: Int) throws -> [EntityLink]

    /// The memories stating each of `relationIDs` in `project`, oldest first.
    func graphSources(relationIDs: [String], project: String) throws -> [String: [String]]

    /// The links between any of `entityIDs` and any of `memoryIDs` in `project`.
    func graphLinks(entityIDs: [String], memoryIDs: [String], project: String) throws -> [EntityLink]

    /// A page of the entities mentioned by memories matching `filter` (any state; with `asOf`, those that
    /// held then), most mentioned first.
    func graphEntities(project: String, filter: Filter, asOf: Date?, page: Int, pageSize: Int) throws -> Page<GraphEntity>

    /// A page of the relations stated by memories matching `filter` (any state), newest first.
    func graphRelations(project: String, filter: Filter, query: RelationQuery, page: Int, pageSize: Int) throws -> Page<GraphRelation>

    /// The relation with this id in `project`.
    func graphRelation(id: String, project: String) throws -> GraphRelation?

    /// Whether the store answers (for `/health`).
    func isReachable() -> Bool

    /// A store-wide setting (such as the runtime configuration overrides), or nil when unset.
    func setting(_ key: String) throws -> String?

    /// Stores a store-wide setting; nil removes it.
    func setSetting(_ key: String, value: String?) throws

    /// The store-wide settings whose key starts with `prefix`, by key order.
    func settings(prefix: String) throws -> [(key: String, value: String)]

    /// Runs `body` while no other process sharing the store runs an inference add for `key` (a scope).
    /// A requirement (not only an extension), so a store's own lock is found through `any MemoryStore`.
    func withScopeLock<T>(_ key: String, project: String, _ body: () throws -> T) throws -> T

    /// Runs `body`, a read request's store calls, letting them use a read replica when the store has one
    /// (Postgres with a read URL), with read-your-writes for this process's writes. Reads outside such a
    /// block (those inside an add, say) always see the primary.
    func allowingReplicaReads<T>(_ body: () throws -> T) rethrows -> T
}

extension MemoryStore {
    /// Runs `body` while no other process sharing the store runs an inference add for `key` (a scope).
    /// The engine already serialises adds within one process; a store shared by several processes
    /// (Postgres) overrides this with a lock they all see. The default does nothing more.
    public func withScopeLock<T>(_ key: String, project: String, _ body: () throws -> T) throws -> T {
        try body()
    }

    /// A store without replicas reads where it writes.
    public func allowingReplicaReads<T>(_ body: () throws -> T) rethrows -> T { try body() }
}

/// A search hit before its memory is read: the memory's id and one score.
public struct SearchCandidate: Sendable, Equatable {
    public var id: String
    public var score: Double

    public init(id: String, score: Double) {
        self.id = id
        self.score = score
    }
}

extension MemoryStore {
    /// The default reads the memories in full through `semanticSearch`.
    public func semanticCandidates(
        _ vector: [Float], project: String, filter: Filter, visibility: Visibility, limit: Int
    ) throws -> [SearchCandidate] {
        try semanticSearch(vector, project: project, filter: filter, visibility: visibility, limit: limit).map {
            SearchCandidate(id: $0.memory.id, score: $0.semanticScore ?? $0.score)
        }
    }

    /// The default reads the memories in full through `keywordSearch`.
    public func keywordCandidates(
        _ query: String, project: String, filter: Filter, visibility: Visibility, limit: Int
    ) throws -> [SearchCandidate] {
        try keywordSearch(query, project: project, filter: filter, visibility: visibility, limit: limit).map {
            SearchCandidate(id: $0.memory.id, score: $0.keywordScore ?? $0.score)
        }
    }

    /// The default reads each memory in full.
    public func similarities(_ vector: [Float], ids: [String], project: String) throws -> [String: Double] {
        try memories(ids: ids, project: project).compactMapValues { memory in
            memory.embedding.count == vector.count ? Double(MemoryService.dot(vector, memory.embedding)) : nil
        }
    }

    /// The default knows nothing.
    public func knownCandidateCount(project: String, filter: Filter, visibility: Visibility, dimension: Int) -> Int? {
        nil
    }

    /// The default reads the memories one at a time.
    public func memories(ids: [String], project: String) throws -> [String: Memory] {
        var found: [String: Memory] = [:]
        for id in Set(ids) {
            if let memory = try memory(id: id, project: project) { found[id] = memory }
        }
        return found
    }
}
