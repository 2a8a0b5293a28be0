import EngramCore
import Foundation

/// The graph reads, as the SQLite store answers them. Reads of a count and a page, or of rows and
/// their aliases or sources, run in one read-only snapshot.
extension PostgresMemoryStore {
    /// The entities of `project` known by one of `keys` (key or alias) whose scope has the scope ids
    /// `scope` pins, oldest first, at most `limit`.
    public func graphEntities(keys: [String], project: String, scope: [(field: MemoryField, value: String)], limit: Int) throws -> [GraphEntity] {
        let keys = Array(Set(keys)).sorted()
        guard !keys.isEmpty, limit > 0 else { return [] }
        var query = BoundQuery()
        let projectValue = query.bind(.text(project))
        let list = query.bind(.textArray(keys))
        var condition = """
            e.project = \(projectValue) AND (e.key = ANY(\(list)) \
            OR e.id IN (SELECT entity_id FROM graph_aliases WHERE project = \(projectValue) AND alias = ANY(\(list))))
            """
        for (field, value) in scope where [.userID, .agentID, .runID].contains(field) {
            condition += " AND e.\(field.rawValue) = \(query.bind(.text(value)))"
        }
        let count = query.bind(.int8(limit))
        let scopeKeys = ReadRouter.keys(of: .and(scope.map { Filter.compare(.field($0.field), .eq, .string($0.value)) }))
        return try readSnapshot(project: project, keys: scopeKeys) { connection in
            let result = try connection.execute(
                "SELECT \(PostgresGraphRows.entityColumns) FROM graph_entities e WHERE \(condition) ORDER BY e.seq LIMIT \(count)",
                query.parameters)
            return try PostgresGraphRows.entities(from: result, connection)
        }
    }

    /// The relations touching any of `entityIDs` that held at `asOf` (the open ones when nil), with
    /// `typedOnly` not `related_to` ones, newest first, at most `limit`.
    public func graphRelations(touching entityIDs: [String], project: String, asOf: Date?, typedOnly: Bool, limit: Int) throws -> [GraphRelation] {
        guard !entityIDs.isEmpty, limit > 0 else { return [] }
        var query = BoundQuery()
        let projectValue = query.bind(.text(project))
        let list = query.bind(.textArray(entityIDs))
        let time = Self.relationTimeCondition(asOf: asOf, includeHistory: false, into: &query)
        let typed = typedOnly ? "AND r.relationship <> \(query.bind(.text(GraphVocabulary.coOccurrence)))" : ""
        let count = query.bind(.int8(limit))
        return try readSnapshot(project: project, keys: nil) { connection in
            let result = try connection.execute(
                """
                SELECT \(PostgresGraphRows.relationColumns) \(PostgresGraphRows.relationJoins)
                WHERE r.project = \(projectValue) AND (r.source_id = ANY(\(list)) OR r.target_id = ANY(\(list))) AND \(time) \(typed)
                ORDER BY r.created_at DESC, r.seq DESC LIMIT \(count)
                """, query.parameters)
            return try PostgresGraphRows.relations(from: result, connection, withSources: false)
        }
    }

