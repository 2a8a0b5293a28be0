import EngramCore
import Foundation
import Synchronization
import Testing
@testable import EngramPostgres

/// The plans Postgres picks for the store's own SQL on scoped requests: none may read the whole
/// memories table (`Seq Scan on memories`, or on any of its partitions), whatever the scope's share of
/// it; with the table partitioned, a request reads its project's partition only.
@Suite struct QueryPlanTests {
    @Test(arguments: [0, 4])
    func scopedRequestsNeverScanTheWholeTable(partitions: Int) throws {
        let plans = Mutex<[(sql: String, plan: String)]>([])
        let (store, _) = try makePostgresStore(dimension: 16) { configuration in
            configuration.exactSearchLimit = 200
            configuration.partitions = partitions
            configuration.planObserver = { sql, plan in plans.withLock { $0.append((sql, plan)) } }
        }
        var generator = SeededGenerator(state: 11)
        // 300 words, so a term matches about 0.7 % of the memories, as words of real texts do.
        let words = (0..<300).map { "topic\($0)" }
        // One memory in five is big's (20 %); the rest are spread over 97 users (about 0.8 % each).
        let memories = (0..<12_000).map { index in
            let text = "\(words[index % words.count]) and \(words[(index / 7) % words.count]) note \(index)"
            return testMemory(text, user: index % 5 == 0 ? "big" : "u\(index % 97)", at: Double(index),
                              embedding: unitVector(&generator, dimension: 16))
        }
        for chunk in stride(from: 0, to: memories.count, by: 1000) {
            try store.apply(inserting(Array(memories[chunk..<min(chunk + 1000, memories.count)])))
        }
        // Other projects, so that a partitioned table has rows in other partitions for a plan to skip.
        for project in ["north", "south", "east", "west"] {
            var others = (0..<500).map { index in
                testMemory("topic3 elsewhere \(index)", user: "u\(index % 50)", at: Double(index), embedding: unitVector(&generator, dimension: 16))
            }
            for index in others.indices { others[index].project = project }
            var changes = inserting(others)
            changes.project = project
            try store.apply(changes)
        }
        #expect(try store.partitionStatus().built == partitions)
        try store.withConnection { connection in try connection.executeScript("ANALYZE memories;") }
        plans.withLock { $0.removeAll() }

        let visible = Visibility(today: "2026-01-01")
        let query = unitVector(&generator, dimension: 16)
        for user in ["u7", "big"] {
            let scope = Filter.compare(.field(.userID), .eq, .string(user))
            #expect(try store.keywordSearch("topic3 or topic77", project: "default", filter: scope, visibility: visible, limit: 60).count > 0)
            #expect(try store.semanticSearch(query, project: "default", filter: scope, visibility: visible, limit: 60).count == 60)
        }
        let observed = plans.withLock { $0 }
        let searches = observed.filter { $0.sql.contains("ts_rank") || $0.sql.contains("<=>") }
        #expect(searches.count >= 4, "expected the searches' plans, got \(observed.map(\.sql))")
        for (sql, plan) in observed {
            #expect(!plan.contains("Seq Scan on memories"), "a scoped request scans the whole table:\n\(sql)\n\(plan)")
            if partitions > 0, sql.contains("FROM memories") {
                let read = Set(plan.matches(of: /memories_p\d+_\d+/).map { String($0.output) })
                #expect(read.count == 1, "a request of one project reads the partitions \(read):\n\(sql)\n\(plan)")
            }
        }
        // The large user's semantic search goes through the HNSW index (the planner would rather sort
        // the user's 2,400 rows by distance, 28–33 ms already at 20,000); the keyword searches
        // through an index of the scope (which one is the planner's choice by the statistics: the
        // scoped GIN index at 100,000 memories, the user's b-tree here).
        // A partition's indexes are named after it and the columns (`memories_p4_1_embedding_idx`).
        #expect(observed.contains { $0.sql.contains("<=>") && $0.plan.contains(partitions > 0 ? "_embedding_idx" : "memories_embedding_hnsw") })
        for (sql, plan) in observed where sql.contains("ts_rank") {
            let scoped = partitions > 0
                ? plan.contains("_user_id_agent_id_run_id_app_id_text_search_idx") || plan.contains("_project_user_id_created_at_id_idx")
                : plan.contains("memories_scope_text_search") || plan.contains("memories_user_created")
            #expect(scoped, "\(sql)\n\(plan)")
        }
    }
}
