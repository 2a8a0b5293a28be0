import EngramCore
import Foundation

extension PostgresMemoryStore: AdminStore {
    public func statistics() throws -> StoreStatistics {
        try withConnection { connection in
            let counters = try connection.execute("SELECT name, label, sum(value)::bigint FROM store_counters GROUP BY name, label")
            var memories: [String: Int] = [:]
            var jobs: [String: Int] = [:]
            for row in 0..<counters.rowCount {
                guard let name = counters.text(row, 0), let label = counters.text(row, 1) else { continue }
                let value = try counters.requiredInt(row, 2)
                if name == "memories", value > 0 { memories[label] = value }
                if name == "jobs" { jobs[label] = value }
            }
            let size = try connection.execute("SELECT pg_database_size(current_database())::bigint")
            return StoreStatistics(
                memoriesByProject: memories, jobsByStatus: jobs, bytes: try size.int64(0, 0),
                reads: readRouter?.readCounts)
        }
    }

    public func projects() throws -> [String] {
        try withConnection { connection in
            let result = try connection.execute(
                "SELECT label FROM store_counters WHERE name = 'memories' GROUP BY label HAVING sum(value) > 0 ORDER BY label")
            return (0..<result.rowCount).compactMap { result.text($0, 0) }
        }
    }

    public func archivePage(project: String, filter: Filter, after: String?, limit: Int) throws -> [Memory] {
        var query = BoundQuery()
        var condition = try memoryCondition(project: project, filter: filter, visibility: nil, into: &query)
        if let after { condition += " AND m.id > \(query.bind(.text(after)))" }
        let sql = "SELECT \(StoredRows.memoryColumns) FROM memories m WHERE \(condition) ORDER BY m.id LIMIT \(max(1, limit))"
        return try withConnection { connection in
            let result = try connection.execute(sql, query.parameters)
            return try (0..<result.rowCount).map { try StoredRows.memory(from: result, row: $0) }
        }
    }

    public func histories(memoryIDs: [String], project: String) throws -> [String: [HistoryEvent]] {
        guard !memoryIDs.isEmpty else { return [:] }
        return try withConnection { connection in
            let result = try connection.execute(
                """
                SELECT \(StoredRows.historyColumns) FROM history h WHERE h.memory_id = ANY($1) AND h.project = $2
                ORDER BY h.memory_id, h.created_at, h.seq
                """, [.textArray(memoryIDs), .text(project)])
            var found: [String: [HistoryEvent]] = [:]
            for row in 0..<result.rowCount {
                let event = try StoredRows.historyEvent(from: result, row: row)
                found[event.memoryID, default: []].append(event)
            }
            return found
        }
    }

    public func graphArchive(memoryIDs: [String], project: String) throws -> [String: ArchivedGraph] {
        guard !memoryIDs.isEmpty else { return [:] }
        return try transaction(readOnlySnapshot: true) { connection in
            var found: [String: ArchivedGraph] = [:]
            let links = try connection.execute(
                """
                SELECT l.memory_id, e.name, e.type FROM graph_links l JOIN graph_entities e ON e.id = l.entity_id
                WHERE l.memory_id = ANY($1) AND e.project = $2 ORDER BY l.memory_id, e.seq
                """, [.textArray(memoryIDs), .text(project)])
            for row in 0..<links.rowCount {
                let (memoryID, name, type) = (try links.requiredText(row, 0), try links.requiredText(row, 1), try links.requiredText(row, 2))
                found[memoryID, default: ArchivedGraph()].entities.append(EntityMention(name: name, type: type))
            }
            let sources = try connection.execute(
                """
                SELECT s.memory_id, s.relation_id FROM graph_sources s JOIN graph_relations r ON r.id = s.relation_id
                WHERE s.memory_id = ANY($1) AND r.project = $2 ORDER BY s.memory_id, r.seq
                """, [.textArray(memoryIDs), .text(project)])
            let pairs = try (0..<sources.rowCount).map { (try sources.requiredText($0, 0), try sources.requiredText($0, 1)) }
            let relations = try PostgresGraphTransaction(connection: connection).relations(ids: Array(Set(pairs.map(\.1))))
            let byID = Dictionary(relations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for (memoryID, relationID) in pairs {
                if let relation = byID[relationID] { found[memoryID, default: ArchivedGraph()].relations.append(relation) }
            }
            return found
        }
    }

    public func takenIDs(_ ids: [String], kind: ArchiveIDKind) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let table = switch kind {
        case .memory: "memories"
        case .history: "history"
        case .relation: "graph_relations"
        }
        return try withConnection { connection in
            let result = try connection.execute("SELECT id FROM \(table) WHERE id = ANY($1)", [.textArray(ids)])
            return Set((0..<result.rowCount).compactMap { result.text($0, 0) })
        }
    }

