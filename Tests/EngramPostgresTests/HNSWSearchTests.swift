import EngramCore
import Foundation
import Testing
@testable import EngramPostgres

/// Semantic search over a filter too large for the exact path: the HNSW index with an iterative scan.
@Suite struct HNSWSearchTests {
    @Test func aLargeScopeIsSearchedThroughTheIndexWithHighRecallAndTheFilterKept() throws {
        let dimension = 32
        let (store, _) = try makePostgresStore(dimension: dimension) { $0.exactSearchLimit = 100 }
        var generator = SeededGenerator(state: 7)
        // alice holds 10% of 4,000 memories: the index must keep scanning until enough of hers pass.
        let memories = (0..<4000).map { index in
            testMemory("memory \(index)", user: index % 10 == 0 ? "alice" : "bob", at: Double(index),
                       embedding: unitVector(&generator, dimension: dimension))
        }
        for chunk in stride(from: 0, to: memories.count, by: 500) {
            try store.apply(inserting(Array(memories[chunk..<min(chunk + 500, memories.count)])))
        }
        let alice = Filter.compare(.field(.userID), .eq, .string("alice"))
        let visible = Visibility(today: "2026-01-01")
        var found = 0
        let queries = 20
        for _ in 0..<queries {
            let query = unitVector(&generator, dimension: dimension)
            let hits = try store.semanticSearch(query, project: "default", filter: alice, visibility: visible, limit: 10)
            #expect(hits.count == 10)
            #expect(hits.allSatisfy { $0.memory.scope.userID == "alice" })
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
            let exact = memories.filter { $0.scope.userID == "alice" }
                .map { memory in (memory.id, zip(memory.embedding, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
                .sorted { $0.1 > $1.1 }.prefix(10).map(\.0)
            found += Set(hits.map(\.memory.id)).intersection(exact).count
        }
        let recall = Double(found) / Double(queries * 10)
        #expect(recall >= 0.9, "recall@10 \(recall)")
    }

    @Test func searchesBeforePrepareSkipVectorsOfOtherSizes() throws {
        let (store, _) = try makePostgresStore(dimension: nil)
        var generator = SeededGenerator(state: 3)
        let small = testMemory("small", embedding: unitVector(&generator, dimension: 4))
        let large = testMemory("large", embedding: unitVector(&generator, dimension: 6))
        try store.apply(inserting([small, large]))
        let hits = try store.semanticSearch(small.embedding, project: "default", filter: .all, visibility: Visibility(today: "2026-01-01"), limit: 5)
        #expect(hits.map(\.memory.id) == [small.id])
    }
}
