import EngramCore
import Foundation
import GRDB
import Testing
@testable import EngramSQLite

@Suite struct SchemaMigrationsTests {
    @Test func aDatabaseMadeByMigration0002UpgradesAndSearchesAsBefore() throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let memories = ScopedKeywordSearchTests.memories(count: 200)
        var before: [[(id: String, score: Double)]] = []
        do {
            let queue = try DatabaseQueue(path: fixture.path)
            try SchemaMigrations.migrator.migrate(queue, upTo: "0002_jobs")
            try queue.write { db in
                try Self.insertRows(of: memories, into: db)
                try db.execute(sql: "DELETE FROM memories WHERE id = ?", arguments: [memories[0].id])
            }
            for scope in ScopedKeywordSearchTests.scopes {
                for query in ScopedKeywordSearchTests.queries {
                    before.append(try OldKeywordSearch.ranked(queue, table: "memories_fts", query: query, filter: scope, limit: 30))
                }
            }
        }
        #expect(before.contains { $0.count > 3 })

        let store = try fixture.open()
        var after: [[(id: String, score: Double)]] = []
        for scope in ScopedKeywordSearchTests.scopes {
            for query in ScopedKeywordSearchTests.queries {
                let hits = try store.keywordSearch(query, project: "default", filter: scope, visibility: Sample.visible, limit: 30)
                after.append(hits.map { (id: $0.memory.id, score: $0.score) })
            }
        }
        #expect(after.map { $0.map(\.id) } == before.map { $0.map(\.id) })
        #expect(after.map { $0.map(\.score) } == before.map { $0.map(\.score) })

        let added = Sample.memory("zucchini", user: "alice")
        try store.apply(Sample.inserting([added]))
        let alice = Filter.compare(.field(.userID), .eq, .string("alice"))
        #expect(try store.keywordSearch("zucchini", project: "default", filter: alice, visibility: Sample.visible, limit: 5).map(\.memory.id) == [added.id])
        #expect(try store.keywordSearch(memories[0].text, project: "default", filter: .all, visibility: Sample.visible, limit: 300)
            .allSatisfy { $0.memory.id != memories[0].id })
    }

    @Test func migration0009CountsTheMemoriesAndJobsAlreadyStored() throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let memories = ScopedKeywordSearchTests.memories(count: 30)
        do {
            let queue = try DatabaseQueue(path: fixture.path)
            try SchemaMigrations.migrator.migrate(queue, upTo: "0008_webhooks")
            try queue.write { db in
                try Self.insertRows(of: memories, into: db)
                try db.execute(sql: "UPDATE memories SET project = 'other' WHERE rowid % 3 = 0")
                for (index, status) in ["PENDING", "SUCCEEDED", "SUCCEEDED"].enumerated() {
                    try db.execute(
                        sql: "INSERT INTO jobs (id, project, status, payload, created_at) VALUES (?, 'default', ?, '{}', '2026-01-01T00:00:00.000000Z')",
                        arguments: ["job-\(index)", status])
                }
            }
        }
        let store = try fixture.open()
        let statistics = try store.statistics()
        let other = memories.count / 3
        #expect(statistics.memoriesByProject == ["default": memories.count - other, "other": other])
        #expect(statistics.jobsByStatus == ["PENDING": 1, "SUCCEEDED": 2])
        #expect(store.migrationReport.appliedAtOpen == ["0009_counters_reindex"])
    }

    /// Inserts `memories` with plain SQL, as a store of an older schema holds them (its triggers run).
    static func insertRows(of memories: some Sequence<Memory>, into db: Database) throws {
        let insert = try db.makeStatement(sql: """
            INSERT INTO memories (id, project, text, hash, metadata, user_id, agent_id, run_id, actor_id, role,
                created_at, updated_at, expiration_date, state, embedding)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            """)
        for memory in memories {
            // The columns of the schema before `0007` (no `app_id`, no `categories`).
            try insert.execute(arguments: [
                memory.id, memory.project, memory.text, memory.hash, memory.metadata.map(MetadataJSON.string(from:)),
                memory.scope.userID, memory.scope.agentID, memory.scope.runID, memory.actorID, memory.role,
                StoredTime.string(from: memory.createdAt), StoredTime.string(from: memory.updatedAt),
                memory.expirationDate, memory.state.rawValue, EmbeddingBlob.data(from: memory.embedding),
            ])
        }
    }
}
