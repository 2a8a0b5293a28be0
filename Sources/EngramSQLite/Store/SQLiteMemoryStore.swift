import EngramCore
import Foundation
import GRDB

/// The embedded `MemoryStore`: one SQLite file in WAL mode, one writer connection and a pool of reader
/// connections (GRDB `DatabasePool`), numbered migrations applied at open, an FTS5 index and an entity
/// index kept in sync by triggers in every write transaction, and an in-memory cache of candidate
/// vectors for exact semantic search.
///
/// Blocking: every call waits for SQLite; call it from threads the server owns, not the Swift
/// concurrency pool. Failures that mean the database cannot be used map to
/// `MemoryError.storeUnavailable`; other SQLite failures to `SQLiteStoreError`. Neither carries SQL or
/// bound values.
public final class SQLiteMemoryStore: MemoryStore {
    let pool: DatabasePool
    let configuration: SQLiteStoreConfiguration
    let vectorCache: VectorCache
    /// Search terms' row counts between searches (`TermCounts`).
    let termCounts = TermCounts(capacity: 65_536)
    /// The migrations this build knows and those applied when the store was opened.
    public let migrationReport: MigrationReport

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String, configuration: SQLiteStoreConfiguration = SQLiteStoreConfiguration()) throws {
        self.configuration = configuration
        vectorCache = VectorCache(floatBudget: configuration.vectorCacheFloatBudget)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MemoryError.storeUnavailable("The database directory cannot be created")
        }
        var options = Configuration()
        options.busyMode = .timeout(configuration.busyTimeout)
        options.maximumReaderCount = configuration.maximumReaderCount
        options.foreignKeysEnabled = true
        let mmapBytes = configuration.memoryMapBytes
        let cacheKiB = configuration.pageCacheKiB
        let checkpointPages = configuration.walCheckpointPages
        let walSizeLimit = configuration.walSizeLimitBytes
        options.prepareDatabase { db in
            // WAL makes NORMAL durable against process crashes; only a power loss may drop the last
            // transactions (https://www.sqlite.org/pragma.html#pragma_synchronous).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Fewer, larger checkpoints (see `SQLiteStoreConfiguration.walCheckpointPages`).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(checkpointPages)")
            try db.execute(sql: "PRAGMA journal_size_limit = \(walSizeLimit)")
            // Reads through a memory map instead of a read() copy per page, and a larger page cache:
            // keyword search visits many rows (https://www.sqlite.org/mmap.html).
            try db.execute(sql: "PRAGMA mmap_size = \(mmapBytes)")
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
            try TextBM25.register(on: db)
        }
        do {
            pool = try DatabasePool(path: path, configuration: options)
            let migrator = SchemaMigrations.migrator
            let before = try pool.read { db in try migrator.appliedIdentifiers(db) }
            try migrator.migrate(pool)
            migrationReport = MigrationReport(known: migrator.migrations, appliedAtOpen: migrator.migrations.filter { !before.contains($0) })
        } catch let error as DatabaseError {
            throw SQLiteStoreError.translate(error)
        }
    }

    /// Whether the database answers a trivial query.
    public func isReachable() -> Bool {
        (try? pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// Records the embedding model and dimension on first use (or while the store holds no memories);
    /// afterwards throws `MemoryError.embedderMismatch` naming both models when they differ from the
    /// recorded ones.
    public func prepare(embeddingModel: String, dimension: Int) throws {
        guard !embeddingModel.isEmpty, dimension > 0 else {
            throw MemoryError.invalid("An embedding model needs a name and a positive dimension")
        }
        try write { db in
            let select = try db.cachedStatement(sql: "SELECT value FROM settings WHERE key = ?")
            let model = try String.fetchOne(select, arguments: [Self.modelKey])
            let stored = try String.fetchOne(select, arguments: [Self.dimensionKey])
            let empty = try Bool.fetchOne(db.cachedStatement(sql: "SELECT NOT EXISTS (SELECT 1 FROM memories)")) ?? false
            guard let model, let stored, !empty || (model == embeddingModel && stored == String(dimension)) else {
                let upsert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)")
                try upsert.execute(arguments: [Self.modelKey, embeddingModel])
                try upsert.execute(arguments: [Self.dimensionKey, String(dimension)])
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
        }
    }

    /// A store-wide setting, or nil when unset.
    public func setting(_ key: String) throws -> String? {
        try read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM settings WHERE key = ?"), arguments: [key])
        }
    }

    /// Stores a store-wide setting; nil removes it.
    public func setSetting(_ key: String, value: String?) throws {
        try write { db in
            if let value {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)")
                    .execute(arguments: [key, value])
            } else {
                try db.cachedStatement(sql: "DELETE FROM settings WHERE key = ?").execute(arguments: [key])
            }
        }
    }

    /// The store-wide settings whose key starts with `prefix`, by key order.
    public func settings(prefix: String) throws -> [(key: String, value: String)] {
        try read { db in
            // A range on the primary key rather than LIKE, whose `_` and `%` the prefix may hold.
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT key, value FROM settings WHERE key >= ? AND substr(key, 1, ?) = ? ORDER BY key"),
                arguments: [prefix, prefix.count, prefix]
            ).map { (key: $0[0], value: $0[1]) }
        }
    }

    static let modelKey = "embedding_model"
    static let dimensionKey = "embedding_dimension"

    // MARK: - Helpers shared by the extensions

    /// Runs `body` in a read transaction (a consistent snapshot), translating errors.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try SQLiteStoreError.translating { try pool.read(body) }
    }

    /// Runs `body` in the write transaction, rolled back if it throws, translating errors.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try SQLiteStoreError.translating { try pool.write(body) }
    }

    /// A statement for `sql`, from the connection's cache when its shape is one of few.
    func statement(_ db: Database, _ sql: String, cached: Bool) throws -> Statement {
        cached ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    /// The WHERE condition over `memories m` for a project, a filter and a visibility.
    func memoryCondition(project: String, filter: Filter, visibility: Visibility?) throws -> SQLFragment {
        var parts = [SQLFragment("m.project = ?", [project.databaseValue])]
        if let visibility {
            if let asOf = visibility.asOf {
                let time = StoredTime.string(from: asOf).databaseValue
                parts.append(SQLFragment(
                    "coalesce(m.observed_at, m.created_at) <= ? AND (m.superseded_at IS NULL OR m.superseded_at > ?)", [time, time]))
            } else if !visibility.includeSuperseded {
                parts.append(SQLFragment("m.state = 'active'"))
            }
            if !visibility.showExpired {
                parts.append(SQLFragment("(m.expiration_date IS NULL OR m.expiration_date >= ?)", [visibility.today.databaseValue]))
            }
        }
        parts.append(try FilterCompiler.memories.compile(filter))
        return SQLFragment.joined(parts, separator: " AND ", empty: "1")
    }

    /// One page of the rows of `table` (with its alias) matching `condition`, and the number of all
    /// matches, from one snapshot: `columns` (read through `joins`) ordered by `order`, turned into items
    /// by `decode`. `cached` keeps the statements on the connection (for conditions of a bounded shape).
    func page<Item>(
        _ columns: String, from table: String, joins: String = "", where condition: SQLFragment, order: String, cached: Bool,
        page: Int, pageSize: Int, decode: ([Row], Database) throws -> [Item]
    ) throws -> Page<Item> {
        let offset = try offset(page: page, pageSize: pageSize)
        return try read { db in
            let count = try statement(db, "SELECT count(*) FROM \(table) WHERE \(condition.sql)", cached: cached)
            let total = try Int.fetchOne(count, arguments: condition.statementArguments) ?? 0
            guard let offset, offset < total else { return Page(items: [], total: total, page: page, pageSize: pageSize) }
            let select = try statement(
                db, "SELECT \(columns) FROM \(table) \(joins) WHERE \(condition.sql) ORDER BY \(order) LIMIT ? OFFSET ?", cached: cached)
            let arguments = StatementArguments(condition.arguments + [pageSize.databaseValue, offset.databaseValue])
            return Page(items: try decode(Row.fetchAll(select, arguments: arguments), db), total: total, page: page, pageSize: pageSize)
        }
    }

    /// Checks a page request and returns its row offset (nil when it lies beyond any possible row).
    func offset(page: Int, pageSize: Int) throws -> Int? {
        guard page >= 1 else { throw MemoryError.invalid("page must be at least 1") }
        guard pageSize >= 1 else { throw MemoryError.invalid("page_size must be at least 1") }
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: pageSize)
        return overflow ? nil : offset
    }
}
