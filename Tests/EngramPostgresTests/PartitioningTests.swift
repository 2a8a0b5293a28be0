import EngramCore
import Foundation
import Testing
@testable import EngramPostgres

/// The memories and history tables hash-partitioned by project: a store with memories laid out anew
/// (and back) keeps every row, count, key and index; a layout that cannot be made changes nothing; the
/// vector index is rebuilt partition by partition.
@Suite struct PartitioningTests {
    private static let projects = ["default", "acme", "globex"]
    private static let visible = Visibility(today: "2026-01-01")

    /// What a store answers for each project, to compare before and after a change of layout.
    private struct Answers: Equatable {
        var memories: [String: [String]] = [:]
        var texts: [String: [String]] = [:]
        var history: [String: [String]] = [:]
        var entities: [String: [String]] = [:]
        var keyword: [String: [String]] = [:]
        var semantic: [String: [String]] = [:]
        var counts: [String: Int] = [:]
    }

    private static func answers(_ store: PostgresMemoryStore, query: [Float]) throws -> Answers {
        var answers = Answers()
        for project in projects {
            let page = try store.list(project: project, filter: .all, visibility: visible, page: 1, pageSize: 1000)
            answers.memories[project] = page.items.map(\.id)
            answers.texts[project] = page.items.map(\.text)
            answers.history[project] = try store.history(project: project, filter: .all, event: nil, page: 1, pageSize: 1000)
                .items.map { "\($0.id) \($0.memoryID) \($0.event) \($0.newMemory ?? "-")" }
            answers.entities[project] = try store.entities(project: project).map { "\($0.kind) \($0.id) \($0.totalMemories)" }
            answers.keyword[project] = try store.keywordSearch("tea", project: project, filter: .all, visibility: visible, limit: 20)
                .map(\.memory.id)
            answers.semantic[project] = try store.semanticSearch(query, project: project, filter: .all, visibility: visible, limit: 20)
                .map(\.memory.id)
        }
        answers.counts = try store.statistics().memoriesByProject
        return answers
    }

    private static func open(_ url: String, partitions: Int?) throws -> PostgresMemoryStore {
        var configuration = PostgresStoreConfiguration()
        configuration.partitions = partitions
        let store = try PostgresMemoryStore(url: url, configuration: configuration)
        try store.prepare(embeddingModel: "postgres-test", dimension: 8)
        return store
    }

    private static func partitions(of table: String, _ store: PostgresMemoryStore) throws -> Int {
        try store.withConnection { connection in try PostgresMemoryStore.partitionCount(of: table, connection) }
    }