    public func reindexPending(after: String?, limit: Int) throws -> [PendingText] {
        try withConnection { connection in
            let result = try connection.execute(
                """
                SELECT m.id, m.text, m.hash FROM memories m LEFT JOIN reindex_vectors r ON r.memory_id = m.id
                WHERE m.id > $1 AND (r.memory_id IS NULL OR r.hash <> m.hash) ORDER BY m.id LIMIT $2
                """, [.text(after ?? ""), .int8(Int64(max(1, limit)))])
            return try (0..<result.rowCount).map {
                PendingText(id: try result.requiredText($0, 0), text: try result.requiredText($0, 1), hash: try result.requiredText($0, 2))
            }
        }
    }

    public func reindexProgress() throws -> (total: Int, staged: Int) {
        try withConnection { connection in
            let result = try connection.execute(
                """
                SELECT (SELECT count(*) FROM memories),
                    (SELECT count(*) FROM reindex_vectors r JOIN memories m ON m.id = r.memory_id AND m.hash = r.hash)
                """)
            return (try result.requiredInt(0, 0), try result.requiredInt(0, 1))
        }
    }

    public func beginReindex(model: String, dimension: Int) throws {
        let tag = "\(model) \(dimension)"
        try transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(PostgresMigrations.schemaLockKey)])
            let current = try connection.execute("SELECT value FROM settings WHERE key = $1", [.text(Self.reindexModelKey)]).text(0, 0)
            guard current != tag else { return }
            try connection.execute("DELETE FROM reindex_vectors")
            try connection.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [.text(Self.reindexModelKey), .text(tag)])
        }
    }

    public func stage(_ vectors: [StagedVector]) throws {
        guard !vectors.isEmpty else { return }
        try withConnection { connection in
            // One statement for the batch: the rows travel as three arrays (vectors as their text form).
            try connection.execute(
                """
                INSERT INTO reindex_vectors (memory_id, hash, embedding)
                SELECT id, hash, embedding::vector FROM unnest($1::text[], $2::text[], $3::text[]) AS v (id, hash, embedding)
                ON CONFLICT (memory_id) DO UPDATE SET hash = excluded.hash, embedding = excluded.embedding
                """, [
                    .textArray(vectors.map(\.memoryID)), .textArray(vectors.map(\.hash)),
                    .textArray(vectors.map { "[" + $0.embedding.map { "\($0)" }.joined(separator: ",") + "]" }),
                ])
        }
    }

    public func finishReindex(model: String, dimension: Int) throws {
        guard dimension > 0 else { throw MemoryError.invalid("An embedding model needs a positive dimension") }
        try transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(PostgresMigrations.schemaLockKey)])
            let missing = try connection.execute(
                """
                SELECT count(*) FROM memories m LEFT JOIN reindex_vectors r ON r.memory_id = m.id AND r.hash = m.hash
                WHERE r.memory_id IS NULL
                """).requiredInt(0, 0)
            guard missing == 0 else {
                throw MemoryError.invalid("\(missing) memories have no vector from the new embedder yet; run `engram reindex` again")
            }
            // The dimension is a validated positive integer, so it may be spelled in the DDL.
            // Rewriting every memory and building the index take minutes at a million memories.
            try connection.executeScript("""
                SET LOCAL statement_timeout = 0;
                DROP INDEX IF EXISTS memories_embedding_hnsw;
                ALTER TABLE memories ALTER COLUMN embedding TYPE vector;
                UPDATE memories m SET embedding = r.embedding FROM reindex_vectors r WHERE r.memory_id = m.id;
                ALTER TABLE memories ALTER COLUMN embedding TYPE vector(\(dimension));
                DELETE FROM reindex_vectors;
                """)
            try buildVectorIndexIfMissing(connection, dimension: dimension)
            let upsert = "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            try connection.execute(upsert, [.text(Self.modelKey), .text(model)])
            try connection.execute(upsert, [.text(Self.dimensionKey), .text(String(dimension))])
            try connection.execute("DELETE FROM settings WHERE key = $1", [.text(Self.reindexModelKey)])
        }
        self.dimension.withLock { $0 = dimension }
    }

    public func backup(to path: String) throws {
        throw MemoryError.invalid(
            "engram backup copies SQLite stores; back up Postgres with pg_dump (pg_dump --format=custom --file=engram.dump \"$ENGRAM_DATABASE_URL\")")
    }
}
