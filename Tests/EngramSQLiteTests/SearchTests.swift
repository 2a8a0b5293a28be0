import EngramCore
import Foundation
import Testing
@testable import EngramSQLite

@Suite struct SearchTests {
    @Test func keywordSearchRanksByBM25AndMatchesPartially() throws {
        try StoreFixture.run { store, _ in
            let both = Sample.memory("I love pizza with pineapple on top")
            let one = Sample.memory("Pizza is great for dinner parties and other gatherings of many friends")
            let none = Sample.memory("The weather is cold today")
            let otherUser = Sample.memory("pizza pineapple pizza pineapple", user: "bob")
            try store.apply(Sample.inserting([both, one, none, otherUser]))
            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            let hits = try store.keywordSearch("Pizza & pineapple?", project: "default", filter: alice, visibility: Sample.visible, limit: 10)
            #expect(hits.map(\.memory.id) == [both.id, one.id])
            #expect(hits[0].score > hits[1].score && hits[1].score > 0)
            #expect(hits.allSatisfy { $0.keywordScore == $0.score && $0.semanticScore == nil })
            let limited = try store.keywordSearch("pizza pineapple", project: "default", filter: .all, visibility: Sample.visible, limit: 1)
            #expect(limited.map(\.memory.id) == [otherUser.id])
            let stemmed = try store.keywordSearch("loving", project: "default", filter: alice, visibility: Sample.visible, limit: 10)
            #expect(stemmed.map(\.memory.id) == [both.id])
        }
    }

    @Test func keywordQueriesAreNeverParsedAsFTSSyntax() throws {
        try StoreFixture.run { store, _ in
            try store.apply(Sample.inserting([Sample.memory("near the pizza oven, not far")]))
            let hostile = [
                "\"", "*", "NEAR(", "-", "pizza\" OR \"x", "NEAR(pizza oven, 2)", "text:pizza", "pizza*", "^pizza",
                "AND", "NOT pizza", "(((", "'; DROP TABLE memories; --", "\u{0}", "",
            ]
            for query in hostile {
                _ = try store.keywordSearch(query, project: "default", filter: .all, visibility: Sample.visible, limit: 5)
            }
            for query in ["", "   ", "\"*-()^:", "!!!"] {
                #expect(try store.keywordSearch(query, project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
            }
            let literal = try store.keywordSearch("NOT pizza", project: "default", filter: .all, visibility: Sample.visible, limit: 5)
            #expect(literal.count == 1)
            #expect(try store.ids(project: "default", filter: .all).count == 1)
        }
    }

