import EngramCore

extension PostgresMemoryStore {
    /// The memory with this id in `project`, whatever its state or expiry.
    public func memory(id: String, project: String) throws -> Memory? {
        try read(project: project, keys: nil) { connection in
            let result = try connection.execute(
                "SELECT \(StoredRows.memoryColumns) FROM memories m WHERE m.id = $1 AND m.project = $2", [.text(id), .text(project)])
            return result.rowCount == 0 ? nil : try StoredRows.memory(from: result, row: 0)
        }
    }

    /// The memories of `ids` in `project` that exist, by id, in one query.
    public func memories(ids: [String], project: String) throws -> [String: Memory] {
        guard !ids.isEmpty else { return [:] }
        return try read(project: project, keys: nil) { connection in
            let result = try connection.execute(
                "SELECT \(StoredRows.memoryColumns) FROM memories m WHERE m.id = ANY($1) AND m.project = $2",
                [.textArray(ids), .text(project)])
            var memories: [String: Memory] = [:]
            for row in 0..<result.rowCount {
                let memory = try StoredRows.memory(from: result, row: row)
                memories[memory.id] = memory
            }
            return memories
        }
    }

    /// The texts of the memories of `ids` in `project`, by id.
    public func texts(ids: [String], project: String) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        return try read(project: project, keys: nil) { connection in
            let result = try connection.execute(
                "SELECT m.id, m.text FROM memories m WHERE m.id = ANY($1) AND m.project = $2", [.textArray(ids), .text(project)])
            var texts: [String: String] = [:]
            for row in 0..<result.rowCount {
                if let id = result.text(row, 0), let text = result.text(row, 1) { texts[id] = text }
            }
            return texts
        }
    }

    /// The memory before and after each of `ids` in creation order (`created_at`, then `id`), within
    /// `filter` and `visibility`: each neighbour is one index step from its memory.
    public func adjacentMemories(
        to ids: [String], project: String, filter: Filter, visibility: Visibility
    ) throws -> [String: AdjacentMemories] {
        guard !ids.isEmpty else { return [:] }
        var query = BoundQuery()
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility, into: &query)
        let sql = """
            SELECT c.id,
                (SELECT m.id FROM memories m WHERE \(condition) AND m.created_at <= c.created_at AND (m.created_at < c.created_at OR m.id < c.id)
                    ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
                (SELECT m.id FROM memories m WHERE \(condition) AND m.created_at >= c.created_at AND (m.created_at > c.created_at OR m.id > c.id)
                    ORDER BY m.created_at, m.id LIMIT 1)
            FROM memories c WHERE c.id = ANY(\(query.bind(.textArray(ids)))) AND c.project = \(query.bind(.text(project)))
            """
        return try read(project: project, keys: ReadRouter.keys(of: filter)) { connection in
            let result = try connection.execute(sql, query.parameters)
            var adjacent: [String: AdjacentMemories] = [:]
            for row in 0..<result.rowCount {
                let pair = AdjacentMemories(previous: result.text(row, 1), next: result.text(row, 2))
                if pair.previous != nil || pair.next != nil, let id = result.text(row, 0) { adjacent[id] = pair }
            }
            return adjacent
        }
    }

    /// The memories of `project` matching `filter` and `visibility`, newest first (`created_at`, then
    /// `id`, descending), with the total number of matches. The count and the page come from one snapshot.
    public func list(project: String, filter: Filter, visibility: Visibility, page: Int, pageSize: Int) throws -> Page<Memory> {
        var query = BoundQuery()
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility, into: &query)
        return try self.page(
            StoredRows.memoryColumns, from: "memories m", where: condition, order: "m.created_at DESC, m.id DESC", query: query,
            page: page, pageSize: pageSize, project: project, keys: ReadRouter.keys(of: filter)
        ) { result, _ in try (0..<result.rowCount).map { try StoredRows.memory(from: result, row: $0) } }
    }

    /// Every memory id of `project` matching `filter`, expired and superseded included, newest first.
    public func ids(project: String, filter: Filter) throws -> [String] {
        var query = BoundQuery()
        let condition = try memoryCondition(project: project, filter: filter, visibility: nil, into: &query)
        return try withConnection { connection in
            let result = try connection.execute(
                "SELECT m.id FROM memories m WHERE \(condition) ORDER BY m.created_at DESC, m.id DESC", query.parameters)
            return try (0..<result.rowCount).map { try result.requiredText($0, 0) }
        }
    }

    /// The history of one memory, oldest first (events of the same microsecond in the order written).
    public func history(memoryID: String, project: String) throws -> [HistoryEvent] {
        try read(project: project, keys: nil) { connection in
            let result = try connection.execute(
                """
                SELECT \(StoredRows.historyColumns) FROM history h WHERE h.memory_id = $1 AND h.project = $2
                ORDER BY h.created_at, h.seq
                """, [.text(memoryID), .text(project)])
            return try (0..<result.rowCount).map { try StoredRows.historyEvent(from: result, row: $0) }
        }
    }

    /// The change log of `project` matching `filter` (over `user_id`, `agent_id`, `run_id`, `actor_id`,
    /// `role` and `created_at`, the time of the event; other keys throw `invalidFilter`) and `event`,
    /// newest first, with the total number of matches.
    public func history(project: String, filter: Filter, event: HistoryEvent.Kind?, page: Int, pageSize: Int) throws -> Page<HistoryEvent> {
        var query = BoundQuery()
        var condition = "h.project = \(query.bind(.text(project))) AND " + (try FilterCompiler.history.compile(filter, into: &query))
        if let event { condition += " AND h.event = \(query.bind(.text(event.rawValue)))" }
        return try self.page(
            StoredRows.historyColumns, from: "history h", where: condition, order: "h.created_at DESC, h.seq DESC", query: query,
            page: page, pageSize: pageSize, project: project, keys: ReadRouter.keys(of: filter)
        ) { result, _ in try (0..<result.rowCount).map { try StoredRows.historyEvent(from: result, row: $0) } }
    }

    /// The users, agents and runs with memories in `project` (superseded ones count), from the entity
    /// index, ordered by kind then id (byte order).
    public func entities(project: String) throws -> [Entity] {
        try read(project: project, keys: nil) { connection in
            let result = try connection.execute(
                """
                SELECT kind, id, total_memories, created_at, updated_at FROM entities WHERE project = $1
                ORDER BY kind COLLATE "C", id COLLATE "C"
                """, [.text(project)])
            return try (0..<result.rowCount).map { row in
                guard let kind = Entity.Kind(rawValue: try result.requiredText(row, 0)) else { throw PostgresStoreError.malformedRow }
                return Entity(
                    id: try result.requiredText(row, 1), kind: kind, totalMemories: try result.requiredInt(row, 2),
                    createdAt: try result.requiredDate(row, 3), updatedAt: try result.requiredDate(row, 4))
            }
        }
    }
}