    @Test func aStoreWithMemoriesIsLaidOutAnewAndBackWithEverythingKept() throws {
        let (plain, url) = try makePostgresStore(dimension: 8)
        var generator = SeededGenerator(state: 3)
        for (offset, project) in Self.projects.enumerated() {
            var memories = (0..<120).map { index in
                testMemory(index % 3 == 0 ? "\(project) drinks tea, note \(index)" : "\(project) note \(index)",
                           user: "u\(index % 4)", at: Double(offset * 1000 + index), embedding: unitVector(&generator, dimension: 8))
            }
            for index in memories.indices { memories[index].project = project }
            var changes = inserting(memories)
            changes.project = project
            try plain.apply(changes)
            // An update and a deletion, so history holds more than ADD rows.
            var updated = memories[1]
            updated.text = "\(project) now drinks tea"
            var later = MemoryChanges()
            later.project = project
            later.updates = [updated]
            later.deletions = [memories[2].id]
            later.history = [
                HistoryEvent(id: UUID().uuidString.lowercased(), memoryID: updated.id, oldMemory: memories[1].text, newMemory: updated.text,
                             event: .update, createdAt: updated.updatedAt, isDeleted: false, actorID: nil, role: nil, scope: updated.scope, project: project),
                HistoryEvent(id: UUID().uuidString.lowercased(), memoryID: memories[2].id, oldMemory: memories[2].text, newMemory: nil,
                             event: .delete, createdAt: updated.updatedAt, isDeleted: true, actorID: nil, role: nil, scope: memories[2].scope, project: project),
            ]
            try plain.apply(later)
        }
        // A read-only role's privilege on the tables survives every move.
        try plain.withConnection { connection in
            try connection.executeScript("""
                DO $$ BEGIN CREATE ROLE engram_reporting NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                GRANT SELECT ON memories, history TO engram_reporting;
                """)
        }
        let query = unitVector(&generator, dimension: 8)
        let before = try Self.answers(plain, query: query)
        #expect(before.counts == ["default": 119, "acme": 119, "globex": 119])

        // A store with memories keeps its layout at open: moving the rows locks the tables, so only
        // `applyPartitioning` (`engram migrate`) does it.
        let partitioned = try Self.open(url, partitions: 4)
        #expect(try partitioned.partitionStatus() == .init(built: 0, configured: 4))
        #expect(try partitioned.applyPartitioning() == .init(built: 0, configured: 4))
        #expect(try partitioned.partitionStatus() == .init(built: 4, configured: 4))
        #expect(try partitioned.applyPartitioning() == nil)
        #expect(try Self.partitions(of: "memories", partitioned) == 4)
        #expect(try Self.partitions(of: "history", partitioned) == 4)
        #expect(try Self.answers(partitioned, query: query) == before)
        // The vector index came along in its shape, one per partition.
        #expect(partitioned.vectorIndexStatus.built == .pgvectorDefaults)
        #expect(try partitioned.vectorIndexBytes() ?? 0 > 0)
        let indexed = try partitioned.withConnection { connection in
            try connection.execute(
                "SELECT count(*) FROM pg_partition_tree(to_regclass('memories_embedding_hnsw')) WHERE isleaf").requiredInt(0, 0)
        }
        #expect(indexed == 4)

        // The triggers came along (counts and entities follow new writes), and so did history's sequence.
        var fresh = testMemory("acme drinks more tea", user: "u9", at: 5000, embedding: unitVector(&generator, dimension: 8))
        fresh.project = "acme"
        var changes = inserting([fresh])
        changes.project = "acme"
        try partitioned.apply(changes)
        #expect(try partitioned.statistics().memoriesByProject["acme"] == 120)
        #expect(try partitioned.entities(project: "acme").contains { $0.id == "u9" && $0.totalMemories == 1 })
        let sequence = try partitioned.withConnection { connection in
            try connection.execute("SELECT max(seq) = (SELECT seq FROM history WHERE memory_id = $1) FROM history", [.text(fresh.id)]).bool(0, 0)
        }
        #expect(sequence)
        var after = try Self.answers(partitioned, query: query)

        // Another instance configured otherwise (or not at all) changes nothing at open.
        #expect(try Self.open(url, partitions: nil).partitionStatus() == .init(built: 4, configured: nil))
        #expect(try Self.partitions(of: "memories", partitioned) == 4)

        // To another number of partitions, and back to one table, with the keys of each layout.
        let more = try Self.open(url, partitions: 8)
        try more.applyPartitioning()
        #expect(try Self.partitions(of: "memories", more) == 8)
        #expect(try Self.answers(more, query: query) == after)
        let single = try Self.open(url, partitions: 0)
        try single.applyPartitioning()
        #expect(try Self.partitions(of: "memories", single) == 0)
        #expect(try Self.partitions(of: "history", single) == 0)
        after = try Self.answers(single, query: query)
        #expect(after.memories == (try Self.answers(more, query: query)).memories)
        let key = try single.withConnection { connection in
            try connection.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'memories'::regclass AND contype = 'p'").text(0, 0)
        }
        #expect(key == "PRIMARY KEY (id)")
        let readable = try single.withConnection { connection in
            try connection.execute(
                "SELECT has_table_privilege('engram_reporting', 'memories', 'SELECT') AND has_table_privilege('engram_reporting', 'history', 'SELECT')"
            ).bool(0, 0)
        }
        #expect(readable)
    }

