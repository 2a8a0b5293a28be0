import EngramCore
import Foundation
import Testing

/// The admin operations (counters, export pages, id checks, reindex staging), on every store.
@Suite struct AdminContractTests {
    private func admin(_ store: any MemoryStore) throws -> any AdminStore {
        try #require(store as? any AdminStore)
    }

    @Test(arguments: StoreKind.allCases)
    func countersFollowInsertsAndDeletes(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let admin = try admin(store)
            #expect(try admin.statistics().memoriesByProject.isEmpty)
            let memories = (0..<5).map { Sample.memory("fact \($0)", at: Double($0)) } + [Sample.memory("elsewhere", project: "other")]
            try store.apply(Sample.inserting(memories))
            var statistics = try admin.statistics()
            #expect(statistics.memoriesByProject == ["default": 5, "other": 1])
            #expect((statistics.bytes ?? 0) > 0)
            var deletion = MemoryChanges()
            deletion.deletions = [memories[0].id, memories[1].id]
            try store.apply(deletion)
            try store.reset(project: "other")
            statistics = try admin.statistics()
            #expect(statistics.memoriesByProject == ["default": 3])
            #expect(try admin.projects() == ["default"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func archivePagesWalkEveryStateInIDOrderWithinTheFilter(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let admin = try admin(store)
            var memories: [Memory] = []
            for index in 0..<7 {
                memories.append(Sample.memory(
                    "alice \(index)", id: String(format: "00000000-0000-0000-0000-%012d", index), at: Double(index),
                    expires: index == 2 ? "2000-01-01" : nil, state: index == 3 ? .superseded : .active))
            }
            memories.append(Sample.memory("bob", id: "00000000-0000-0000-0000-000000000100", user: "bob"))
            try store.apply(Sample.inserting(memories))
            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            var seen: [String] = []
            var after: String?
            while true {
                let page = try admin.archivePage(project: "default", filter: alice, after: after, limit: 3)
                guard let last = page.last else { break }
                seen += page.map(\.id)
                after = last.id
            }
            #expect(seen == memories.prefix(7).map(\.id), "expired and superseded memories are exported too")
            #expect(try admin.archivePage(project: "default", filter: .all, after: nil, limit: 100).count == 8)
            #expect(try admin.archivePage(project: "other", filter: .all, after: nil, limit: 100).isEmpty)
            let histories = try admin.histories(memoryIDs: [memories[0].id, memories[1].id, "missing"], project: "default")
            #expect(histories.count == 2)
            #expect(histories[memories[0].id]?.map(\.event) == [.add])
            #expect(try admin.histories(memoryIDs: [memories[0].id], project: "other").isEmpty)
            #expect(try admin.takenIDs([memories[0].id, "free-id"], kind: .memory) == [memories[0].id])
            let historyID = try #require(histories[memories[0].id]?.first?.id)
            #expect(try admin.takenIDs([historyID, "free-id"], kind: .history) == [historyID])
            #expect(try admin.takenIDs(["free-id"], kind: .relation).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func reindexSwapsInEveryVectorOnlyWhenAllAreStaged(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let admin = try admin(store)
            let memories = (0..<5).map { Sample.memory("text \($0)", at: Double($0)) }
            try store.apply(Sample.inserting(memories))
            try admin.beginReindex(model: "new-model", dimension: 4)
            let pending = try admin.reindexPending(after: nil, limit: 3)
            #expect(pending.count == 3)
            func vector(_ index: Int) -> [Float] { [0, 0, 0, 0].enumerated().map { $0.offset == index % 4 ? 1 : 0 } }
            try admin.stage(pending.enumerated().map { StagedVector(memoryID: $1.id, hash: $1.hash, embedding: vector($0)) })
            #expect(try admin.reindexProgress() == (total: 5, staged: 3))
            // Not all staged: refused, nothing changes.
            #expect(throws: MemoryError.self) { try admin.finishReindex(model: "new-model", dimension: 4) }
            #expect(try store.setting("embedding_model") == "contract-test")
            // Restarting for the same model keeps what was staged; the rest is pending after the last.
            try admin.beginReindex(model: "new-model", dimension: 4)
            let rest = try admin.reindexPending(after: nil, limit: 10)
            #expect(rest.count == 2)
            try admin.stage(rest.map { StagedVector(memoryID: $0.id, hash: $0.hash, embedding: [0, 0, 0, 1]) })
            try admin.finishReindex(model: "new-model", dimension: 4)
            #expect(try store.setting("embedding_model") == "new-model")
            #expect(try store.setting("embedding_dimension") == "4")
            #expect(try admin.reindexProgress() == (total: 5, staged: 0))
            try store.prepare(embeddingModel: "new-model", dimension: 4)
            let hits = try store.semanticSearch([0, 0, 0, 1], project: "default", filter: .all, visibility: Sample.visible, limit: 5)
            #expect(hits.count == 5)
            #expect(hits.first?.memory.embedding.count == 4)
            // Another model's staged vectors are dropped when a reindex to a third begins.
            try admin.beginReindex(model: "third", dimension: 4)
            try admin.stage([StagedVector(memoryID: memories[0].id, hash: memories[0].hash, embedding: [1, 0, 0, 0])])
            try admin.beginReindex(model: "fourth", dimension: 4)
            #expect(try admin.reindexProgress().staged == 0)
        }
    }
}