    @Test func semanticSearchIsExactAgainstBruteForce() throws {
        try StoreFixture.run { store, _ in
            var generator = SplitMix(state: 42)
            let dimension = 67
            let memories = (0..<600).map { index in
                Sample.memory(
                    "memory \(index)", user: index % 3 == 0 ? "bob" : "alice", at: Double(index),
                    embedding: Sample.unitVector(using: &generator, dimension: dimension)
                )
            }
            try store.apply(Sample.inserting(memories))
            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            for _ in 0..<20 {
                let query = Sample.unitVector(using: &generator, dimension: dimension)
                let hits = try store.semanticSearch(query, project: "default", filter: alice, visibility: Sample.visible, limit: 10)
                let reference = memories.filter { $0.scope.userID == "alice" }
                    .map { memory in (memory.id, zip(memory.embedding, query).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }) }
                    .sorted { $0.1 > $1.1 }
                    .prefix(10)
                #expect(hits.map(\.memory.id) == reference.map(\.0))
                for (hit, expected) in zip(hits, reference) {
                    #expect(abs(hit.score - expected.1) < 1e-5)
                    #expect(hit.semanticScore == hit.score)
                }
                #expect(hits[0].memory.embedding.count == dimension)
            }
            #expect(try store.semanticSearch([], project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
            #expect(try store.semanticSearch(memories[0].embedding, project: "default", filter: .all, visibility: Sample.visible, limit: 0).isEmpty)
            let wrongDimension = Sample.unitVector(seed: 1, dimension: 8)
            #expect(try store.semanticSearch(wrongDimension, project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
        }
    }

    @Test func theVectorCacheFollowsEveryWrite() throws {
        try StoreFixture.run { store, _ in
            var generator = SplitMix(state: 7)
            let memories = (0..<50).map { Sample.memory("m\($0)", embedding: Sample.unitVector(using: &generator, dimension: 16)) }
            try store.apply(Sample.inserting(memories))
            let query = Sample.unitVector(using: &generator, dimension: 16)
            func top() throws -> [ScoredMemory] {
                try store.semanticSearch(query, project: "default", filter: .all, visibility: Sample.visible, limit: 3)
            }
            let before = try top()
            #expect(try top() == before)
            #expect(store.vectorCache.count == 1)

            let exact = Sample.memory("exact match", embedding: query)
            try store.apply(Sample.inserting([exact]))
            #expect(try top().first?.memory.id == exact.id)

            var delete = MemoryChanges()
            delete.deletions = [exact.id]
            try store.apply(delete)
            #expect(try top() == before)

            var update = MemoryChanges()
            var moved = memories[10]
            moved.embedding = query
            update.updates = [moved]
            try store.apply(update)
            #expect(try top().first?.memory.id == moved.id)

            var supersede = MemoryChanges()
            supersede.supersessions = [moved.id]
            try store.apply(supersede)
            #expect(try top().first?.memory.id != moved.id)
            #expect(try top().map(\.memory.id) == before.map(\.memory.id))
        }
    }

    @Test func theCandidateCountIsKnownOnceAScopesVectorsAreCached() throws {
        try StoreFixture.run { store, _ in
            var generator = SplitMix(state: 5)
            try store.apply(Sample.inserting((0..<12).map {
                Sample.memory("m\($0)", user: $0 < 8 ? "alice" : "bob", embedding: Sample.unitVector(using: &generator, dimension: 16))
            }))
            let alice = Filter.and([.and([.compare(.field(.userID), .eq, .string("alice"))])])
            func known() -> Int? {
                store.knownCandidateCount(project: "default", filter: alice, visibility: Sample.visible, dimension: 16)
            }
            #expect(known() == nil)
            _ = try store.semanticSearch(Sample.unitVector(using: &generator, dimension: 16), project: "default", filter: alice,
                                         visibility: Sample.visible, limit: 3)
            #expect(known() == 8)
            #expect(store.knownCandidateCount(project: "default", filter: .all, visibility: Sample.visible, dimension: 16) == nil)
        }
    }

    @Test func aScopesCachedVectorsOutliveWritesInOtherScopesAndFollowItsOwn() throws {
        try StoreFixture.run { store, _ in
            var generator = SplitMix(state: 9)
            func memory(_ text: String, user: String, agent: String? = nil, embedding: [Float]? = nil) -> Memory {
                Sample.memory(text, user: user, agent: agent, embedding: embedding ?? Sample.unitVector(using: &generator, dimension: 16))
            }
            try store.apply(Sample.inserting((0..<30).map { memory("a\($0)", user: "alice") } + (0..<30).map { memory("b\($0)", user: "bob") }))
            let query = Sample.unitVector(using: &generator, dimension: 16)
            let alice = Filter.and([.and([.compare(.field(.userID), .eq, .string("alice"))])])
            func top() throws -> [ScoredMemory] {
                try store.semanticSearch(query, project: "default", filter: alice, visibility: Sample.visible, limit: 3)
            }
            let before = try top()
            let misses = store.vectorCache.missCount

            // Writes in bob's scope, and in alice's name in another project, keep alice's vectors.
            try store.apply(Sample.inserting([memory("b-new", user: "bob", embedding: query)]))
            try store.apply(Sample.inserting([Sample.memory("other project", user: "alice", project: "elsewhere", embedding: query)]))
            #expect(try top() == before)
            #expect(store.vectorCache.missCount == misses)

            // Alice's own insert, an update that moves a memory into her scope, and a delete are seen.
            let exact = memory("exact", user: "alice", embedding: query)
            try store.apply(Sample.inserting([exact]))
            #expect(try top().first?.memory.id == exact.id)
            var delete = MemoryChanges()
            delete.deletions = [exact.id]
            try store.apply(delete)
            #expect(try top() == before)
            let bobs = memory("bob's, then alice's", user: "bob", agent: "helper", embedding: query)
            try store.apply(Sample.inserting([bobs]))
            #expect(try top() == before)
            var move = MemoryChanges()
            var moved = bobs
            moved.scope = Scope(stored: "alice", agentID: "helper", runID: nil)
            move.updates = [moved]
            try store.apply(move)
            #expect(try top().first?.memory.id == bobs.id)
            // The insert extended her cached set; the delete and the move read it again.
            #expect(store.vectorCache.missCount == misses + 2)
            #expect(store.vectorCache.extensionCount == 1)
        }
    }

    @Test func theVectorCacheStaysWithinItsBudget() throws {
        let cache = VectorCache(floatBudget: 100)
        let one = VectorCache.Version(generation: 1, inserted: 1)
        let two = VectorCache.Version(generation: 2, inserted: 1)
        let set = CandidateVectors(dimension: 10, vectors: Array(repeating: 0, count: 40), seqs: [1, 2, 3, 4], ids: ["a", "b", "c", "d"])
        for index in 0..<5 {
            cache.store(set, for: VectorCache.Key(project: "p\(index)", condition: SQLFragment("1"), dimension: 10), version: one)
        }
        #expect(cache.count == 2)
        #expect(cache.vectors(for: VectorCache.Key(project: "p4", condition: SQLFragment("1"), dimension: 10), version: one) != nil)
        #expect(cache.vectors(for: VectorCache.Key(project: "p4", condition: SQLFragment("1"), dimension: 10), version: two) == nil)
        #expect(cache.vectors(for: VectorCache.Key(project: "p0", condition: SQLFragment("1"), dimension: 10), version: one) == nil)
        let huge = CandidateVectors(dimension: 10, vectors: Array(repeating: 0, count: 110), seqs: Array(1...11), ids: (1...11).map(String.init))
        cache.store(huge, for: VectorCache.Key(project: "huge", condition: SQLFragment("1"), dimension: 10), version: one)
        #expect(cache.count == 2)
    }

    @Test func topKKeepsTheBestScoresInOrder() {
        var heap = TopK(capacity: 3)
        for (index, score) in [0.1, 0.9, 0.5, 0.9, -1, 0.7].enumerated() { heap.offer(score: Float(score), index: index) }
        let kept = heap.sortedDescending()
        #expect(kept.map(\.index) == [1, 3, 5])
    }
}