    @Test func aLayoutThatCannotBeMadeChangesNothing() throws {
        let (store, url) = try makePostgresStore(dimension: 8) { $0.partitions = 4 }
        #expect(try store.partitionStatus().built == 4)
        var generator = SeededGenerator(state: 9)
        // Partitioned, a memory id is unique within its project only; one table needs it unique everywhere.
        let shared = testMemory("the same id twice", embedding: unitVector(&generator, dimension: 8))
        for project in ["default", "acme"] {
            var memory = shared
            memory.project = project
            var changes = inserting([memory])
            changes.project = project
            try store.apply(changes)
        }
        let single = try Self.open(url, partitions: 0)
        #expect(throws: (any Error).self) { try single.applyPartitioning() }
        #expect(try Self.partitions(of: "memories", single) == 4)
        #expect(try Self.partitions(of: "history", single) == 4)
        #expect(try single.memory(id: shared.id, project: "acme")?.text == "the same id twice")
        #expect(try single.statistics().memoriesByProject == ["default": 1, "acme": 1])
        #expect(throws: MemoryError.self) {
            var configuration = PostgresStoreConfiguration()
            configuration.partitions = 1
            try PostgresMemoryStore(url: url, configuration: configuration).applyPartitioning()
        }
    }

    @Test func anEmptyStoreTakesTheLayoutAtOpenAndItsIndexIsRebuiltPartitionByPartition() throws {
        let (store, url) = try makePostgresStore(dimension: 8) { configuration in
            configuration.partitions = 3
            configuration.exactSearchLimit = 0  // through the index
        }
        #expect(try store.partitionStatus() == .init(built: 3, configured: 3))
        var generator = SeededGenerator(state: 17)
        try store.apply(inserting((0..<60).map { testMemory("m\($0)", embedding: unitVector(&generator, dimension: 8)) }))

        var configuration = PostgresStoreConfiguration()
        configuration.partitions = 3
        configuration.exactSearchLimit = 0
        configuration.vectorIndex = VectorIndexSettings(m: 24, efConstruction: 100, precision: .half)
        let reconfigured = try PostgresMemoryStore(url: url, configuration: configuration)
        try reconfigured.prepare(embeddingModel: "postgres-test", dimension: 8)
        #expect(reconfigured.vectorIndexStatus.needsRebuild)
        // What an interrupted earlier rebuild leaves behind is dropped first: the table's index and a
        // partition's not yet attached.
        try reconfigured.withConnection { connection in
            try connection.executeScript("""
                CREATE INDEX memories_embedding_hnsw_new ON ONLY memories (id);
                CREATE INDEX memories_p3_1_embedding_hnsw_new ON memories_p3_1 (id);
                """)
        }
        #expect(try reconfigured.rebuildVectorIndex() == configuration.vectorIndex)
        let definitions = try reconfigured.withConnection { connection in
            try connection.execute(
                """
                SELECT indexrelid::regclass::text || ' ' || pg_get_indexdef(indexrelid) FROM pg_partition_tree(to_regclass('memories_embedding_hnsw')) t
                JOIN pg_index i ON i.indexrelid = t.relid ORDER BY 1
                """).requiredTexts()
        }
        #expect(definitions.count == 4, "\(definitions)")
        #expect(definitions.allSatisfy { $0.contains("halfvec_cosine_ops") && $0.contains("m='24'") }, "\(definitions)")
        #expect(definitions.filter { $0.hasPrefix("memories_p3_") }.allSatisfy { $0.contains("_embedding_hnsw ") }, "\(definitions)")
        let leftovers = try reconfigured.withConnection { connection in
            try connection.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%embedding_hnsw_new'").requiredInt(0, 0)
        }
        #expect(leftovers == 0)
        let hits = try reconfigured.semanticSearch(unitVector(&generator, dimension: 8), project: "default", filter: .all, visibility: Self.visible, limit: 5)
        #expect(hits.count == 5)
    }
}
