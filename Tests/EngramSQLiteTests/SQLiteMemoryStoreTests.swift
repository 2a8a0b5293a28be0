import EngramCore
import Foundation
import GRDB
import Testing
@testable import EngramSQLite

@Suite struct SQLiteMemoryStoreTests {
    @Test func migrationsCreateTheSchemaOnANewFileAndAreNotReappliedOnReopen() throws {
        try StoreFixture.run { store, fixture in
            try store.apply(Sample.inserting([Sample.memory("kept across reopen")]))
            let reopened = try fixture.open()
            #expect(try reopened.ids(project: "default", filter: .all).count == 1)
            let queue = try DatabaseQueue(path: fixture.path)
            let applied = try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
            #expect(applied == ["0001_memories_history_entities_settings", "0002_jobs", "0003_scoped_search_index", "0004_scope_generations",
                               "0005_insert_counters", "0006_graph", "0007_apps_categories", "0008_webhooks", "0009_counters_reindex"])
            let tables = try queue.read {
                try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
            for table in [
                "memories", "history", "entities", "settings", "memories_fts", "project_generations", "scope_generations",
                "graph_entities", "graph_aliases", "graph_links", "graph_relations", "graph_sources", "store_counters",
                "reindex_vectors",
            ] {
                #expect(tables.contains(table))
            }
            let mode = try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
    }

    @Test func theWriterCheckpointsAtTheConfiguredLogSize() throws {
        try StoreFixture.run { store, _ in
            let pages = try store.pool.write { try Int.fetchOne($0, sql: "PRAGMA wal_autocheckpoint") }
            let limit = try store.pool.write { try Int.fetchOne($0, sql: "PRAGMA journal_size_limit") }
            #expect(pages == store.configuration.walCheckpointPages)
            #expect(limit == store.configuration.walSizeLimitBytes)
            #expect(pages == 4_000)
        }
    }

    @Test func aMemoryRoundTripsWithEveryField() throws {
        try StoreFixture.run { store, _ in
            let metadata: [String: JSONValue] = [
                "int": .number(42), "negative": .number(-7.25), "big": .number(1e300), "bool": .bool(false),
                "null": .null, "text": .string("héllo \"quoted\" \\ \n tab\t ✓"),
                "list": .array([.number(1), .string("two"), .bool(true), .null]),
                "nested": .object(["a": .object(["b": .array([])])]),
            ]
            let embedding: [Float] = [0.5, -0.25, 1e-30, -0.0, .leastNonzeroMagnitude, 3.402_823_4e38, 0.1, -1]
            let memory = Sample.memory(
                "Alice likes tea", user: "alice", agent: "helper", run: "r1", metadata: metadata, at: 12.5,
                expires: "2030-05-06", actor: "Al", role: "user", embedding: embedding
            )
            var changes = Sample.inserting([memory])
            changes.inserts[0].updatedAt = Sample.time(99.000001)
            try store.apply(changes)
            let read = try #require(try store.memory(id: memory.id, project: "default"))
            #expect(read == changes.inserts[0])
            #expect(read.embedding.map(\.bitPattern) == embedding.map(\.bitPattern))
            #expect(try store.memory(id: memory.id, project: "other") == nil)
            #expect(try store.memory(id: "missing", project: "default") == nil)
        }
    }

    @Test func aFailingChangeSetWritesNothing() throws {
        try StoreFixture.run { store, _ in
            let first = Sample.memory("the original memory", user: "alice")
            try store.apply(Sample.inserting([first]))
            let fresh = Sample.memory("zebra crossing memory", user: "zed")
            var duplicate = Sample.memory("duplicate of the first", id: first.id)
            duplicate.scope = Scope(stored: "yann", agentID: nil, runID: nil)
            #expect(throws: SQLiteStoreError.self) { try store.apply(Sample.inserting([fresh, duplicate])) }

            #expect(try store.ids(project: "default", filter: .all) == [first.id])
            #expect(try store.keywordSearch("zebra", project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
            #expect(try store.history(project: "default", filter: .all, event: nil, page: 1, pageSize: 10).total == 1)
            #expect(try store.entities(project: "default").map(\.id) == ["alice"])

            var update = MemoryChanges()
            update.inserts = [fresh]
            update.deletions = [first.id, "no-such-id"]
            #expect(throws: MemoryError.notFound("no-such-id")) { try store.apply(update) }
            #expect(try store.ids(project: "default", filter: .all) == [first.id])
        }
    }

