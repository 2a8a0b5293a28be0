import EngramCore
import GRDB

extension SQLiteMemoryStore {
    /// The memory with this id in `project`, whatever its state or expiry.
    public func memory(id: String, project: String) throws -> Memory? {
        try read { db in
            let select = try db.cachedStatement(sql: "SELECT \(StoredRows.memoryColumns) FROM memories m WHERE m.id = ? AND m.project = ?")
            return try Row.fetchOne(select, arguments: [id, project]).map { try StoredRows.memory(from: $0) }
        }
    }

    /// The memories of `project` matching `filter` and `visibility`, newest first (`created_at`, then
    /// `id`, descending), with the total number of matches. The count and the page come from one snapshot.
    public func list(project: String, filter: Filter, visibility: Visibility, page: Int, pageSize: Int) throws -> Page<Memory> {
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility)
        return try self.page(
            StoredRows.memoryColumns, from: "memories m", where: condition, order: "m.created_at DESC, m.id DESC",
            cached: FilterCompiler.hasBoundedShape(filter), page: page, pageSize: pageSize
        ) { rows, _ in try rows.map { try StoredRows.memory(from: $0) } }
    }

    /// Every memory id of `project` matching `filter`, expired and superseded included, newest first.
    public func ids(project: String, filter: Filter) throws -> [String] {
        let condition = try memoryCondition(project: project, filter: filter, visibility: nil)
        let cached = FilterCompiler.hasBoundedShape(filter)
        return try read { db in
            let select = try statement(
                db, "SELECT m.id FROM memories m WHERE \(condition.sql) ORDER BY m.created_at DESC, m.id DESC", cached: cached
            )
            return try String.fetchAll(select, arguments: condition.statementArguments)
        }
    }

    /// The history of one memory, oldest first (events of the same microsecond in the order written).
    public func history(memoryID: String, project: String) throws -> [HistoryEvent] {
        try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT \(StoredRows.historyColumns) FROM history h WHERE h.memory_id = ? AND h.project = ?
                ORDER BY h.created_at, h.seq
                """)
            return try Row.fetchAll(select, arguments: [memoryID, project]).map { try StoredRows.historyEvent(from: $0) }
        }
    }

    /// The change log of `project` matching `filter` (over `user_id`, `agent_id`, `run_id`, `actor_id`,
    /// `role` and `created_at`, the time of the event; other keys throw `invalidFilter`) and `event`,
    /// newest first, with the total number of matches.
    public func history(project: String, filter: Filter, event: HistoryEvent.Kind?, page: Int, pageSize: Int) throws -> Page<HistoryEvent> {
        var condition = SQLFragment("h.project = ?", [project.databaseValue])
            .appending(" AND ", try FilterCompiler.history.compile(filter))
        if let event { condition = condition.appending(" AND ", SQLFragment("h.event = ?", [event.rawValue.databaseValue])) }
        return try self.page(
            StoredRows.historyColumns, from: "history h", where: condition, order: "h.created_at DESC, h.seq DESC",
            cached: FilterCompiler.hasBoundedShape(filter), page: page, pageSize: pageSize
        ) { rows, _ in try rows.map { try StoredRows.historyEvent(from: $0) } }
    }

    /// The users, agents and runs with memories in `project` (superseded ones count), from the entity
    /// index, ordered by kind then id.
    public func entities(project: String) throws -> [Entity] {
        try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT kind, id, total_memories, created_at, updated_at FROM entities WHERE project = ? ORDER BY kind, id
                """)
            return try Row.fetchAll(select, arguments: [project]).map { row in
                guard let kind = Entity.Kind(rawValue: row[0]) else { throw StoredRows.malformed }
                return Entity(
                    id: row[1], kind: kind, totalMemories: row[2],
                    createdAt: try StoredRows.date(row[3]), updatedAt: try StoredRows.date(row[4])
                )
            }
        }
    }
}
