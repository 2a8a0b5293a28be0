import EngramCore

extension PostgresMemoryStore {
    /// The vector index as built in the database and as configured for this instance. They differ after
    /// the HNSW settings changed: the index keeps its old shape until `rebuildVectorIndex` (`engram
    /// migrate`) builds it anew, since rebuilding a large index takes minutes.
    public struct VectorIndexStatus: Sendable, Equatable {
        /// The index in the database, or nil before the store knows its embedding dimension.
        public var built: VectorIndexSettings?
        /// What a new index would be built with for the store's dimension.
        public var configured: VectorIndexSettings
        public var needsRebuild: Bool { built.map { $0 != configured } ?? false }
    }

    public var vectorIndexStatus: VectorIndexStatus {
        let dimension = dimension.withLock { $0 } ?? 0
        return VectorIndexStatus(built: builtVectorIndex.withLock { $0 }, configured: indexSettings(dimension: dimension))
    }

    /// The configured settings as they apply to `dimension`: pgvector indexes at most 2,000 dimensions at
    /// single precision and 4,000 at half, so larger embeddings (3,072 for text-embedding-3-large) are
    /// indexed at half precision.
    func indexSettings(dimension: Int) -> VectorIndexSettings {
        var settings = configuration.vectorIndex
        if dimension > 2000 { settings.precision = .half }
        return settings
    }

    /// Builds the HNSW index anew with the configured settings and swaps it in, returning the settings
    /// it was built with (nil when the store has no dimension yet). The build runs `CONCURRENTLY`
    /// beside the old index, so searches and writes go on meanwhile (a million memories take minutes);
    /// only the swap (drop the old, rename the new, record the shape) locks the table, for a moment. An
    /// interrupted build leaves an invalid `memories_embedding_hnsw_new`, dropped by the next attempt.
    /// A partitioned table cannot build an index concurrently, so there the new index is made on the
    /// table alone and each partition's is built concurrently and attached to it, one after another.
    @discardableResult
    public func rebuildVectorIndex() throws -> VectorIndexSettings? {
        guard let dimension = dimension.withLock({ $0 }) else { return nil }
        let settings = indexSettings(dimension: dimension)
        if let problem = settings.problem { throw MemoryError.invalid("Cannot build the vector index: \(problem)") }
        let partitions = try withConnection { connection in
            // CONCURRENTLY cannot run in a transaction; the session's timeout is lifted for the build only.
            try connection.executeScript("SET statement_timeout = 0;")
            defer { try? connection.executeScript("SET statement_timeout = \(configuration.statementTimeoutMilliseconds);") }
            let partitions = try Self.partitionNames(of: "memories", connection)
            guard !partitions.isEmpty else {
                try connection.executeScript("DROP INDEX CONCURRENTLY IF EXISTS memories_embedding_hnsw_new;")
                try connection.executeScript(
                    settings.createIndexSQL(dimension: dimension, name: "memories_embedding_hnsw_new", concurrently: true))
                return partitions
            }
            // The table's own index is only a name until every partition's is attached; making it locks
            // the table for a moment.
            try connection.executeScript("""
                DROP INDEX IF EXISTS memories_embedding_hnsw_new;
                \(settings.createIndexSQL(dimension: dimension, name: "memories_embedding_hnsw_new", only: true))
                """)
            for partition in partitions {
                // One statement a call: a script of several would run as one transaction, which CONCURRENTLY refuses.
                try connection.executeScript("DROP INDEX CONCURRENTLY IF EXISTS \(partition)_embedding_hnsw_new;")
                try connection.executeScript(
                    settings.createIndexSQL(dimension: dimension, name: "\(partition)_embedding_hnsw_new", table: partition, concurrently: true))
                try connection.executeScript("ALTER INDEX memories_embedding_hnsw_new ATTACH PARTITION \(partition)_embedding_hnsw_new;")
            }
            return partitions
        }
        try transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(PostgresMigrations.schemaLockKey)])
            try connection.executeScript("""
                DROP INDEX IF EXISTS memories_embedding_hnsw;
                ALTER INDEX memories_embedding_hnsw_new RENAME TO memories_embedding_hnsw;
                """ + partitions.map { "ALTER INDEX \($0)_embedding_hnsw_new RENAME TO \($0)_embedding_hnsw;\n" }.joined())
            try record(settings, connection)
        }
        builtVectorIndex.withLock { $0 = settings }
        return settings
    }

    /// Builds the index with the configured settings when the database has none (inside the caller's
    /// transaction), recording how.
    func buildVectorIndexIfMissing(_ connection: PostgresConnection, dimension: Int) throws {
        let exists = try connection.execute("SELECT to_regclass('memories_embedding_hnsw') IS NOT NULL").bool(0, 0)
        guard !exists else { return }
        let settings = indexSettings(dimension: dimension)
        if let problem = settings.problem { throw MemoryError.invalid("Cannot build the vector index: \(problem)") }
        try createVectorIndex(connection, settings: settings, dimension: dimension)
        builtVectorIndex.withLock { $0 = settings }
    }

    private func createVectorIndex(_ connection: PostgresConnection, settings: VectorIndexSettings, dimension: Int) throws {
        // Building over many memories takes minutes, past the statement timeout meant for requests.
        try connection.executeScript("SET LOCAL statement_timeout = 0;")
        try connection.executeScript(settings.createIndexSQL(dimension: dimension))
        try record(settings, connection)
    }

    private func record(_ settings: VectorIndexSettings, _ connection: PostgresConnection) throws {
        try connection.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [.text(Self.vectorIndexKey), .text(settings.description)])
    }

    /// Learns how the database's index was built: as recorded, else (an index from before the settings
    /// were recorded) pgvector's defaults, else none.
    func readVectorIndex() throws {
        let built: VectorIndexSettings? = try withConnection { connection in
            let recorded = try connection.execute("SELECT value FROM settings WHERE key = $1", [.text(Self.vectorIndexKey)]).text(0, 0)
            let exists = try connection.execute("SELECT to_regclass('memories_embedding_hnsw') IS NOT NULL").bool(0, 0)
            guard exists else { return nil }
            return recorded.flatMap(VectorIndexSettings.init(recorded:)) ?? .pgvectorDefaults
        }
        builtVectorIndex.withLock { $0 = built }
    }
}