    @Test func updatesSupersessionsDeletionsAndPurgesApply() throws {
        try StoreFixture.run { store, _ in
            let a = Sample.memory("alpha fact", at: 0)
            let b = Sample.memory("beta fact", at: 1)
            let c = Sample.memory("gamma fact", at: 2)
            try store.apply(Sample.inserting([a, b, c]))

            var changes = MemoryChanges()
            var updated = a
            updated.text = "alpha fact revised"
            updated.updatedAt = Sample.time(10)
            changes.updates = [updated]
            changes.supersessions = [b.id]
            changes.deletions = [c.id]
            changes.history = [
                Sample.event(for: a, .update, at: 10, old: a.text, new: updated.text),
                Sample.event(for: c, .delete, at: 10, old: c.text),
            ]
            changes.purges = [c.id]
            try store.apply(changes)

            #expect(try store.memory(id: a.id, project: "default") == updated)
            #expect(try store.memory(id: b.id, project: "default")?.state == .superseded)
            #expect(try store.memory(id: c.id, project: "default") == nil)
            let hits = try store.keywordSearch("revised", project: "default", filter: .all, visibility: Sample.visible, limit: 5)
            #expect(hits.map(\.memory.id) == [a.id])
            #expect(try store.keywordSearch("gamma", project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
            let purged = try store.history(memoryID: c.id, project: "default")
            #expect(purged.map(\.event) == [.add, .delete])
            #expect(purged.allSatisfy { $0.oldMemory == nil && $0.newMemory == nil })

            var missing = MemoryChanges()
            var ghost = a
            ghost.id = "ghost"
            missing.updates = [ghost]
            #expect(throws: MemoryError.notFound("ghost")) { try store.apply(missing) }
        }
    }

    @Test func visibilityHidesExpiredAndSupersededUnlessAsked() throws {
        try StoreFixture.run { store, _ in
            let live = Sample.memory("live", at: 0)
            let expiresToday = Sample.memory("expires today", at: 1, expires: Sample.today)
            let expired = Sample.memory("expired", at: 2, expires: "2025-12-31")
            let superseded = Sample.memory("superseded", at: 3, state: .superseded)
            try store.apply(Sample.inserting([live, expiresToday, expired, superseded]))
            func texts(_ visibility: Visibility) throws -> Set<String> {
                Set(try store.list(project: "default", filter: .all, visibility: visibility, page: 1, pageSize: 10).items.map(\.text))
            }
            #expect(try texts(Sample.visible) == ["live", "expires today"])
            #expect(try texts(Visibility(showExpired: true, today: Sample.today)) == ["live", "expires today", "expired"])
            #expect(try texts(Visibility(includeSuperseded: true, today: Sample.today)) == ["live", "expires today", "superseded"])
            #expect(try store.ids(project: "default", filter: .all).count == 4)
            let semantic = try store.semanticSearch(
                expired.embedding, project: "default", filter: .all, visibility: Sample.visible, limit: 10
            )
            #expect(Set(semantic.map(\.memory.text)) == ["live", "expires today"])
            // "expired" stems to "expir", as does "expires": only the visible one matches.
            let keyword = try store.keywordSearch("expired superseded", project: "default", filter: .all, visibility: Sample.visible, limit: 10)
            #expect(keyword.map(\.memory.text) == ["expires today"])
        }
    }