    /// The links of `entityIDs` to memories matching `filter` and `visibility`, the newest
    /// `limitPerEntity` links of each (by the link's `created_at`), one index walk per entity.
    public func graphLinks(entityIDs: [String], project: String, filter: Filter, visibility: Visibility, limitPerEntity: Int) throws -> [EntityLink] {
        guard !entityIDs.isEmpty, limitPerEntity > 0 else { return [] }
        var query = BoundQuery()
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility, into: &query)
        let list = query.bind(.textArray(entityIDs))
        let count = query.bind(.int8(limitPerEntity))
        return try read(project: project, keys: ReadRouter.keys(of: filter)) { connection in
            let result = try connection.execute(
                """
                SELECT e.id, newest.memory_id FROM unnest(\(list)::text[]) AS e (id) CROSS JOIN LATERAL (
                    SELECT l.memory_id FROM graph_links l JOIN memories m ON m.id = l.memory_id
                    WHERE l.entity_id = e.id AND \(condition) ORDER BY l.created_at DESC LIMIT \(count)
                ) AS newest
                """, query.parameters)
            return try (0..<result.rowCount).map {
                EntityLink(entityID: try result.requiredText($0, 0), memoryID: try result.requiredText($0, 1))
            }
        }
    }

    /// The memories stating each of `relationIDs` in `project`, oldest first.
    public func graphSources(relationIDs: [String], project: String) throws -> [String: [String]] {
        guard !relationIDs.isEmpty else { return [:] }
        return try readSnapshot(project: project, keys: nil) { connection in
            let found = try connection.execute(
                "SELECT id FROM graph_relations WHERE project = $1 AND id = ANY($2)", [.text(project), .textArray(relationIDs)])
            let inProject = Set(try (0..<found.rowCount).map { try found.requiredText($0, 0) })
            return try PostgresGraphRows.sources(of: relationIDs.filter(inProject.contains), connection)
        }
    }

    /// The links between any of `entityIDs` and any of `memoryIDs` in `project`.
    public func graphLinks(entityIDs: [String], memoryIDs: [String], project: String) throws -> [EntityLink] {
        guard !entityIDs.isEmpty, !memoryIDs.isEmpty else { return [] }
        return try read(project: project, keys: nil) { connection in
            let result = try connection.execute(
                """
                SELECT l.entity_id, l.memory_id FROM graph_links l JOIN graph_entities e ON e.id = l.entity_id
                WHERE l.entity_id = ANY($1) AND l.memory_id = ANY($2) AND e.project = $3
                """, [.textArray(entityIDs), .textArray(memoryIDs), .text(project)])
            return try (0..<result.rowCount).map {
                EntityLink(entityID: try result.requiredText($0, 0), memoryID: try result.requiredText($0, 1))
            }
        }
    }

    /// A page of the entities mentioned by memories matching `filter` (any state), most mentioned first.
    public func graphEntities(project: String, filter: Filter, asOf: Date?, page: Int, pageSize: Int) throws -> Page<GraphEntity> {
        var query = BoundQuery()
        let projectValue = query.bind(.text(project))
        let memories = try memoryCondition(project: project, filter: filter, visibility: .held(at: asOf), into: &query)
        let condition = """
            e.project = \(projectValue) AND EXISTS (SELECT 1 FROM graph_links l JOIN memories m ON m.id = l.memory_id \
            WHERE l.entity_id = e.id AND \(memories))
            """
        return try self.page(
            PostgresGraphRows.entityColumns, from: "graph_entities e", where: condition, order: "e.mentions DESC, e.seq", query: query,
            page: page, pageSize: pageSize, project: project, keys: ReadRouter.keys(of: filter), decode: PostgresGraphRows.entities)
    }

    /// A page of the relations stated by memories matching `filter` (any state), newest first, of an
    /// endpoint known by `query.entityKey` (key or alias) when given, that held at `query.asOf` when
    /// given, else the open ones (all with `includeHistory`).
    public func graphRelations(project: String, filter: Filter, query relationQuery: RelationQuery, page: Int, pageSize: Int) throws -> Page<GraphRelation> {
        var query = BoundQuery()
        let projectValue = query.bind(.text(project))
        let memories = try memoryCondition(project: project, filter: filter, visibility: nil, into: &query)
        var condition = """
            r.project = \(projectValue) AND EXISTS (SELECT 1 FROM graph_sources gs JOIN memories m ON m.id = gs.memory_id \
            WHERE gs.relation_id = r.id AND \(memories))
            """
        condition += " AND " + Self.relationTimeCondition(asOf: relationQuery.asOf, includeHistory: relationQuery.includeHistory, into: &query)
        if let key = relationQuery.entityKey {
            let keyValue = query.bind(.text(key))
            let known = """
                (SELECT id FROM graph_entities WHERE project = \(projectValue) AND key = \(keyValue) \
                UNION SELECT entity_id FROM graph_aliases WHERE project = \(projectValue) AND alias = \(keyValue))
                """
            condition += " AND (r.source_id IN \(known) OR r.target_id IN \(known))"
        }
        return try self.page(
            PostgresGraphRows.relationColumns, from: "graph_relations r", joins: PostgresGraphRows.relationJoinClauses, where: condition,
            order: "r.created_at DESC, r.seq DESC", query: query, page: page, pageSize: pageSize, project: project,
            keys: ReadRouter.keys(of: filter)
        ) { result, connection in try PostgresGraphRows.relations(from: result, connection) }
    }

    /// The relation with this id in `project`.
    public func graphRelation(id: String, project: String) throws -> GraphRelation? {
        try readSnapshot(project: project, keys: nil) { connection in
            let result = try connection.execute(
                "SELECT \(PostgresGraphRows.relationColumns) \(PostgresGraphRows.relationJoins) WHERE r.id = $1 AND r.project = $2",
                [.text(id), .text(project)])
            return try PostgresGraphRows.relations(from: result, connection).first
        }
    }

    /// Relations that held at `asOf` (valid time); else the open ones, or all with `includeHistory`.
    static func relationTimeCondition(asOf: Date?, includeHistory: Bool, into query: inout BoundQuery) -> String {
        if let asOf {
            let time = query.bind(.timestamp(asOf))
            return "(r.valid_at IS NULL OR r.valid_at <= \(time)) AND (r.invalid_at IS NULL OR r.invalid_at > \(time))"
        }
        return includeHistory ? "TRUE" : "r.expired_at IS NULL"
    }
}
