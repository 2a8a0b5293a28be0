import EngramCore
import Foundation

/// How the memories and their history are laid out: one table each, or declaratively partitioned by a
/// hash of the project, so each project's rows (and their HNSW graph, keyword postings and b-trees) sit
/// in a partition with a share of the other projects' rows rather than with all of them. A search names
/// its project, so Postgres reads one partition.
///
/// A partitioned table's unique keys must hold the partition column: there the keys lead with the
/// project, a memory's id is unique within its project (ids are random UUIDs; `engram import` still
/// checks them across projects), and a plain index on the id serves the lookups by id alone (the import's
/// check, reindex's paging). The graph, jobs and webhook tables stay as they are: they are read through
/// entity, relation and job ids, whose b-trees grow with the logarithm of other projects' rows.
extension PostgresMemoryStore {
    /// The layout in the database and the one configured for this instance. They differ after
    /// `--database-partitions` changed: the tables keep their layout until `engram migrate` (or an open
    /// of a store that holds no memories yet) lays them out anew.
    public struct PartitionStatus: Sendable, Equatable {
        /// Hash partitions of the memories table in the database, 0 for one plain table.
        public var built: Int
        /// The layout asked for, nil when none was (the database's stands).
        public var configured: Int?
        public var needsChange: Bool { configured.map { $0 != built } ?? false }
    }

    public func partitionStatus() throws -> PartitionStatus {
        let built = try withConnection { connection in try Self.partitionCount(of: "memories", connection) }
        return PartitionStatus(built: built, configured: configuration.partitions)
    }