    @Test func listIsNewestFirstWithDeterministicTiesAndTotals() throws {
        try StoreFixture.run { store, _ in
            var memories = (0..<25).map { Sample.memory("memory \($0)", at: Double($0 / 2)) }
            memories.append(Sample.memory("other user", user: "bob", at: 100))
            memories.append(Sample.memory("other project", at: 100, project: "p2"))
            try store.apply(Sample.inserting(memories))
            let expected = memories.prefix(25).sorted {
                ($0.createdAt, $0.id) > ($1.createdAt, $1.id)
            }.map(\.id)
            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            var seen: [String] = []
            for page in 1...3 {
                let result = try store.list(project: "default", filter: alice, visibility: Sample.visible, page: page, pageSize: 10)
                #expect(result.total == 25)
                #expect(result.items.count == (page < 3 ? 10 : 5))
                #expect(result.hasNext == (page < 3))
                seen += result.items.map(\.id)
            }
            #expect(seen == expected)
            #expect(try store.list(project: "default", filter: alice, visibility: Sample.visible, page: 4, pageSize: 10).items.isEmpty)
            #expect(try store.list(project: "default", filter: alice, visibility: Sample.visible, page: Int.max, pageSize: 1000).items.isEmpty)
            #expect(throws: MemoryError.self) {
                try store.list(project: "default", filter: alice, visibility: Sample.visible, page: 0, pageSize: 10)
            }
        }
    }

    @Test func entitiesCountMemoriesAndDisappearAtZero() throws {
        try StoreFixture.run { store, _ in
            let a1 = Sample.memory("a1", user: "alice", at: 1)
            let a2 = Sample.memory("a2", user: "alice", agent: "helper", at: 2)
            let b1 = Sample.memory("b1", user: "bob", agent: "helper", run: "r9", at: 3)
            try store.apply(Sample.inserting([a1, a2, b1, Sample.memory("elsewhere", project: "p2")]))
            func counts() throws -> [String: Int] {
                Dictionary(uniqueKeysWithValues: try store.entities(project: "default").map { ("\($0.kind.rawValue):\($0.id)", $0.totalMemories) })
            }
            #expect(try counts() == ["user:alice": 2, "user:bob": 1, "agent:helper": 2, "run:r9": 1])
            let alice = try #require(try store.entities(project: "default").first { $0.id == "alice" })
            #expect(alice.createdAt == Sample.time(1))
            #expect(alice.updatedAt == Sample.time(2))

            var changes = MemoryChanges()
            changes.deletions = [b1.id, a1.id]
            try store.apply(changes)
            #expect(try counts() == ["user:alice": 1, "agent:helper": 1])

            var move = MemoryChanges()
            var moved = a2
            moved.scope = Scope(stored: "carol", agentID: nil, runID: nil)
            move.updates = [moved]
            try store.apply(move)
            #expect(try counts() == ["user:carol": 1])
            #expect(try store.entities(project: "p2").map(\.id) == ["alice"])
        }
    }

    @Test func historyIsOrderedPaginatedAndFilteredByScope() throws {
        try StoreFixture.run { store, _ in
            let a = Sample.memory("a", user: "alice", actor: "al", role: "user")
            let b = Sample.memory("b", user: "bob")
            var changes = MemoryChanges()
            changes.inserts = [a, b]
            changes.history = [
                Sample.event(for: a, .add, at: 0, new: "a"), Sample.event(for: b, .add, at: 0, new: "b"),
                Sample.event(for: a, .update, at: 5, old: "a", new: "a2"), Sample.event(for: a, .update, at: 5, old: "a2", new: "a3"),
                Sample.event(for: a, .delete, at: 9, old: "a3"),
            ]
            try store.apply(changes)
            let perMemory = try store.history(memoryID: a.id, project: "default")
            #expect(perMemory.map(\.newMemory) == ["a", "a2", "a3", nil])
            #expect(perMemory == [changes.history[0], changes.history[2], changes.history[3], changes.history[4]])
            #expect(try store.history(memoryID: a.id, project: "other").isEmpty)

            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            let page1 = try store.history(project: "default", filter: alice, event: nil, page: 1, pageSize: 3)
            #expect(page1.total == 4)
            #expect(page1.items.map(\.event) == [.delete, .update, .update])
            #expect(page1.items[1].newMemory == "a3")
            let page2 = try store.history(project: "default", filter: alice, event: nil, page: 2, pageSize: 3)
            #expect(page2.items.map(\.event) == [.add])
            #expect(try store.history(project: "default", filter: alice, event: .update, page: 1, pageSize: 10).total == 2)
            #expect(try store.history(project: "default", filter: .all, event: .add, page: 1, pageSize: 10).total == 2)
            let byActor = try Sample.filter(#"{"actor_id": "al", "created_at": {"gte": "\#(StoredTime.string(from: Sample.time(5)))"}}"#)
            #expect(try store.history(project: "default", filter: byActor, event: nil, page: 1, pageSize: 10).total == 3)
            #expect(throws: MemoryError.self) {
                try store.history(project: "default", filter: Sample.filter(#"{"topic": "x"}"#), event: nil, page: 1, pageSize: 10)
            }
        }
    }

    @Test func resetErasesOneProjectOnly() throws {
        try StoreFixture.run { store, _ in
            let mine = Sample.memory("mine")
            let theirs = Sample.memory("theirs", project: "p2")
            try store.apply(Sample.inserting([mine, theirs]))
            _ = try store.semanticSearch(mine.embedding, project: "default", filter: .all, visibility: Sample.visible, limit: 3)
            try store.reset(project: "default")
            #expect(try store.ids(project: "default", filter: .all).isEmpty)
            #expect(try store.entities(project: "default").isEmpty)
            #expect(try store.history(project: "default", filter: .all, event: nil, page: 1, pageSize: 10).total == 0)
            #expect(try store.semanticSearch(mine.embedding, project: "default", filter: .all, visibility: Sample.visible, limit: 3).isEmpty)
            #expect(try store.keywordSearch("mine", project: "default", filter: .all, visibility: Sample.visible, limit: 3).isEmpty)
            #expect(try store.ids(project: "p2", filter: .all) == [theirs.id])
        }
    }

    @Test func prepareRecordsTheEmbedderAndRefusesAnother() throws {
        try StoreFixture.run { store, fixture in
            // While the store holds no memories, another embedder may take over.
            try store.prepare(embeddingModel: "text-embedding-3-small", dimension: 1536)
            try store.prepare(embeddingModel: "all-MiniLM-L6-v2", dimension: 384)
            try store.prepare(embeddingModel: "all-MiniLM-L6-v2", dimension: 384)
            try store.apply(Sample.inserting([Sample.memory("a memory")]))
            let reopened = try fixture.open()
            do {
                try reopened.prepare(embeddingModel: "text-embedding-3-small", dimension: 1536)
                Issue.record("a different embedder was accepted")
            } catch MemoryError.embedderMismatch(let message) {
                #expect(message.contains("all-MiniLM-L6-v2"))
                #expect(message.contains("text-embedding-3-small"))
                #expect(message.contains("engram reindex"))
            }
            #expect(throws: MemoryError.self) { try reopened.prepare(embeddingModel: "all-MiniLM-L6-v2", dimension: 768) }
        }
    }

    @Test func jobsAreClaimedOnceFinishedWithTheirChangesAndRecoveredAfterACrash() throws {
        try StoreFixture.run { store, _ in
            for (index, id) in ["j1", "j2"].enumerated() {
                try store.enqueueJob(AddJob(id: id, project: "default", payload: "{}", createdAt: Sample.time(Double(index))))
            }
            let first = try #require(try store.claimJob(now: Sample.time(10)))
            #expect(first.id == "j1" && first.status == .running && first.attempts == 1)
            #expect(try store.claimJob(now: Sample.time(10))?.id == "j2")
            #expect(try store.claimJob(now: Sample.time(10)) == nil)

            // Changes and the job's end in one transaction: a failing change leaves the job running.
            var failing = Sample.inserting([Sample.memory("ok")])
            failing.deletions = ["no-such-memory"]
            failing.completedJob = JobCompletion(id: "j1", status: .succeeded, results: "{}", at: Sample.time(11))
            #expect(throws: (any Error).self) { try store.apply(failing) }
            #expect(try store.job(id: "j1", project: "default")?.status == .running)
            var changes = Sample.inserting([Sample.memory("ok")])
            changes.completedJob = JobCompletion(id: "j1", status: .succeeded, results: #"{"results":[]}"#, at: Sample.time(11))
            try store.apply(changes)
            let done = try #require(try store.job(id: "j1", project: "default"))
            #expect(done.status == .succeeded && done.results == #"{"results":[]}"# && done.completedAt == Sample.time(11))
            #expect(try store.job(id: "j1", project: "other") == nil)

            // j2's worker died: queued again until its third attempt, then failed with the reason.
            for attempt in 1...3 {
                let recovered = try store.recoverJobs(staleBefore: Sample.time(100), maxAttempts: 3, reason: "crashed", now: Sample.time(100))
                if attempt < 3 {
                    #expect(recovered == (1, 0))
                    #expect(try store.claimJob(now: Sample.time(20))?.attempts == attempt + 1)
                } else {
                    #expect(recovered == (0, 1))
                }
            }
            let failed = try #require(try store.job(id: "j2", project: "default"))
            #expect(failed.status == .failed && failed.error == "crashed")
            // A job still running within the lease is left alone.
            try store.enqueueJob(AddJob(id: "j3", project: "default", payload: "{}", createdAt: Sample.time(30)))
            _ = try store.claimJob(now: Sample.time(200))
            #expect(try store.recoverJobs(staleBefore: Sample.time(100), maxAttempts: 3, reason: "x", now: Sample.time(300)) == (0, 0))
        }
    }

    @Test func anUnusableFileReportsTheStoreUnavailable() throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try Data("this is not a database, just some text that is long enough".utf8).write(to: URL(fileURLWithPath: fixture.path))
        #expect(throws: MemoryError.self) { try fixture.open() }
        let directoryPath = fixture.directory.path
        #expect(throws: MemoryError.self) { try SQLiteMemoryStore(path: directoryPath) }
        let store = try SQLiteMemoryStore(path: fixture.directory.appendingPathComponent("ok/nested.sqlite").path)
        #expect(store.isReachable())
    }
}
