import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    // The graph reads of a search pass their lists as one JSON array (`json_each`), so each statement's
    // text is fixed and prepared once per connection; name lookups and relation walks are unions of
    // indexed lookups rather than ORs, which SQLite would answer by scanning the table.

    public func graphEntities(keys: [String], project: String, scope: [(field: MemoryField, value: String)], limit: Int) throws -> [GraphEntity] {
        let keys = Array(Set(keys)).sorted()
        guard !keys.isEmpty, limit > 0 else { return [] }
        func pinned(_ field: MemoryField) -> DatabaseValue { scope.first { $0.field == field }?.value.databaseValue ?? .null }
        return try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT \(GraphRows.entityColumns) FROM graph_entities e WHERE e.id IN (
                    SELECT id FROM graph_entities WHERE project = ?1 AND key IN (SELECT value FROM json_each(?2))
                    UNION SELECT entity_id FROM graph_aliases INDEXED BY graph_aliases_alias
                        WHERE project = ?1 AND alias IN (SELECT value FROM json_each(?2))
                ) AND (?3 IS NULL OR e.user_id = ?3) AND (?4 IS NULL OR e.agent_id = ?4) AND (?5 IS NULL OR e.run_id = ?5)
                ORDER BY e.seq LIMIT ?6
                """)
            let arguments: StatementArguments = [
                project, GraphRows.jsonList(keys), pinned(.userID), pinned(.agentID), pinned(.runID), limit,
            ]
            return try GraphRows.entities(from: Row.fetchAll(select, arguments: arguments), db)
        }
    }

    public func graphRelations(touching entityIDs: [String], project: String, asOf: Date?, typedOnly: Bool, limit: Int) throws -> [GraphRelation] {
        guard !entityIDs.isEmpty, limit > 0 else { return [] }
        return try read { db in
            // The inner lookups read the (source_id, relationship) and (target_id, relationship) indexes
            // alone (their entries carry the seq), so a hub's `related_to` rows are skipped unread.
            let select = try db.cachedStatement(sql: """
                SELECT \(GraphRows.relationColumns) \(GraphRows.relationJoins) WHERE r.seq IN (
                    SELECT seq FROM graph_relations WHERE source_id IN (SELECT value FROM json_each(?1))
                        AND (?3 IS NULL OR relationship <> ?3)
                    UNION SELECT seq FROM graph_relations WHERE target_id IN (SELECT value FROM json_each(?1))
                        AND (?3 IS NULL OR relationship <> ?3)
                ) AND +r.project = ?2 AND CASE WHEN ?5 IS NULL THEN r.expired_at IS NULL
                    ELSE (r.valid_at IS NULL OR r.valid_at <= ?5) AND (r.invalid_at IS NULL OR r.invalid_at > ?5) END
                ORDER BY r.created_at DESC, r.seq DESC LIMIT ?4
                """)
            let arguments: StatementArguments = [
                GraphRows.jsonList(entityIDs), project, typedOnly ? GraphVocabulary.coOccurrence : nil, limit,
                asOf.map(StoredTime.string(from:)),
            ]
            return try GraphRows.relations(from: Row.fetchAll(select, arguments: arguments), db, withSources: false)
        }
    }

    public func graphSources(relationIDs: [String], project: String) throws -> [String: [String]] {
        guard !relationIDs.isEmpty else { return [:] }
        return try read { db in
            let select = try db.cachedStatement(
                sql: "SELECT id FROM graph_relations WHERE +project = ? AND id IN (SELECT value FROM json_each(?))")
            let inProject = Set(try String.fetchAll(select, arguments: [project, GraphRows.jsonList(relationIDs)]))
            return try GraphRows.sources(of: relationIDs.filter(inProject.contains), db)
        }
    }

    /// One indexed query per entity, walking its newest links until `limitPerEntity` match.
    public func graphLinks(entityIDs: [String], project: String, filter: Filter, visibility: Visibility, limitPerEntity: Int) throws -> [EntityLink] {
        guard !entityIDs.isEmpty, limitPerEntity > 0 else { return [] }
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility)
        let sql = """
            SELECT l.memory_id FROM graph_links l INDEXED BY graph_links_entity_created JOIN memories m ON m.id = l.memory_id
            WHERE l.entity_id = ? AND \(condition.sql) ORDER BY l.created_at DESC LIMIT ?
            """
        return try read { db in
            let select = try statement(db, sql, cached: FilterCompiler.hasBoundedShape(filter))
            var links: [EntityLink] = []
            for id in entityIDs {
                let arguments = StatementArguments([id.databaseValue] + condition.arguments + [limitPerEntity.databaseValue])
                links += try String.fetchAll(select, arguments: arguments).map { EntityLink(entityID: id, memoryID: $0) }
            }
            return links
        }
    }

    /// Read by memory (a few links each): the entities may be many, hubs among them.
    public func graphLinks(entityIDs: [String], memoryIDs: [String], project: String) throws -> [EntityLink] {
        guard !entityIDs.isEmpty, !memoryIDs.isEmpty else { return [] }
        return try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT l.entity_id, l.memory_id FROM graph_links l INDEXED BY graph_links_memory
                JOIN graph_entities e ON e.id = l.entity_id
                WHERE l.memory_id IN (SELECT value FROM json_each(?1)) AND l.entity_id IN (SELECT value FROM json_each(?2))
                    AND e.project = ?3
                """)
            return try Row.fetchAll(select, arguments: [GraphRows.jsonList(memoryIDs), GraphRows.jsonList(entityIDs), project])
                .map { EntityLink(entityID: $0[0], memoryID: $0[1]) }
        }
    }

    public func graphEntities(project: String, filter: Filter, asOf: Date?, page: Int, pageSize: Int) throws -> Page<GraphEntity> {
        let memories = try memoryCondition(project: project, filter: filter, visibility: .held(at: asOf))
        let condition = SQLFragment("e.project = ? AND EXISTS (SELECT 1 FROM graph_links l JOIN memories m ON m.id = l.memory_id WHERE l.entity_id = e.id AND ", [project.databaseValue])
            .appending("", memories).appending("", SQLFragment(")"))
        return try self.page(
            GraphRows.entityColumns, from: "graph_entities e", where: condition, order: "e.mentions DESC, e.seq",
            cached: FilterCompiler.hasBoundedShape(filter), page: page, pageSize: pageSize, decode: GraphRows.entities)
    }

    public func graphRelations(project: String, filter: Filter, query: RelationQuery, page: Int, pageSize: Int) throws -> Page<GraphRelation> {
        let memories = try memoryCondition(project: project, filter: filter, visibility: nil)
        var condition = SQLFragment(
            "r.project = ? AND EXISTS (SELECT 1 FROM graph_sources gs JOIN memories m ON m.id = gs.memory_id WHERE gs.relation_id = r.id AND ",
            [project.databaseValue]).appending("", memories).appending("", SQLFragment(")"))
        condition = condition.appending(" AND ", Self.relationTimeCondition(asOf: query.asOf, includeHistory: query.includeHistory))
        if let key = query.entityKey {
            let known = SQLFragment(
                "(SELECT id FROM graph_entities WHERE project = ? AND key = ? UNION SELECT entity_id FROM graph_aliases WHERE project = ? AND alias = ?)",
                [project.databaseValue, key.databaseValue, project.databaseValue, key.databaseValue])
            condition = condition.appending(" AND ", SQLFragment("(r.source_id IN ").appending("", known)
                .appending(" OR r.target_id IN ", known).appending("", SQLFragment(")")))
        }
        return try self.page(
            GraphRows.relationColumns, from: "graph_relations r", joins: GraphRows.relationJoinClauses, where: condition,
            order: "r.created_at DESC, r.seq DESC", cached: FilterCompiler.hasBoundedShape(filter), page: page, pageSize: pageSize
        ) { rows, db in try GraphRows.relations(from: rows, db) }
    }

    public func graphRelation(id: String, project: String) throws -> GraphRelation? {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(GraphRows.relationColumns) \(GraphRows.relationJoins) WHERE r.id = ? AND r.project = ?",
                arguments: [id, project])
            return try GraphRows.relations(from: rows, db).first
        }
    }

    /// Relations that held at `asOf` (valid time); else the open ones, or all with `includeHistory`.
    static func relationTimeCondition(asOf: Date?, includeHistory: Bool) -> SQLFragment {
        if let asOf {
            let time = StoredTime.string(from: asOf).databaseValue
            return SQLFragment("(r.valid_at IS NULL OR r.valid_at <= ?) AND (r.invalid_at IS NULL OR r.invalid_at > ?)", [time, time])
        }
        return SQLFragment(includeHistory ? "1" : "r.expired_at IS NULL")
    }
}
