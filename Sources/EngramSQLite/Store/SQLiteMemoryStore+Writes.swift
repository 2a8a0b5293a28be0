import Foundation
import EngramCore
import GRDB

extension SQLiteMemoryStore {
    /// Applies every change in one write transaction: inserts, updates, supersessions, history rows,
    /// deletions, then purges. Any failure (a duplicate id, an unknown id to update, supersede or
    /// delete, which throws `MemoryError.notFound`) rolls back all of it. The FTS index, entity counts
    /// and the project's generation follow in the same transaction (triggers).
    @discardableResult
    public func apply(_ changes: MemoryChanges) throws -> GraphOutcome {
        guard !changes.isEmpty else { return GraphOutcome() }
        return try write { db in
            if !changes.inserts.isEmpty {
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO memories (id, project, text, hash, metadata, user_id, agent_id, run_id, actor_id, role,
                        created_at, updated_at, expiration_date, state, embedding, app_id, categories, observed_at, superseded_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
                    """)
                for memory in changes.inserts {
                    let observed = StoredTime.string(from: changes.observedAt ?? memory.createdAt)
                    // A memory stored superseded already (an import) was superseded at its last update.
                    let superseded = memory.state == .superseded ? StoredTime.string(from: memory.updatedAt) : nil
                    try insert.execute(arguments: StoredRows.arguments(of: memory) + [observed, superseded])
                }
            }
            if !changes.updates.isEmpty {
                let update = try db.cachedStatement(sql: """
                    UPDATE memories SET text = ?3, hash = ?4, metadata = ?5, user_id = ?6, agent_id = ?7, run_id = ?8,
                        actor_id = ?9, role = ?10, created_at = ?11, updated_at = ?12, expiration_date = ?13,
                        state = ?14, embedding = ?15, app_id = ?16, categories = ?17
                    WHERE id = ?1 AND project = ?2
                    """)
                for memory in changes.updates {
                    try update.execute(arguments: StoredRows.arguments(of: memory))
                    guard db.changesCount == 1 else { throw MemoryError.notFound(memory.id) }
                }
            }
            if !changes.supersessions.isEmpty {
                let supersede = try db.cachedStatement(sql: "UPDATE memories SET state = 'superseded', superseded_at = ? WHERE id = ?")
                let time = StoredTime.string(from: changes.observedAt ?? changes.recordedAt ?? Date())
                for id in changes.supersessions {
                    try supersede.execute(arguments: [time, id])
                    guard db.changesCount == 1 else { throw MemoryError.notFound(id) }
                }
            }
            if !changes.history.isEmpty {
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO history (id, memory_id, old_memory, new_memory, event, created_at, is_deleted, actor_id,
                        role, user_id, agent_id, run_id, project, app_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for event in changes.history { try insert.execute(arguments: StoredRows.arguments(of: event)) }
            }
            let outcome = try changes.graphWriter(SQLiteGraphTransaction(db: db), project: changes.project)
                .apply(changes.graph, supersessions: changes.supersessions, deletions: changes.deletions)
            try forEach(changes.deletions, db, "DELETE FROM memories WHERE id = ?", mustChange: true)
            try forEach(
                changes.purges, db, "UPDATE history SET old_memory = NULL, new_memory = NULL WHERE memory_id = ?",
                mustChange: false
            )
            if let completion = changes.completedJob { try Self.finish(completion, db) }
            if let job = changes.recordedJob { try Self.insert(job, db) }
            try Self.insert(changes.webhookDeliveries, db)
            return outcome
        }
    }

    /// Erases every memory, history row and entity of `project` in one transaction.
    public func reset(project: String) throws {
        try write { db in
            for sql in [
                "DELETE FROM memories WHERE project = ?", "DELETE FROM history WHERE project = ?",
                "DELETE FROM entities WHERE project = ?", "DELETE FROM graph_relations WHERE project = ?",
                "DELETE FROM graph_entities WHERE project = ?",
            ] {
                try db.cachedStatement(sql: sql).execute(arguments: [project])
            }
        }
        vectorCache.removeAll(project: project)
    }

    /// Runs `sql` once per id; with `mustChange`, an id that matches no row throws `notFound`.
    private func forEach(_ ids: [String], _ db: Database, _ sql: String, mustChange: Bool) throws {
        guard !ids.isEmpty else { return }
        let statement = try db.cachedStatement(sql: sql)
        for id in ids {
            try statement.execute(arguments: [id])
            if mustChange, db.changesCount == 0 { throw MemoryError.notFound(id) }
        }
    }
}
