import EngramCore
import Foundation
import GRDB

/// The graph primitives inside the store's write transaction (`GraphTransaction`); statements are
/// cached on the connection.
struct SQLiteGraphTransaction: GraphTransaction {
    let db: Database

    private func statement(_ sql: String) throws -> Statement { try db.cachedStatement(sql: sql) }

    func entity(key: String, project: String, scopeKey: String) throws -> (id: String, type: String)? {
        let row = try Row.fetchOne(
            statement("""
                SELECT id, type FROM graph_entities WHERE project = ?1 AND scope_key = ?2 AND key = ?3
                UNION ALL SELECT e.id, e.type FROM graph_aliases a JOIN graph_entities e ON e.id = a.entity_id
                    WHERE a.project = ?1 AND a.scope_key = ?2 AND a.alias = ?3
                LIMIT 1
                """),
            arguments: [project, scopeKey, key])
        return row.map { (id: $0[0], type: $0[1]) }
    }

    func entities(keys: [String], project: String, scopeKey: String) throws -> [String: (id: String, type: String)] {
        var found: [String: (id: String, type: String)] = [:]
        for key in keys {
            if let entity = try entity(key: key, project: project, scopeKey: scopeKey) { found[key] = entity }
        }
        return found
    }

    func refineType(id: String, type: String) throws {
        try statement("UPDATE graph_entities SET type = ? WHERE id = ? AND type = 'entity'").execute(arguments: [type, id])
    }

    func entityKeys(prefix: String, project: String, scopeKey: String, limit: Int) throws -> [(id: String, key: String)] {
        let rows = try Row.fetchAll(
            statement("""
                SELECT id, key FROM graph_entities WHERE project = ? AND scope_key = ? AND key >= ? AND key < ?
                ORDER BY mentions DESC, seq LIMIT ?
                """),
            arguments: [project, scopeKey, prefix, prefix + "\u{10FFFF}", limit])
        return rows.map { (id: $0[0], key: $0[1]) }
    }

    func upsertEntity(_ entity: NewEntity, project: String, scope: Scope, scopeKey: String) throws -> String {
        let time = StoredTime.string(from: entity.at)
        try statement("""
            INSERT INTO graph_entities (id, project, scope_key, user_id, agent_id, run_id, key, name, type, mentions, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            ON CONFLICT (project, scope_key, key) DO NOTHING
            """).execute(arguments: [
                entity.id, project, scopeKey, scope.userID, scope.agentID, scope.runID, entity.key, entity.name, entity.type,
                time, time,
            ])
        guard let id = try String.fetchOne(
            statement("SELECT id FROM graph_entities WHERE project = ? AND scope_key = ? AND key = ?"),
            arguments: [project, scopeKey, entity.key])
        else { throw StoredRows.malformed }
        return id
    }

    func addAlias(_ alias: String, entityID: String, project: String, scopeKey: String) throws {
        guard try entity(key: alias, project: project, scopeKey: scopeKey) == nil else { return }
        try statement("INSERT OR IGNORE INTO graph_aliases (project, scope_key, alias, entity_id) VALUES (?, ?, ?, ?)")
            .execute(arguments: [project, scopeKey, alias, entityID])
    }

    func setLinks(memoryID: String, entityIDs: [String], replacing: Bool, at time: Date) throws {
        let current = Set(try String.fetchAll(statement("SELECT entity_id FROM graph_links WHERE memory_id = ?"), arguments: [memoryID]))
        let stamp = StoredTime.string(from: time)
        for id in replacing ? current.subtracting(entityIDs) : [] {
            try statement("DELETE FROM graph_links WHERE entity_id = ? AND memory_id = ?").execute(arguments: [id, memoryID])
            try statement("UPDATE graph_entities SET mentions = mentions - 1 WHERE id = ?").execute(arguments: [id])
        }
        for id in entityIDs where !current.contains(id) {
            try statement("INSERT INTO graph_links (entity_id, memory_id, created_at) VALUES (?, ?, ?)").execute(arguments: [id, memoryID, stamp])
            try statement("UPDATE graph_entities SET mentions = mentions + 1, updated_at = max(updated_at, ?) WHERE id = ?")
                .execute(arguments: [stamp, id])
        }
    }

    func openRelations(sourceID: String, relationship: String) throws -> [StoredRelation] {
        try Row.fetchAll(
            statement("""
                SELECT id, source_id, relationship, target_id, valid_at, invalid_at FROM graph_relations
                WHERE source_id = ? AND relationship = ? AND expired_at IS NULL
                """),
            arguments: [sourceID, relationship]
        ).map(Self.storedRelation)
    }

