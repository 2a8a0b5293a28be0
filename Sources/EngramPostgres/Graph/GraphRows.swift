import EngramCore
import Foundation

/// The column lists graph reads select and how their rows become domain values (the SQLite store's
/// `GraphRows`, over Postgres results).
enum PostgresGraphRows {
    /// Every column of an entity, under alias `e`.
    static let entityColumns = "e.id, e.name, e.type, e.mentions, e.user_id, e.agent_id, e.run_id, e.created_at, e.updated_at"

    /// Every column of a relation with its endpoints' names and types, under aliases `r`, `s`, `t`.
    static let relationColumns = """
        r.id, s.name, s.type, r.relationship, t.name, t.type, r.fact, r.valid_at, r.invalid_at, r.created_at, r.expired_at, \
        r.origin, r.source_id, r.target_id, s.mentions, t.mentions
        """

    /// The joins `relationColumns` needs, after `graph_relations r`.
    static let relationJoinClauses = "JOIN graph_entities s ON s.id = r.source_id JOIN graph_entities t ON t.id = r.target_id"

    /// `graph_relations r` with the joins `relationColumns` needs.
    static let relationJoins = "FROM graph_relations r " + relationJoinClauses

    /// Entities of a result selected with `entityColumns`, with their aliases (byte order, as SQLite).
    static func entities(from result: PostgresResult, _ connection: PostgresConnection) throws -> [GraphEntity] {
        let ids = try (0..<result.rowCount).map { try result.requiredText($0, 0) }
        var aliases: [String: [String]] = [:]
        if !ids.isEmpty {
            let found = try connection.execute(
                "SELECT entity_id, alias FROM graph_aliases WHERE entity_id = ANY($1) ORDER BY alias COLLATE \"C\"", [.textArray(ids)])
            for row in 0..<found.rowCount {
                aliases[try found.requiredText(row, 0), default: []].append(try found.requiredText(row, 1))
            }
        }
        return try (0..<result.rowCount).map { row in
            GraphEntity(
                id: ids[row], name: try result.requiredText(row, 1), type: try result.requiredText(row, 2),
                aliases: aliases[ids[row]] ?? [], mentions: try result.requiredInt(row, 3),
                scope: Scope(stored: result.text(row, 4), agentID: result.text(row, 5), runID: result.text(row, 6)),
                createdAt: try result.requiredDate(row, 7), updatedAt: try result.requiredDate(row, 8))
        }
    }

    /// Relations of a result selected with `relationColumns`, with the memories that state each (oldest
    /// link first, then memory id in byte order, as SQLite).
    static func relations(from result: PostgresResult, _ connection: PostgresConnection, withSources: Bool = true) throws -> [GraphRelation] {
        let ids = try (0..<result.rowCount).map { try result.requiredText($0, 0) }
        let sources = withSources ? try self.sources(of: ids, connection) : [:]
        return try (0..<result.rowCount).map { row in
            guard let origin = GraphRelation.Origin(rawValue: try result.requiredText(row, 11)) else { throw PostgresStoreError.malformedRow }
            return GraphRelation(
                id: ids[row], source: try result.requiredText(row, 1), sourceType: try result.requiredText(row, 2),
                relationship: try result.requiredText(row, 3), target: try result.requiredText(row, 4),
                targetType: try result.requiredText(row, 5), fact: result.text(row, 6), validAt: try result.date(row, 7),
                invalidAt: try result.date(row, 8), createdAt: try result.requiredDate(row, 9), expiredAt: try result.date(row, 10),
                memoryIDs: sources[ids[row]] ?? [], origin: origin, sourceID: try result.requiredText(row, 12),
                targetID: try result.requiredText(row, 13), sourceMentions: try result.requiredInt(row, 14),
                targetMentions: try result.requiredInt(row, 15))
        }
    }

    /// The memories stating each relation, oldest link first (then memory id in byte order, as SQLite).
    static func sources(of ids: [String], _ connection: PostgresConnection) throws -> [String: [String]] {
        var sources: [String: [String]] = [:]
        guard !ids.isEmpty else { return sources }
        let found = try connection.execute(
            """
            SELECT relation_id, memory_id FROM graph_sources WHERE relation_id = ANY($1)
            ORDER BY created_at, memory_id COLLATE "C"
            """, [.textArray(ids)])
        for row in 0..<found.rowCount {
            sources[try found.requiredText(row, 0), default: []].append(try found.requiredText(row, 1))
        }
        return sources
    }

    /// The relation rows (`StoredRelation`) of a result whose first six columns are id, source_id,
    /// relationship, target_id, valid_at, invalid_at.
    static func storedRelation(from result: PostgresResult, row: Int) throws -> StoredRelation {
        StoredRelation(
            id: try result.requiredText(row, 0), sourceID: try result.requiredText(row, 1), relationship: try result.requiredText(row, 2),
            targetID: try result.requiredText(row, 3), validAt: try result.date(row, 4), invalidAt: try result.date(row, 5))
    }
}
