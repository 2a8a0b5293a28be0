import EngramCore
import Foundation
import Testing

/// `apply`, `memory(id:)`, `reset`, settings and `prepare`, on every store.
@Suite struct WriteContractTests {
    @Test(arguments: StoreKind.allCases)
    func aMemoryRoundTripsWithEveryField(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
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

    @Test(arguments: StoreKind.allCases)
    func aLargeChangeSetIsWrittenWholeOrNotAtAll(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            // 150 rows: more than one multi-row statement, in chunks of every size.
            let batch = (0..<150).map { Sample.memory("bulk fact number \($0)", user: $0 % 2 == 0 ? "alice" : "bob", at: Double($0)) }
            try store.apply(Sample.inserting(batch))
            #expect(Set(try store.ids(project: "default", filter: .all)) == Set(batch.map(\.id)))
            #expect(try store.history(project: "default", filter: .all, event: nil, page: 1, pageSize: 10).total == 150)
            for memory in [batch[0], batch[63], batch[64], batch[149]] {
                #expect(try store.memory(id: memory.id, project: "default") == memory)
            }

            // A collision in the last chunk rolls back the chunks already sent.
            var second = (0..<100).map { Sample.memory("second batch fact \($0)", at: Double(200 + $0)) }
            second[98].id = batch[5].id
            #expect(throws: (any Error).self) { try store.apply(Sample.inserting(second)) }
            #expect(try store.ids(project: "default", filter: .all).count == 150)
            #expect(try store.history(project: "default", filter: .all, event: nil, page: 1, pageSize: 10).total == 150)
            #expect(try store.memory(id: second[0].id, project: "default") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFailingChangeSetWritesNothing(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let first = Sample.memory("the original memory", user: "alice")
            try store.apply(Sample.inserting([first]))
            let fresh = Sample.memory("zebra crossing memory", user: "zed")
            var duplicate = Sample.memory("duplicate of the first", id: first.id)
            duplicate.scope = Scope(stored: "yann", agentID: nil, runID: nil)
            #expect(throws: (any Error).self) { try store.apply(Sample.inserting([fresh, duplicate])) }

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

    @Test(arguments: StoreKind.allCases)
    func updatesSupersessionsDeletionsAndPurgesApply(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
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

            var missingUpdate = MemoryChanges()
            var ghost = a
            ghost.id = "ghost"
            missingUpdate.updates = [ghost]
            #expect(throws: MemoryError.notFound("ghost")) { try store.apply(missingUpdate) }
            var missingSupersession = MemoryChanges()
            missingSupersession.supersessions = ["ghost"]
            #expect(throws: MemoryError.notFound("ghost")) { try store.apply(missingSupersession) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func resetErasesOneProjectOnly(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
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
            #expect(try store.entities(project: "p2").map(\.id) == ["alice"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func settingsAreStoredReplacedAndRemoved(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, fixture in
            #expect(try store.setting("overrides") == nil)
            try store.setSetting("overrides", value: #"{"a": 1}"#)
            try store.setSetting("overrides", value: #"{"a": 2, "quote": "'; --"}"#)
            #expect(try fixture.open().setting("overrides") == #"{"a": 2, "quote": "'; --"}"#)
            try store.setSetting("overrides", value: nil)
            #expect(try store.setting("overrides") == nil)
            try store.setSetting("missing", value: nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func prepareRecordsTheEmbedderAndRefusesAnother(kind: StoreKind) throws {
        try StoreFixture.run(kind, dimension: nil) { store, fixture in
            // While the store holds no memories, another embedder may take over.
            try store.prepare(embeddingModel: "text-embedding-3-small", dimension: 1536)
            try store.prepare(embeddingModel: "all-MiniLM-L6-v2", dimension: 384)
            try store.prepare(embeddingModel: "all-MiniLM-L6-v2", dimension: 384)
            try store.apply(Sample.inserting([Sample.memory("a memory", embedding: Sample.unitVector(seed: 1, dimension: 384))]))
            let reopened = try fixture.open()
            try reopened.prepare(embeddingModel: "all-MiniLM-L6-v2", dimension: 384)
            do {
                try reopened.prepare(embeddingModel: "text-embedding-3-small", dimension: 1536)
                Issue.record("a different embedder was accepted")
            } catch MemoryError.embedderMismatch(let message) {
                #expect(message.contains("all-MiniLM-L6-v2"))
                #expect(message.contains("text-embedding-3-small"))
                #expect(message.contains("engram reindex"))
            }
            #expect(throws: MemoryError.self) { try reopened.prepare(embeddingModel: "all-MiniLM-L6-v2", dimension: 768) }
            #expect(throws: MemoryError.self) { try reopened.prepare(embeddingModel: "", dimension: 384) }
        }
    }
}
