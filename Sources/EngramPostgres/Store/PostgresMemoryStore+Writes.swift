import EngramCore
import Foundation

extension PostgresMemoryStore {
    static let insertMemoryPrefix = """
        INSERT INTO memories (id, project, text, hash, metadata, user_id, agent_id, run_id, actor_id, role,
            created_at, updated_at, expiration_date, state, embedding, app_id, categories, observed_at, superseded_at)
        VALUES
        """
    /// The memory row's parameters, the embedding (the 15th) cast to `vector`.
    static let memoryColumns = (count: 19, casts: [14: "::vector"])

    static let updateMemorySQL = """
        UPDATE memories SET text = $3, hash = $4, metadata = $5, user_id = $6, agent_id = $7, run_id = $8,
            actor_id = $9, role = $10, created_at = $11, updated_at = $12, expiration_date = $13, state = $14,
            embedding = $15::vector, app_id = $16, categories = $17
        WHERE id = $1 AND project = $2
        """

    static let insertHistoryPrefix = """
        INSERT INTO history (id, memory_id, old_memory, new_memory, event, created_at, is_deleted, actor_id, role,
            user_id, agent_id, run_id, project, app_id)
        VALUES
        """
    static let historyColumns = (count: 14, casts: [Int: String]())

    /// Rows inserted per statement at most: 64 memory rows are 1,216 parameters, far below Postgres's 65,535.
    static let rowsPerInsert = 64

    /// Inserts `rows` (each `columns.count` parameters) with multi-row INSERTs: one round trip per 64 rows
    /// rather than one per row. A batch is split into power-of-two chunks (64, 32, …, 1), so the connection
    /// prepares at most seven statement shapes per table however many rows requests carry.
    static func insertRows(
        _ prefix: String, columns: (count: Int, casts: [Int: String]), rows: [[PostgresParameter]], _ connection: PostgresConnection
    ) throws {
        var start = 0
        while start < rows.count {
            var size = rowsPerInsert
            while size > rows.count - start { size /= 2 }
            try connection.execute(
                prefix + " " + valuesList(rows: size, columns: columns),
                Array(rows[start..<start + size].joined()))
            start += size
        }
    }

    /// `($1, $2, …), ($20, …)` for `rows` rows of `columns.count` parameters.
    static func valuesList(rows: Int, columns: (count: Int, casts: [Int: String])) -> String {
        (0..<rows).map { row in
            "(" + (0..<columns.count).map { column in
                "$\(row * columns.count + column + 1)" + (columns.casts[column] ?? "")
            }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
    }

    /// Applies every change in one transaction: inserts (observed at `changes.observedAt`, else their
    /// creation), updates, supersessions (superseded at the observation time, else the recording time,
    /// else now), history rows, the graph (`GraphWriter` over `PostgresGraphTransaction`), deletions,
    /// purges, then the finished job. Any failure (a duplicate id, an unknown id to update, supersede or
    /// delete, which throws `MemoryError.notFound`, a job not running) rolls back all of it; a deadlock
    /// with a concurrent writer reruns it. The entity counts follow in the same transaction (trigger), as
    /// does the tsvector (generated). Returns the relations the changes opened and closed.
    @discardableResult
    public func apply(_ changes: MemoryChanges) throws -> GraphOutcome {
        guard !changes.isEmpty else { return GraphOutcome() }
        let outcome = try transaction { connection in
            try Self.insertRows(Self.insertMemoryPrefix, columns: Self.memoryColumns, rows: changes.inserts.map { memory in
                StoredRows.parameters(of: memory) + [
                    .timestamp(changes.observedAt ?? memory.createdAt),
                    // A memory stored superseded already (an import) was superseded at its last update.
                    .timestamp(memory.state == .superseded ? memory.updatedAt : nil),
                ]
            }, connection)
            for memory in changes.updates {
                let result = try connection.execute(Self.updateMemorySQL, StoredRows.parameters(of: memory))
                guard result.affectedRows == 1 else { throw MemoryError.notFound(memory.id) }
            }
            let supersededAt = changes.observedAt ?? changes.recordedAt ?? Date()
            for id in changes.supersessions {
                let result = try connection.execute(
                    "UPDATE memories SET state = 'superseded', superseded_at = $2 WHERE id = $1 AND project = $3",
                    [.text(id), .timestamp(supersededAt), .text(changes.project)])
                guard result.affectedRows == 1 else { throw MemoryError.notFound(id) }
            }
            try Self.insertRows(Self.insertHistoryPrefix, columns: Self.historyColumns, rows: changes.history.map(StoredRows.parameters), connection)
            let outcome = try changes.graphWriter(PostgresGraphTransaction(connection: connection), project: changes.project)
                .apply(changes.graph, supersessions: changes.supersessions, deletions: changes.deletions)
            for id in changes.deletions {
                let result = try connection.execute(
                    "DELETE FROM memories WHERE id = $1 AND project = $2", [.text(id), .text(changes.project)])
                guard result.affectedRows == 1 else { throw MemoryError.notFound(id) }
            }
            for id in changes.purges {
                try connection.execute(
                    "UPDATE history SET old_memory = NULL, new_memory = NULL WHERE memory_id = $1 AND project = $2",
                    [.text(id), .text(changes.project)])
            }
            if let completion = changes.completedJob { try Self.finish(completion, connection) }
            if let job = changes.recordedJob { try Self.insert(job, connection) }
            try Self.insert(changes.webhookDeliveries, connection)
            return outcome
        }
        recordWrite(project: changes.project, keys: Self.scopeKeys(of: changes))
        return outcome
    }

    /// Erases every memory, history row, entity and graph row of `project` in one transaction (aliases,
    /// links and sources go with their entities and relations).
    public func reset(project: String) throws {
        try transaction { connection in
            for sql in [
                "DELETE FROM memories WHERE project = $1", "DELETE FROM history WHERE project = $1",
                "DELETE FROM entities WHERE project = $1", "DELETE FROM graph_relations WHERE project = $1",
                "DELETE FROM graph_entities WHERE project = $1",
            ] {
                try connection.execute(sql, [.text(project)])
            }
        }
        recordWrite(project: project, keys: nil)
    }

    /// The scopes a change set writes, for read-your-writes on a replica: those of the memories it
    /// inserts and updates and of its history rows (deletions and supersessions leave one each); nil, the
    /// whole project, when it removes memories without saying whose.
    static func scopeKeys(of changes: MemoryChanges) -> Set<String>? {
        var keys: Set<String> = []
        for memory in changes.inserts + changes.updates { keys.formUnion(ReadRouter.keys(of: memory.scope)) }
        for event in changes.history { keys.formUnion(ReadRouter.keys(of: event.scope)) }
        let unattributed = changes.history.isEmpty && !(changes.deletions.isEmpty && changes.supersessions.isEmpty && changes.purges.isEmpty)
        return unattributed || keys.isEmpty ? nil : keys
    }
}
