import EngramCore
import Foundation
import Synchronization

/// The shared `MemoryStore`: Postgres with pgvector, for several Engram instances on one database.
/// Numbered migrations at open; memories with a `vector(n)` embedding under an HNSW index (cosine), a
/// generated `tsvector` under a GIN index, JSONB metadata; an entity index kept by a trigger; history;
/// settings; durable jobs claimed with `FOR UPDATE SKIP LOCKED`; per-scope advisory locks.
///
/// Blocking: every call waits for the server; call it from threads the server owns. A lost connection
/// or a server that is down maps to `MemoryError.storeUnavailable` and the pool reconnects on a later
/// call; other failures map to `PostgresStoreError`. Neither carries SQL or bound values.
public final class PostgresMemoryStore: MemoryStore {
    let pool: ConnectionPool
    let lockPool: ConnectionPool
    let configuration: PostgresStoreConfiguration
    /// The embedding dimension the store was prepared with, once known.
    let dimension = Mutex<Int?>(nil)
    /// How the HNSW index in the database was built, once there is one (read at open, kept by this
    /// instance's `prepare`, `finishReindex` and `rebuildVectorIndex`); searches order by its expression.
    let builtVectorIndex = Mutex<VectorIndexSettings?>(nil)
    /// Where read requests go when a replica is configured.
    let readRouter: ReadRouter?
    /// The migrations applied when the store was opened.
    private let appliedAtOpen = Mutex<[String]>([])

    public var migrationReport: MigrationReport {
        MigrationReport(known: PostgresMigrations.all.map(\.name), appliedAtOpen: appliedAtOpen.withLock { $0 })
    }

    /// Connects to `url` (`postgres://user:password@host:port/database`) and applies pending migrations.
    /// With a `readURL` (a streaming replica of that database), read requests go there as `ReadRouter`
    /// describes, with read-your-writes for this instance's own writes.
    public init(url: String, readURL: String? = nil, configuration: PostgresStoreConfiguration = PostgresStoreConfiguration()) throws {
        self.configuration = configuration
        let setup = configuration.sessionSetup
        readRouter = readURL.map { readURL in
            ReadRouter(
                replica: ConnectionPool(
                    url: readURL, size: configuration.poolSize, checkoutTimeout: configuration.checkoutTimeout,
                    connectTimeout: configuration.connectTimeout, maxPreparedStatements: configuration.maxPreparedStatements,
                    sessionSetup: setup, planObserver: configuration.planObserver),
                maxLag: configuration.replicaMaxLag)
        }
        pool = ConnectionPool(
            url: url, size: configuration.poolSize, checkoutTimeout: configuration.checkoutTimeout,
            connectTimeout: configuration.connectTimeout, maxPreparedStatements: configuration.maxPreparedStatements,
            sessionSetup: setup, planObserver: configuration.planObserver)
        lockPool = ConnectionPool(
            url: url, size: configuration.lockPoolSize, checkoutTimeout: configuration.checkoutTimeout,
            connectTimeout: configuration.connectTimeout, maxPreparedStatements: 8, sessionSetup: setup)
        let applied = try migrate()
        appliedAtOpen.withLock { $0 = applied }
        try applyPartitioningWhileEmpty()
        let recorded = try setting(Self.dimensionKey).flatMap { Int($0) }
        dimension.withLock { $0 = recorded }
        try readVectorIndex()
    }

    /// Reads answered by the replica and by the primary since open (zero without a replica).
    public var replicaReadCounts: ReadCounts { readRouter?.readCounts ?? ReadCounts() }

    /// Lets the reads in `body` go to the replica (see `ReadRouter`); what they read of this instance's
    /// own writes is never older than the writes.
    public func allowingReplicaReads<T>(_ body: () throws -> T) rethrows -> T {
        try ReadRouter.$replicaAllowed.withValue(true, operation: body)
    }

    /// Whether the server answers a trivial query.
    public func isReachable() -> Bool {
        (try? pool.withConnection { connection in try connection.execute("SELECT 1").rowCount }) == 1
    }