    /// Lays the memories and history tables out as configured, moving every row, in one transaction that
    /// locks both tables (writes and reads wait) for its length: the copy and the index builds, minutes at
    /// a million memories. A failure leaves the old layout as it was. Returns the layout before, or nil
    /// when the tables were laid out as configured already.
    @discardableResult
    public func applyPartitioning() throws -> PartitionStatus? {
        guard let partitions = configuration.partitions else { return nil }
        if let problem = Self.partitionProblem(partitions) { throw MemoryError.invalid(problem) }
        return try transaction { connection in
            try connection.executeScript("SET LOCAL statement_timeout = 0;")
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(PostgresMigrations.schemaLockKey)])
            return try Self.lay(out: partitions, connection)
        }
    }

    /// Refreshes the planner's statistics of the memories and history tables, after a bulk load say.
    /// Autovacuum analyses a plain table and each partition by itself, but never a partitioned table as a
    /// whole, whose statistics only this (or `applyPartitioning`) gathers.
    public func analyze() throws {
        try withConnection { connection in
            try connection.executeScript("SET statement_timeout = 0;")
            defer { try? connection.executeScript("SET statement_timeout = \(configuration.statementTimeoutMilliseconds);") }
            try connection.executeScript("ANALYZE memories; ANALYZE history;")
        }
    }

    /// Why `partitions` is not a layout, or nil when it is: 0 (one table) or 2–1,024 partitions.
    public static func partitionProblem(_ partitions: Int) -> String? {
        partitions == 0 || (2...1024).contains(partitions)
            ? nil : "the number of partitions is 0 (one table) or 2–1,024, got \(partitions)"
    }

    /// At open: lays the tables out as configured when they hold no rows, which costs nothing; a store
    /// with rows waits for `applyPartitioning` (`engram migrate`).
    func applyPartitioningWhileEmpty() throws {
        guard let partitions = configuration.partitions, Self.partitionProblem(partitions) == nil else { return }
        let built = try withConnection { connection in try Self.partitionCount(of: "memories", connection) }
        guard built != partitions else { return }
        try transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(PostgresMigrations.schemaLockKey)])
            let empty = try connection.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM memories) AND NOT EXISTS (SELECT 1 FROM history)").bool(0, 0)
            if empty { _ = try Self.lay(out: partitions, connection) }
        }
    }

    /// The partitioned tables and their unique keys in each layout, with the index on the id alone that a
    /// partitioned layout adds.
    private static let partitionedTables: [(table: String, keys: [(name: String, plain: String, partitioned: String)], idIndex: String)] = [
        ("memories", [("memories_pkey", "PRIMARY KEY (id)", "PRIMARY KEY (project, id)")], "memories_id"),
        ("history", [("history_pkey", "PRIMARY KEY (seq)", "PRIMARY KEY (project, seq)"),
                     ("history_id_key", "UNIQUE (id)", "UNIQUE (project, id)")], "history_id"),
    ]

    /// Hash partitions of `table`, 0 when it is a plain table.
    static func partitionCount(of table: String, _ connection: PostgresConnection) throws -> Int {
        try connection.execute(
            """
            SELECT CASE c.relkind WHEN 'p' THEN (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid) ELSE 0 END
            FROM pg_class c WHERE c.oid = to_regclass($1)
            """, [.text(table)]).requiredInt(0, 0)
    }

    /// The partitions of `table` by name (none for a plain table).
    static func partitionNames(of table: String, _ connection: PostgresConnection) throws -> [String] {
        try connection.execute(
            "SELECT i.inhrelid::regclass::text FROM pg_inherits i WHERE i.inhparent = to_regclass($1) ORDER BY 1", [.text(table)]
        ).requiredTexts()
    }

    /// Re-creates each table of `partitionedTables` in the layout of `partitions` inside the caller's
    /// transaction: the old table is renamed aside, a new one made like it (columns, defaults, generated
    /// and identity columns, checks) and its partitions, the rows copied, the old table dropped, then the
    /// keys, indexes (as the database defines them, the HNSW index's shape included) and triggers made
    /// again on the new one, and other roles' privileges on it granted again. Indexes are built after the
    /// copy, which is far faster than keeping them up row by row; triggers after it, so the copy counts
    /// nothing twice.
    private static func lay(out partitions: Int, _ connection: PostgresConnection) throws -> PartitionStatus? {
        let before = try partitionCount(of: "memories", connection)
        var changed = false
        for (table, keys, idIndex) in partitionedTables where try partitionCount(of: table, connection) != partitions {
            changed = true
            let indexes = try connection.execute(
                """
                SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = to_regclass($1) AND c.relname <> $2
                    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
                ORDER BY c.relname
                """, [.text(table), .text(idIndex)]).requiredTexts()
            let triggers = try connection.execute(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal ORDER BY tgname",
                [.text(table)]).requiredTexts()
            // Privileges other roles hold on the table (a read-only reporting role, say) go with it.
            let grants = try connection.execute(
                """
                SELECT format('GRANT %s ON %I TO %s', a.privilege_type, c.relname,
                    CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
                FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = to_regclass($1) AND a.grantee <> c.relowner
                ORDER BY 1
                """, [.text(table)]).requiredTexts()
            let columnRows = try connection.execute(
                """
                SELECT quote_ident(attname), attidentity <> '' FROM pg_attribute
                WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum
                """, [.text(table)])
            let columns = try (0..<columnRows.rowCount).map { try columnRows.requiredText($0, 0) }
            let identities = try (0..<columnRows.rowCount).filter { try columnRows.bool($0, 1) }.map { columns[$0] }
            let aside = "\(table)_before_partitioning"
            let list = columns.joined(separator: ", ")
            var script = """
                ALTER TABLE \(table) RENAME TO \(aside);
                CREATE TABLE \(table) (LIKE \(aside) INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY
                    INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)\(partitions > 0 ? " PARTITION BY HASH (project)" : "");

                """
            for remainder in 0..<partitions {
                script += "CREATE TABLE \(table)_p\(partitions)_\(remainder) PARTITION OF \(table) "
                    + "FOR VALUES WITH (MODULUS \(partitions), REMAINDER \(remainder));\n"
            }
            script += "INSERT INTO \(table) (\(list))\(identities.isEmpty ? "" : " OVERRIDING SYSTEM VALUE") SELECT \(list) FROM \(aside);\n"
            for column in identities {
                script += "SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), coalesce(max(\(column)), 0) + 1, false) FROM \(table);\n"
            }
            script += "DROP TABLE \(aside);\n"
            for key in keys {
                script += "ALTER TABLE \(table) ADD CONSTRAINT \(key.name) \(partitions > 0 ? key.partitioned : key.plain);\n"
            }
            if partitions > 0 { script += "CREATE INDEX \(idIndex) ON \(table) (id);\n" }
            // A partitioned table's index definitions read `ON ONLY`, which would build no partition's index.
            for index in indexes { script += index.replacingOccurrences(of: " ON ONLY ", with: " ON ") + ";\n" }
            for trigger in triggers { script += trigger + ";\n" }
            for grant in grants { script += grant + ";\n" }
            script += "ANALYZE \(table);\n"
            try connection.executeScript(script)
        }
        return changed ? PartitionStatus(built: before, configured: partitions) : nil
    }
}
