import EngramCore
import Foundation
import GRDB

/// The column lists graph reads select and how their rows become domain values.
enum GraphRows {
    /// Every column of an entity, under alias `e`.
    static let entityColumns = "e.id, e.name, e.type, e.mentions, e.user_id, e.agent_id, e.run_id, e.created_at, e.updated_at"

    /// Every column of a relation with its endpoints' names and types, under aliases `r`, `s`, `t`.
    static let relationColumns = """
        r.id, s.name, s.type, r.relationship, t.name, t.type, r.fact, r.valid_at, r.invalid_at, r.created_at, r.expired_at,
        r.origin, r.source_id, r.target_id, s.mentions, t.mentions
        """

    /// The joins `relationColumns` needs, after `graph_relations r`.
    static let relationJoinClauses = "JOIN graph_entities s ON s.id = r.source_id JOIN graph_entities t ON t.id = r.target_id"

    /// `graph_relations r` with the joins `relationColumns` needs.
    static let relationJoins = "FROM graph_relations r " + relationJoinClauses

    /// Entities of rows selected with `entityColumns`, with their aliases.
    static func entities(from rows: [Row], _ db: Database) throws -> [GraphEntity] {
        let ids: [String] = rows.map { $0[0] }
        var aliases: [String: [String]] = [:]
        if !ids.isEmpty {
            let select = try db.cachedStatement(
                sql: "SELECT entity_id, alias FROM graph_aliases WHERE entity_id IN (SELECT value FROM json_each(?)) ORDER BY alias")
            for row in try Row.fetchAll(select, arguments: [jsonList(ids)]) {
                aliases[row[0], default: []].append(row[1])
            }
        }
        return try rows.map { row in
            GraphEntity(
                id: row[0], name: row[1], type: row[2], aliases: aliases[row[0]] ?? [], mentions: row[3],
                scope: Scope(stored: row[4], agentID: row[5], runID: row[6]),
                createdAt: try StoredRows.date(row[7]), updatedAt: try StoredRows.date(row[8]))
        }
    }

    /// Relations of rows selected with `relationColumns`, with the memories that state each unless
    /// `withSources` is false.
    static func relations(from rows: [Row], _ db: Database, withSources: Bool = true) throws -> [GraphRelation] {
        let sources = withSources ? try self.sources(of: rows.map { $0[0] }, db) : [:]
        return try rows.map { row in
            guard let origin = GraphRelation.Origin(rawValue: row[11]) else { throw StoredRows.malformed }
            return GraphRelation(
                id: row[0], source: row[1], sourceType: row[2], relationship: row[3], target: row[4], targetType: row[5],
                fact: row[6], validAt: try optionalDate(row[7]), invalidAt: try optionalDate(row[8]),
                createdAt: try StoredRows.date(row[9]), expiredAt: try optionalDate(row[10]), memoryIDs: sources[row[0]] ?? [],
                origin: origin, sourceID: row[12], targetID: row[13], sourceMentions: row[14], targetMentions: row[15])
        }
    }

    /// The memories stating each relation, oldest link first.
    static func sources(of ids: [String], _ db: Database) throws -> [String: [String]] {
        var sources: [String: [String]] = [:]
        guard !ids.isEmpty else { return sources }
        let select = try db.cachedStatement(sql: """
            SELECT relation_id, memory_id FROM graph_sources WHERE relation_id IN (SELECT value FROM json_each(?))
            ORDER BY created_at, memory_id
            """)
        for row in try Row.fetchAll(select, arguments: [jsonList(ids)]) {
            sources[row[0], default: []].append(row[1])
        }
        return sources
    }

    /// Strings as one JSON array, for `json_each` (a list bound as a single value).
    static func jsonList(_ values: [String]) -> String {
        let data = (try? JSONEncoder().encode(values)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func optionalDate(_ text: String?) throws -> Date? {
        try text.map(StoredRows.date)
    }
}