    func stateRelation(_ relation: NewRelation, by memoryID: String, project: String, scope: Scope) throws -> (id: String, inserted: Bool) {
        if relation.expiredAt == nil, let existing = try String.fetchOne(
            statement("SELECT id FROM graph_relations WHERE source_id = ? AND relationship = ? AND target_id = ? AND expired_at IS NULL"),
            arguments: [relation.sourceID, relation.relationship, relation.targetID]) {
            try addSource(relationID: existing, memoryID: memoryID, at: relation.createdAt)
            return (existing, false)
        }
        try statement("""
            INSERT INTO graph_relations (id, project, user_id, agent_id, run_id, source_id, relationship, target_id, fact,
                valid_at, invalid_at, created_at, expired_at, origin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                relation.id, project, scope.userID, scope.agentID, scope.runID, relation.sourceID, relation.relationship,
                relation.targetID, relation.fact, relation.validAt.map(StoredTime.string(from:)),
                relation.invalidAt.map(StoredTime.string(from:)), StoredTime.string(from: relation.createdAt),
                relation.expiredAt.map(StoredTime.string(from:)), relation.origin.rawValue,
            ])
        try addSource(relationID: relation.id, memoryID: memoryID, at: relation.createdAt)
        return (relation.id, true)
    }

    private func addSource(relationID: String, memoryID: String, at time: Date) throws {
        try statement("INSERT OR IGNORE INTO graph_sources (relation_id, memory_id, created_at) VALUES (?, ?, ?)")
            .execute(arguments: [relationID, memoryID, StoredTime.string(from: time)])
    }

    func restateRelation(id: String, by memoryID: String, project: String, at time: Date) throws -> Bool {
        guard try String.fetchOne(statement("SELECT id FROM graph_relations WHERE id = ? AND project = ?"), arguments: [id, project]) != nil
        else { return false }
        try addSource(relationID: id, memoryID: memoryID, at: time)
        return true
    }

    func removeSource(relationID: String, memoryID: String) throws {
        try statement("DELETE FROM graph_sources WHERE relation_id = ? AND memory_id = ?").execute(arguments: [relationID, memoryID])
    }

    func close(relationID: String, invalidAt: Date, expiredAt: Date) throws {
        let invalid = StoredTime.string(from: invalidAt)
        try statement("""
            UPDATE graph_relations SET invalid_at = CASE WHEN invalid_at IS NOT NULL AND invalid_at < ? THEN invalid_at ELSE ? END,
                expired_at = ? WHERE id = ? AND expired_at IS NULL
            """).execute(arguments: [invalid, invalid, StoredTime.string(from: expiredAt), relationID])
    }

    func openRelations(statedBy memoryID: String) throws -> [(relation: StoredRelation, otherwiseSupported: Bool)] {
        try Row.fetchAll(
            statement("""
                SELECT r.id, r.source_id, r.relationship, r.target_id, r.valid_at, r.invalid_at,
                    EXISTS (SELECT 1 FROM graph_sources o JOIN memories m ON m.id = o.memory_id
                            WHERE o.relation_id = r.id AND o.memory_id <> s.memory_id AND m.state = 'active')
                FROM graph_sources s JOIN graph_relations r ON r.id = s.relation_id
                WHERE s.memory_id = ? AND r.expired_at IS NULL
                ORDER BY r.seq
                """),
            arguments: [memoryID]
        ).map { row in (Self.storedRelation(row), row[6]) }
    }

    func forget(memoryID: String) throws {
        let relationIDs = try String.fetchAll(statement("SELECT relation_id FROM graph_sources WHERE memory_id = ?"), arguments: [memoryID])
        try statement("DELETE FROM graph_sources WHERE memory_id = ?").execute(arguments: [memoryID])
        for id in relationIDs {
            try statement("DELETE FROM graph_relations WHERE id = ? AND NOT EXISTS (SELECT 1 FROM graph_sources WHERE relation_id = ?)")
                .execute(arguments: [id, id])
        }
        let entityIDs = try String.fetchAll(statement("SELECT entity_id FROM graph_links WHERE memory_id = ?"), arguments: [memoryID])
        try setLinks(memoryID: memoryID, entityIDs: [], replacing: true, at: Date())
        for id in entityIDs {
            try statement("""
                DELETE FROM graph_entities WHERE id = ?1 AND mentions <= 0
                    AND NOT EXISTS (SELECT 1 FROM graph_relations WHERE source_id = ?1 OR target_id = ?1)
                """).execute(arguments: [id])
        }
    }

    func deleteRelations(ids: [String], project: String) throws -> [String] {
        var deleted: [String] = []
        for id in ids {
            try statement("DELETE FROM graph_relations WHERE id = ? AND project = ?").execute(arguments: [id, project])
            if db.changesCount > 0 { deleted.append(id) }
        }
        return deleted
    }

    func relations(ids: [String]) throws -> [GraphRelation] {
        guard !ids.isEmpty else { return [] }
        let select = try statement(
            "SELECT \(GraphRows.relationColumns) \(GraphRows.relationJoins) WHERE r.id IN (SELECT value FROM json_each(?))")
        let rows = try Row.fetchAll(select, arguments: [GraphRows.jsonList(ids)])
        let byID = Dictionary(try GraphRows.relations(from: rows, db).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    private static func storedRelation(_ row: Row) -> StoredRelation {
        StoredRelation(
            id: row[0], sourceID: row[1], relationship: row[2], targetID: row[3],
            validAt: (row[4] as String?).flatMap(StoredTime.date(from:)), invalidAt: (row[5] as String?).flatMap(StoredTime.date(from:)))
    }
}
