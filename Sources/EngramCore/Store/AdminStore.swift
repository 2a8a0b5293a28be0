import Foundation

/// What `GET /metrics` reads from a store on every scrape: counters kept by the store's triggers, not
/// counted per scrape.
public struct StoreStatistics: Sendable, Equatable {
    /// Stored memories (active and superseded) by project.
    public var memoriesByProject: [String: Int]
    /// Async add jobs by status (`PENDING`, `RUNNING`, `SUCCEEDED`, `FAILED`).
    public var jobsByStatus: [String: Int]
    /// The store's size on disk, when it can tell.
    public var bytes: Int64?
    /// Reads answered by a read replica and by the primary since the store was opened, for a store
    /// with a replica (Postgres with a read URL).
    public var reads: ReadCounts?

    public init(memoriesByProject: [String: Int], jobsByStatus: [String: Int], bytes: Int64?, reads: ReadCounts? = nil) {
        self.memoriesByProject = memoriesByProject
        self.jobsByStatus = jobsByStatus
        self.bytes = bytes
        self.reads = reads
    }
}

/// Reads a store with a read replica sent to each side.
public struct ReadCounts: Sendable, Equatable {
    public var replica: Int
    public var primary: Int

    public init(replica: Int = 0, primary: Int = 0) {
        self.replica = replica
        self.primary = primary
    }
}

/// How a store's schema stands: the migrations it knows, and those it applied when it was opened.
public struct MigrationReport: Sendable, Equatable {
    public var known: [String]
    public var appliedAtOpen: [String]

    public init(known: [String], appliedAtOpen: [String]) {
        self.known = known
        self.appliedAtOpen = appliedAtOpen
    }
}

/// A memory's graph as an export keeps it: the entities it mentions and the relations it states.
public struct ArchivedGraph: Sendable, Equatable {
    public var entities: [EntityMention]
    public var relations: [GraphRelation]

    public init(entities: [EntityMention] = [], relations: [GraphRelation] = []) {
        self.entities = entities
        self.relations = relations
    }
}

/// Which ids `takenIDs` looks among.
public enum ArchiveIDKind: Sendable {
    case memory, history, relation
}

/// A vector from the new embedder, waiting in the reindex staging table.
public struct StagedVector: Sendable {
    public var memoryID: String
    /// The hash of the text it embedded.
    public var hash: String
    public var embedding: [Float]

    public init(memoryID: String, hash: String, embedding: [Float]) {
        self.memoryID = memoryID
        self.hash = hash
        self.embedding = embedding
    }
}

/// A memory whose vector is still to be made by `engram reindex`.
public struct PendingText: Sendable, Equatable {
    public var id: String
    public var text: String
    public var hash: String

    public init(id: String, text: String, hash: String) {
        self.id = id
        self.text = text
        self.hash = hash
    }
}

/// The store operations of the admin commands (`engram migrate`, `reindex`, `export`, `import`,
/// `doctor`, `backup`) and of `GET /metrics`, beside the engine's `MemoryStore`.
public protocol AdminStore: MemoryStore {
    /// The migrations this build knows and those applied when the store was opened.
    var migrationReport: MigrationReport { get }
    /// The counters of `GET /metrics` and the size on disk.
    func statistics() throws -> StoreStatistics
    /// Every project holding memories, sorted.
    func projects() throws -> [String]
    /// Up to `limit` memories of `project` matching `filter`, in every state and expired ones too, in
    /// id order after `after` (keyset paging: each page costs the same however deep).
    func archivePage(project: String, filter: Filter, after: String?, limit: Int) throws -> [Memory]
    /// The history of each memory, oldest first, by memory id.
    func histories(memoryIDs: [String], project: String) throws -> [String: [HistoryEvent]]
    /// The graph entities each memory mentions and the relations it states, by memory id.
    func graphArchive(memoryIDs: [String], project: String) throws -> [String: ArchivedGraph]
    /// Which of `ids` are in use, in any project.
    func takenIDs(_ ids: [String], kind: ArchiveIDKind) throws -> Set<String>

    /// Memories (all projects) without a staged vector for their current text, in id order after
    /// `after`, at most `limit`; how many memories there are and how many are staged.
    func reindexPending(after: String?, limit: Int) throws -> [PendingText]
    func reindexProgress() throws -> (total: Int, staged: Int)
    /// Empties the staging table unless it holds vectors of `model` (a reindex to it resumes).
    func beginReindex(model: String, dimension: Int) throws
    func stage(_ vectors: [StagedVector]) throws
    /// In one transaction: checks that every memory has a staged vector of its current text, swaps
    /// them in, records `model` and `dimension`, and empties the staging table. Throws `invalid` when
    /// some memory has none (nothing is changed then).
    func finishReindex(model: String, dimension: Int) throws

    /// Copies the store into a new file at `path`, consistent while it is written to (SQLite's online
    /// backup); stores that cannot throw `invalid` saying what to use instead.
    func backup(to path: String) throws

    /// Before a bulk import: a store whose vector index is cheaper to build once than to keep up row by
    /// row may drop it, if it holds no memories (so no search loses its index), and says whether it did.
    /// Searches stay correct meanwhile (exact, and slower). `finishBulkLoad` builds it again.
    func beginBulkLoad() throws -> Bool
    /// After a bulk import that `beginBulkLoad` answered true to, also after a failed one: builds the
    /// vector index again.
    func finishBulkLoad() throws
}

extension AdminStore {
    /// Stores whose index costs the same either way keep it.
    public func beginBulkLoad() throws -> Bool { false }
    public func finishBulkLoad() throws {}

    /// The key recording which model the staging table's vectors come from.
    public static var reindexModelKey: String { "reindex.model" }
}
