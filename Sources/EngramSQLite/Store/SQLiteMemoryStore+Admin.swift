import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore: AdminStore {
    /// The index SQLite makes for `memories.id UNIQUE` (its name is fixed by the column's position).
    static let idIndex = "sqlite_autoindex_memories_1"

    public func statistics() throws -> StoreStatistics {
        let (memories, jobs, pages) = try read { db in
            var memories: [String: Int] = [:]
            var jobs: [String: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT name, label, value FROM store_counters")) {
                let (name, label, value): (String, String, Int) = (row[0], row[1], row[2])
                if name == "memories", value > 0 { memories[label] = value }
                if name == "jobs" { jobs[label] = value }
            }
            let pages = try Int64.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") ?? 0
            return (memories, jobs, pages)
        }
        let wal = (try? FileManager.default.attributesOfItem(atPath: pool.path + "-wal")[.size] as? Int64) ?? 0
        return StoreStatistics(memoriesByProject: memories, jobsByStatus: jobs, bytes: pages + (wal ?? 0))
    }

    public func projects() throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT label FROM store_counters WHERE name = 'memories' AND value > 0 ORDER BY label")
        }
    }

    public func archivePage(project: String, filter: Filter, after: String?, limit: Int) throws -> [Memory] {
        var condition = try memoryCondition(project: project, filter: filter, visibility: nil)
        if let after { condition = condition.appending(" AND ", SQLFragment("m.id > ?", [after.databaseValue])) }
        return try read { db in
            // In id order through the id index, whatever the filter: a scope index would have every page sort
            // the whole scope (an export of 100,000 memories fell to 486 a second).
            let select = try db.makeStatement(sql: """
                SELECT \(StoredRows.memoryColumns) FROM memories m INDEXED BY \(Self.idIndex)
                WHERE \(condition.sql) ORDER BY m.id LIMIT \(max(1, limit))
                """)
            return try Row.fetchAll(select, arguments: condition.statementArguments).map { try StoredRows.memory(from: $0) }
        }
    }

    public func histories(memoryIDs: [String], project: String) throws -> [String: [HistoryEvent]] {
        guard !memoryIDs.isEmpty else { return [:] }
        return try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT \(StoredRows.historyColumns) FROM history h
                WHERE h.memory_id IN (SELECT value FROM json_each(?)) AND h.project = ?
                ORDER BY h.memory_id, h.created_at, h.seq
                """)
            var found: [String: [HistoryEvent]] = [:]
            for row in try Row.fetchAll(select, arguments: [GraphRows.jsonList(memoryIDs), project]) {
                let event = try StoredRows.historyEvent(from: row)
                found[event.memoryID, default: []].append(event)
            }
            return found
        }
    }

    public func graphArchive(memoryIDs: [String], project: String) throws -> [String: ArchivedGraph] {
        guard !memoryIDs.isEmpty else { return [:] }
        return try read { db in
            var found: [String: ArchivedGraph] = [:]
            let ids = GraphRows.jsonList(memoryIDs)
            let links = try db.cachedStatement(sql: """
                SELECT l.memory_id, e.name, e.type FROM graph_links l JOIN graph_entities e ON e.id = l.entity_id
                WHERE l.memory_id IN (SELECT value FROM json_each(?)) AND e.project = ?
                ORDER BY l.memory_id, e.seq
                """)
            for row in try Row.fetchAll(links, arguments: [ids, project]) {
                found[row[0], default: ArchivedGraph()].entities.append(EntityMention(name: row[1], type: row[2]))
            }
            let sources = try db.cachedStatement(sql: """
                SELECT s.memory_id, s.relation_id FROM graph_sources s JOIN graph_relations r ON r.id = s.relation_id
                WHERE s.memory_id IN (SELECT value FROM json_each(?)) AND r.project = ?
                ORDER BY s.memory_id, r.seq
                """)
            let pairs = try Row.fetchAll(sources, arguments: [ids, project]).map { row -> (String, String) in (row[0], row[1]) }
            let relations = try SQLiteGraphTransaction(db: db).relations(ids: Array(Set(pairs.map(\.1))))
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
        return try read { db in
            Set(try String.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM \(table) WHERE id IN (SELECT value FROM json_each(?))"),
                arguments: [GraphRows.jsonList(ids)]))
        }
    }

    public func reindexPending(after: String?, limit: Int) throws -> [PendingText] {
        try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT m.id, m.text, m.hash FROM memories m INDEXED BY \(Self.idIndex) LEFT JOIN reindex_vectors r ON r.memory_id = m.id
                WHERE m.id > ? AND (r.memory_id IS NULL OR r.hash <> m.hash) ORDER BY m.id LIMIT ?
                """)
            return try Row.fetchAll(select, arguments: [after ?? "", max(1, limit)]).map { PendingText(id: $0[0], text: $0[1], hash: $0[2]) }
        }
    }

    public func reindexProgress() throws -> (total: Int, staged: Int) {
        try read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM memories") ?? 0
            let staged = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM reindex_vectors r JOIN memories m ON m.id = r.memory_id AND m.hash = r.hash
                """) ?? 0
            return (total, staged)
        }
    }

    public func beginReindex(model: String, dimension: Int) throws {
        let tag = "\(model) \(dimension)"
        try write { db in
            let current = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [Self.reindexModelKey])
            guard current != tag else { return }
            try db.execute(sql: "DELETE FROM reindex_vectors")
            try db.execute(sql: "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", arguments: [Self.reindexModelKey, tag])
        }
    }

    public func stage(_ vectors: [StagedVector]) throws {
        guard !vectors.isEmpty else { return }
        try write { db in
            let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO reindex_vectors (memory_id, hash, embedding) VALUES (?, ?, ?)")
            for vector in vectors {
                try insert.execute(arguments: [vector.memoryID, vector.hash, EmbeddingBlob.data(from: vector.embedding)])
            }
        }
    }

    public func finishReindex(model: String, dimension: Int) throws {
        try write { db in
            let missing = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM memories m LEFT JOIN reindex_vectors r ON r.memory_id = m.id AND r.hash = m.hash
                WHERE r.memory_id IS NULL
                """) ?? 0
            guard missing == 0 else {
                throw MemoryError.invalid("\(missing) memories have no vector from the new embedder yet; run `engram reindex` again")
            }
            try db.execute(sql: """
                UPDATE memories SET embedding = (SELECT r.embedding FROM reindex_vectors r WHERE r.memory_id = memories.id)
                """)
            let upsert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)")
            try upsert.execute(arguments: [Self.modelKey, model])
            try upsert.execute(arguments: [Self.dimensionKey, String(dimension)])
            try db.execute(sql: "DELETE FROM reindex_vectors")
            try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [Self.reindexModelKey])
        }
        vectorCache.removeAllProjects()
    }

    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw MemoryError.invalid("'\(path)' exists already; a backup is written to a new file")
        }
        do {
            let destination = try DatabaseQueue(path: path)
            try pool.backup(to: destination)
            try destination.close()
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: path)
            throw SQLiteStoreError.translate(error)
        }
    }
}