extension PostgresMemoryStore {
    /// Drops the HNSW index before an import into a store that holds no memories: pgvector builds an
    /// index over rows already there several times faster than it inserts them one by one (at 100,000
    /// memories on 2 cores, about 15 s for the build against 100 s of inserts). Searches meanwhile
    /// read the rows without it, exactly. An interrupted import leaves the store without the index, which
    /// the next `prepare` (a `serve` start) builds.
    public func beginBulkLoad() throws -> Bool {
        guard dimension.withLock({ $0 }) != nil else { return false }
        return try transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(PostgresMigrations.schemaLockKey)])
            let deferrable = try connection.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM memories) AND to_regclass('memories_embedding_hnsw') IS NOT NULL").bool(0, 0)
            if deferrable { try connection.executeScript("DROP INDEX memories_embedding_hnsw;") }
            return deferrable
        }
    }

    /// Builds the index `beginBulkLoad` dropped, with the configured settings, beside the rows (which
    /// may be written to meanwhile).
    public func finishBulkLoad() throws {
        try rebuildVectorIndex()
    }

    /// The HNSW index's size on disk in bytes (its partitions' together), or nil when there is none.
    /// `pg_partition_tree` lists nothing for an index that is not partitioned, which is then its own size.
    public func vectorIndexBytes() throws -> Int? {
        try withConnection { connection in
            let result = try connection.execute(
                """
                SELECT coalesce(
                    (SELECT sum(pg_relation_size(t.relid)) FROM pg_partition_tree(to_regclass('memories_embedding_hnsw')) t),
                    pg_relation_size(to_regclass('memories_embedding_hnsw')))::bigint
                WHERE to_regclass('memories_embedding_hnsw') IS NOT NULL
                """)
            return result.rowCount == 1 ? try result.requiredInt(0, 0) : nil
        }
    }
}