    /// Applies the migrations not yet recorded, in one transaction under the schema lock.
    private func migrate() throws -> [String] {
        try transaction { connection in
            // A migration that builds an index over a million memories takes minutes, past the request timeout.
            try connection.executeScript("SET LOCAL statement_timeout = 0;")
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(PostgresMigrations.schemaLockKey)])
            try connection.executeScript(PostgresMigrations.bookkeepingSQL)
            let recorded = try connection.execute("SELECT identifier FROM engram_migrations")
            let done = Set((0..<recorded.rowCount).compactMap { recorded.text($0, 0) })
            var applied: [String] = []
            for migration in PostgresMigrations.all where !done.contains(migration.name) {
                try connection.executeScript(migration.sql)
                try connection.execute("INSERT INTO engram_migrations (identifier) VALUES ($1)", [.text(migration.name)])
                applied.append(migration.name)
            }
            return applied
        }
    }

    /// Records the embedding model and dimension on first use, fixing the embedding column to
    /// `vector(dimension)` and building its HNSW index (cosine); afterwards throws
    /// `MemoryError.embedderMismatch` naming both models when they differ from the recorded ones.
    public func prepare(embeddingModel: String, dimension: Int) throws {
        guard !embeddingModel.isEmpty, dimension > 0 else {
            throw MemoryError.invalid("An embedding model needs a name and a positive dimension")
        }
        try transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(PostgresMigrations.schemaLockKey)])
            let select = "SELECT value FROM settings WHERE key = $1"
            let model = try connection.execute(select, [.text(Self.modelKey)]).text(0, 0)
            let stored = try connection.execute(select, [.text(Self.dimensionKey)]).text(0, 0)
            let empty = try connection.execute("SELECT (NOT EXISTS (SELECT 1 FROM memories))::text", []).text(0, 0) == "true"
            let same = model == embeddingModel && stored == String(dimension)
            // While the store holds no memories, another embedder may take over.
            guard let model, let stored, same || !empty else {
                if model != nil, !same {
                    try connection.executeScript("DROP INDEX IF EXISTS memories_embedding_hnsw;")
                    try connection.execute("DELETE FROM settings WHERE key = $1", [.text(Self.vectorIndexKey)])
                }
                let upsert = "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                try connection.execute(upsert, [.text(Self.modelKey), .text(embeddingModel)])
                try connection.execute(upsert, [.text(Self.dimensionKey), .text(String(dimension))])
                // The dimension is a validated positive integer, so it may be spelled in the DDL.
                try connection.executeScript("ALTER TABLE memories ALTER COLUMN embedding TYPE vector(\(dimension));")
                try buildVectorIndexIfMissing(connection, dimension: dimension)
                return
            }
            guard model == embeddingModel, stored == String(dimension) else {
                throw MemoryError.embedderMismatch(
                    "The memories in this store were embedded with '\(model)' (dimension \(stored)), but the "
                        + "configured embedder is '\(embeddingModel)' (dimension \(dimension)). Configure '\(model)' "
                        + "again, or keep the new embedder's memories in a new store (another data directory or "
                        + "database), or re-embed them: `engram reindex` with the new embedder configured."
                )
            }
            // An import interrupted while its index was deferred (`beginBulkLoad`) left none.
            try buildVectorIndexIfMissing(connection, dimension: dimension)
        }
        self.dimension.withLock { $0 = dimension }
    }

    /// A store-wide setting, or nil when unset.
    public func setting(_ key: String) throws -> String? {
        try pool.withConnection { connection in
            try connection.execute("SELECT value FROM settings WHERE key = $1", [.text(key)]).text(0, 0)
        }
    }

    /// Stores a store-wide setting; nil removes it.
    public func setSetting(_ key: String, value: String?) throws {
        try pool.withConnection { connection in
            if let value {
                try connection.execute(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [.text(key), .text(value)])
            } else {
                try connection.execute("DELETE FROM settings WHERE key = $1", [.text(key)])
            }
        }
    }

    /// The store-wide settings whose key starts with `prefix`, by key order.
    public func settings(prefix: String) throws -> [(key: String, value: String)] {
        try pool.withConnection { connection in
            let result = try connection.execute(
                "SELECT key, value FROM settings WHERE starts_with(key, $1) ORDER BY key COLLATE \"C\"", [.text(prefix)])
            return (0..<result.rowCount).compactMap { row in
                guard let key = result.text(row, 0), let value = result.text(row, 1) else { return nil }
                return (key: key, value: value)
            }
        }
    }

    static let modelKey = "embedding_model"
    static let vectorIndexKey = "vector_index"
    static let dimensionKey = "embedding_dimension"
}
