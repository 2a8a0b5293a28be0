import EngramCore
import Foundation

/// The graph primitives inside the store's write transaction (`GraphTransaction`), over the
/// transaction's connection (statements are prepared once per connection). The same rules as the SQLite
/// store's, written for several writers at once (READ COMMITTED, each statement seeing what committed
/// before it):
/// - new entities, aliases, links and sources are inserted with `ON CONFLICT … DO NOTHING`, then the
///   row kept is read, so two adds naming one new entity or stating one relation at once neither fail
///   nor duplicate it (the partial unique index `graph_relations_open` keeps one open relation);
/// - an open relation about to gain a source or to close is locked first (`FOR NO KEY UPDATE`), so a
///   re-statement and a close of the same relation happen one after the other, as in SQLite;
/// - a functional relationship of one source is read under a transaction advisory lock of (source,
///   relationship), so two adds giving it different targets at once still close one of them.
/// A deadlock between two such writers fails one with 40P01, and the store reruns its transaction.
struct PostgresGraphTransaction: GraphTransaction {
    let connection: PostgresConnection

    /// The first key of the advisory locks of functional relationships (the two-key form, apart from
    /// the one-key scope and schema locks).
    static let functionalLockClass: Int64 = 0x656E_6772

    func entity(key: String, project: String, scopeKey: String) throws -> (id: String, type: String)? {
        // One round trip: the key, else an alias.
        let found = try connection.execute(
            """
            (SELECT id, type FROM graph_entities WHERE project = $1 AND scope_key = $2 AND key = $3)
            UNION ALL (SELECT e.id, e.type FROM graph_aliases a JOIN graph_entities e ON e.id = a.entity_id
                       WHERE a.project = $1 AND a.scope_key = $2 AND a.alias = $3)
            LIMIT 1
            """, [.text(project), .text(scopeKey), .text(key)])
        guard found.rowCount > 0 else { return nil }
        return (id: try found.requiredText(0, 0), type: try found.requiredText(0, 1))
    }

    func entities(keys: [String], project: String, scopeKey: String) throws -> [String: (id: String, type: String)] {
        guard !keys.isEmpty else { return [:] }
        // Keys first, then aliases, so a key wins over an alias spelling the same.
        let result = try connection.execute(
            """
            SELECT key, id, type, 0 AS rank FROM graph_entities WHERE project = $1 AND scope_key = $2 AND key = ANY($3)
            UNION ALL SELECT a.alias, e.id, e.type, 1 FROM graph_aliases a JOIN graph_entities e ON e.id = a.entity_id
                WHERE a.project = $1 AND a.scope_key = $2 AND a.alias = ANY($3)
            ORDER BY rank DESC
            """, [.text(project), .text(scopeKey), .textArray(keys)])
        var found: [String: (id: String, type: String)] = [:]
        for row in 0..<result.rowCount {
            found[try result.requiredText(row, 0)] = (id: try result.requiredText(row, 1), type: try result.requiredText(row, 2))
        }
        return found
    }

    func refineType(id: String, type: String) throws {
        try connection.execute("UPDATE graph_entities SET type = $1 WHERE id = $2 AND type = 'entity'", [.text(type), .text(id)])
    }

    func entityKeys(prefix: String, project: String, scopeKey: String, limit: Int) throws -> [(id: String, key: String)] {
        // Byte order, as SQLite compares: the keys from `prefix` up to `prefix` followed by the last code point.
        let result = try connection.execute(
            """
            SELECT id, key FROM graph_entities
            WHERE project = $1 AND scope_key = $2 AND key COLLATE "C" >= $3 AND key COLLATE "C" < $4
            ORDER BY mentions DESC, seq LIMIT $5
            """, [.text(project), .text(scopeKey), .text(prefix), .text(prefix + "\u{10FFFF}"), .int8(limit)])
        return try (0..<result.rowCount).map { (id: try result.requiredText($0, 0), key: try result.requiredText($0, 1)) }
    }

    func upsertEntity(_ entity: NewEntity, project: String, scope: Scope, scopeKey: String) throws -> String {
        let inserted = try connection.execute(
            """
            INSERT INTO graph_entities (id, project, scope_key, user_id, agent_id, run_id, key, name, type, mentions, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10)
            ON CONFLICT (project, scope_key, key) DO NOTHING RETURNING id
            """, [
                .text(entity.id), .text(project), .text(scopeKey), .text(scope.userID), .text(scope.agentID), .text(scope.runID),
                .text(entity.key), .text(entity.name), .text(entity.type), .timestamp(entity.at),
            ])
        if inserted.rowCount > 0 { return try inserted.requiredText(0, 0) }
        // Another writer has it (committed: the insert waited for it), so this statement sees it.
        let existing = try connection.execute(
            "SELECT id FROM graph_entities WHERE project = $1 AND scope_key = $2 AND key = $3",
            [.text(project), .text(scopeKey), .text(entity.key)])
        guard existing.rowCount > 0 else { throw PostgresStoreError.malformedRow }
        return try existing.requiredText(0, 0)
    }

    func addAlias(_ alias: String, entityID: String, project: String, scopeKey: String) throws {
        guard try entity(key: alias, project: project, scopeKey: scopeKey) == nil else { return }
        try connection.execute(
            "INSERT INTO graph_aliases (project, scope_key, alias, entity_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [.text(project), .text(scopeKey), .text(alias), .text(entityID)])
    }

    func setLinks(memoryID: String, entityIDs: [String], replacing: Bool, at time: Date) throws {
        let result = try connection.execute("SELECT entity_id FROM graph_links WHERE memory_id = $1", [.text(memoryID)])
        let current = Set(try (0..<result.rowCount).map { try result.requiredText($0, 0) })
        let removed = replacing ? current.subtracting(entityIDs).sorted() : []
        if !removed.isEmpty {
            try connection.execute(
                """
                WITH gone AS (DELETE FROM graph_links WHERE memory_id = $1 AND entity_id = ANY($2) RETURNING entity_id)
                UPDATE graph_entities SET mentions = mentions - 1 WHERE id IN (SELECT entity_id FROM gone)
                """, [.text(memoryID), .textArray(removed)])
        }
        let added = entityIDs.filter { !current.contains($0) }
        if !added.isEmpty {
            // Only links actually inserted count as mentions.
            try connection.execute(
                """
                WITH new AS (
                    INSERT INTO graph_links (entity_id, memory_id, created_at) SELECT unnest($1::text[]), $2, $3
                    ON CONFLICT DO NOTHING RETURNING entity_id
                )
                UPDATE graph_entities SET mentions = mentions + 1, updated_at = greatest(updated_at, $3)
                WHERE id IN (SELECT entity_id FROM new)
                """, [.textArray(added), .text(memoryID), .timestamp(time)])
        }
    }

    func openRelations(sourceID: String, relationship: String) throws -> [StoredRelation] {
        // Held to the commit: another add giving this source's relationship a target waits, then sees this one.
        try connection.execute(
            "SELECT pg_advisory_xact_lock($1::int4, $2::int4)",
            [.int8(Self.functionalLockClass), .int8(Int64(Self.lockHash(sourceID, relationship)))])
        let result = try connection.execute(
            """
            SELECT id, source_id, relationship, target_id, valid_at, invalid_at FROM graph_relations
            WHERE source_id = $1 AND relationship = $2 AND expired_at IS NULL ORDER BY seq
            """, [.text(sourceID), .text(relationship)])
        return try (0..<result.rowCount).map { try PostgresGraphRows.storedRelation(from: result, row: $0) }
    }

    func stateRelation(_ relation: NewRelation, by memoryID: String, project: String, scope: Scope) throws -> (id: String, inserted: Bool) {
        guard relation.expiredAt == nil else {
            _ = try insert(relation, by: memoryID, project: project, scope: scope, onConflict: "")
            return (relation.id, true)
        }
        // One round trip when it is open already (the usual re-statement): the open row, locked (a writer
        // closing it meanwhile is waited for; a closed one is no match), gains the source in the same
        // statement.
        let stateOpen = """
            WITH open AS (
                SELECT id FROM graph_relations WHERE source_id = $1 AND relationship = $2 AND target_id = $3 AND expired_at IS NULL
                FOR NO KEY UPDATE
            ), source AS (
                INSERT INTO graph_sources (relation_id, memory_id, created_at) SELECT id, $4, $5 FROM open ON CONFLICT DO NOTHING
            )
            SELECT id FROM open
            """
        let key: [PostgresParameter] = [
            .text(relation.sourceID), .text(relation.relationship), .text(relation.targetID), .text(memoryID),
            .timestamp(relation.createdAt),
        ]
        for _ in 0..<3 {
            let existing = try connection.execute(stateOpen, key)
            if existing.rowCount > 0 { return (try existing.requiredText(0, 0), false) }
            let conflict = "ON CONFLICT (source_id, relationship, target_id) WHERE expired_at IS NULL DO NOTHING"
            if try insert(relation, by: memoryID, project: project, scope: scope, onConflict: conflict) { return (relation.id, true) }
            // Another writer opened it first and committed: state that one.
        }
        throw MemoryError.storeUnavailable("The relation changed under concurrent writes; try again")
    }

    /// Inserts the relation row (with `onConflict` after the values) and, when it was inserted, its first
    /// source, in one statement (the foreign key is checked at its end); whether it was inserted.
    private func insert(_ relation: NewRelation, by memoryID: String, project: String, scope: Scope, onConflict: String) throws -> Bool {
        try connection.execute(
            """
            WITH inserted AS (
                INSERT INTO graph_relations (id, project, user_id, agent_id, run_id, source_id, relationship, target_id, fact,
                    valid_at, invalid_at, created_at, expired_at, origin)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \(onConflict) RETURNING id
            ), source AS (
                INSERT INTO graph_sources (relation_id, memory_id, created_at) SELECT id, $15, $12 FROM inserted
            )
            SELECT id FROM inserted
            """, [
                .text(relation.id), .text(project), .text(scope.userID), .text(scope.agentID), .text(scope.runID),
                .text(relation.sourceID), .text(relation.relationship), .text(relation.targetID), .text(relation.fact),
                .timestamp(relation.validAt), .timestamp(relation.invalidAt), .timestamp(relation.createdAt),
                .timestamp(relation.expiredAt), .text(relation.origin.rawValue), .text(memoryID),
            ]).rowCount > 0
    }

    func restateRelation(id: String, by memoryID: String, project: String, at time: Date) throws -> Bool {
        try connection.execute(
            """
            WITH relation AS (SELECT id FROM graph_relations WHERE id = $1 AND project = $2), source AS (
                INSERT INTO graph_sources (relation_id, memory_id, created_at) SELECT id, $3, $4 FROM relation ON CONFLICT DO NOTHING
            )
            SELECT id FROM relation
            """, [.text(id), .text(project), .text(memoryID), .timestamp(time)]).rowCount > 0
    }

    func removeSource(relationID: String, memoryID: String) throws {
        try connection.execute("DELETE FROM graph_sources WHERE relation_id = $1 AND memory_id = $2", [.text(relationID), .text(memoryID)])
    }

    func close(relationID: String, invalidAt: Date, expiredAt: Date) throws {
        // `least` ignores a NULL: an earlier end is kept, a missing one set.
        try connection.execute(
            "UPDATE graph_relations SET invalid_at = least(invalid_at, $1), expired_at = $2 WHERE id = $3 AND expired_at IS NULL",
            [.timestamp(invalidAt), .timestamp(expiredAt), .text(relationID)])
    }

    func openRelations(statedBy memoryID: String) throws -> [(relation: StoredRelation, otherwiseSupported: Bool)] {
        // Lock them first, so a concurrent re-statement commits (or waits) before their support is read.
        let locked = try connection.execute(
            """
            SELECT r.id FROM graph_sources s JOIN graph_relations r ON r.id = s.relation_id
            WHERE s.memory_id = $1 AND r.expired_at IS NULL ORDER BY r.seq FOR NO KEY UPDATE OF r
            """, [.text(memoryID)])
        guard locked.rowCount > 0 else { return [] }
        let result = try connection.execute(
            """
            SELECT r.id, r.source_id, r.relationship, r.target_id, r.valid_at, r.invalid_at,
                EXISTS (SELECT 1 FROM graph_sources o JOIN memories m ON m.id = o.memory_id AND m.project = r.project
                        WHERE o.relation_id = r.id AND o.memory_id <> s.memory_id AND m.state = 'active')
            FROM graph_sources s JOIN graph_relations r ON r.id = s.relation_id
            WHERE s.memory_id = $1 AND r.expired_at IS NULL
            ORDER BY r.seq
            """, [.text(memoryID)])
        return try (0..<result.rowCount).map { row in
            (try PostgresGraphRows.storedRelation(from: result, row: row), try result.bool(row, 6))
        }
    }

    func forget(memoryID: String) throws {
        let stated = try connection.execute("DELETE FROM graph_sources WHERE memory_id = $1 RETURNING relation_id", [.text(memoryID)])
        let relationIDs = try (0..<stated.rowCount).map { try stated.requiredText($0, 0) }
        if !relationIDs.isEmpty {
            try connection.execute(
                """
                DELETE FROM graph_relations r WHERE r.id = ANY($1)
                    AND NOT EXISTS (SELECT 1 FROM graph_sources o WHERE o.relation_id = r.id)
                """, [.textArray(relationIDs)])
        }
        let links = try connection.execute("SELECT entity_id FROM graph_links WHERE memory_id = $1", [.text(memoryID)])
        let entityIDs = try (0..<links.rowCount).map { try links.requiredText($0, 0) }
        try setLinks(memoryID: memoryID, entityIDs: [], replacing: true, at: Date())
        if !entityIDs.isEmpty {
            try connection.execute(
                """
                DELETE FROM graph_entities e WHERE e.id = ANY($1) AND e.mentions <= 0
                    AND NOT EXISTS (SELECT 1 FROM graph_relations r WHERE r.source_id = e.id OR r.target_id = e.id)
                """, [.textArray(entityIDs)])
        }
    }

    func deleteRelations(ids: [String], project: String) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let result = try connection.execute(
            "DELETE FROM graph_relations WHERE id = ANY($1) AND project = $2 RETURNING id", [.textArray(ids), .text(project)])
        var existed = Set(try (0..<result.rowCount).map { try result.requiredText($0, 0) })
        // In the order asked, each once.
        return ids.filter { existed.remove($0) != nil }
    }

    func relations(ids: [String]) throws -> [GraphRelation] {
        guard !ids.isEmpty else { return [] }
        let result = try connection.execute(
            "SELECT \(PostgresGraphRows.relationColumns) \(PostgresGraphRows.relationJoins) WHERE r.id = ANY($1)", [.textArray(ids)])
        let found = try PostgresGraphRows.relations(from: result, connection)
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    /// FNV-1a (32-bit) of source id, a NUL and relationship, as a signed 32-bit lock key.
    static func lockHash(_ sourceID: String, _ relationship: String) -> Int32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in Array(sourceID.utf8) + [0] + Array(relationship.utf8) {
            hash = (hash ^ UInt32(byte)) &* 0x0100_0193
        }
        return Int32(bitPattern: hash)
    }
}
