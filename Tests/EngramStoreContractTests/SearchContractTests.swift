import EngramCore
import Foundation
import Testing

/// Semantic and keyword search, on every store.
@Suite struct SearchContractTests {
    @Test(arguments: StoreKind.allCases)
    func adjacentMemoriesFollowCreationOrderWithinTheFilter(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            // Two users' turns interleave in time; ids tie-break one shared second.
            let a1 = Sample.memory("alice one", at: 1)
            let b1 = Sample.memory("bob one", user: "bob", at: 2)
            let a2 = Sample.memory("alice two", id: "00000000-0000-0000-0000-00000000000a", at: 3)
            let a3 = Sample.memory("alice three", id: "00000000-0000-0000-0000-00000000000b", at: 3)
            let gone = Sample.memory("alice superseded", at: 4, state: .superseded)
            let a4 = Sample.memory("alice four", at: 5)
            let other = Sample.memory("alice elsewhere", at: 4.5, project: "other")
            try store.apply(Sample.inserting([a1, b1, a2, a3, gone, a4, other]))
            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            let found = try store.adjacentMemories(
                to: [a1.id, a2.id, a3.id, a4.id, b1.id, "missing"], project: "default", filter: alice, visibility: Sample.visible)
            #expect(found[a1.id] == AdjacentMemories(previous: nil, next: a2.id))
            #expect(found[a2.id] == AdjacentMemories(previous: a1.id, next: a3.id))
            #expect(found[a3.id] == AdjacentMemories(previous: a2.id, next: a4.id))
            #expect(found[a4.id] == AdjacentMemories(previous: a3.id, next: nil))
            // Bob's memory is outside the filter: its neighbours are alice's around it in time.
            #expect(found[b1.id] == AdjacentMemories(previous: a1.id, next: a2.id))
            #expect(found["missing"] == nil)
            let withSuperseded = try store.adjacentMemories(
                to: [a3.id], project: "default", filter: alice, visibility: Visibility(includeSuperseded: true, today: Sample.today))
            #expect(withSuperseded[a3.id]?.next == gone.id)
            let bob = try store.adjacentMemories(to: [b1.id], project: "default", filter: try Sample.filter(#"{"user_id": "bob"}"#), visibility: Sample.visible)
            #expect(bob.isEmpty)
            #expect(try store.adjacentMemories(to: [], project: "default", filter: alice, visibility: Sample.visible).isEmpty)
            #expect(try store.texts(ids: [a1.id, gone.id, other.id, "missing"], project: "default") == [a1.id: "alice one", gone.id: "alice superseded"])
            #expect(try store.texts(ids: [], project: "default").isEmpty)
            #expect(try store.adjacentMemories(to: [a1.id], project: "other", filter: alice, visibility: Sample.visible).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func keywordSearchRanksBetterMatchesFirstAndMatchesPartially(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
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
            #expect(hits[0].memory == both)
            let limited = try store.keywordSearch("pizza pineapple", project: "default", filter: .all, visibility: Sample.visible, limit: 1)
            #expect(limited.map(\.memory.id) == [otherUser.id])
            let stemmed = try store.keywordSearch("loving", project: "default", filter: alice, visibility: Sample.visible, limit: 10)
            #expect(stemmed.map(\.memory.id) == [both.id])
            #expect(try store.keywordSearch("pizza", project: "default", filter: alice, visibility: Sample.visible, limit: 0).isEmpty)
            #expect(try store.keywordSearch("pizza", project: "other", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func keywordQueriesAreNeverParsedAsQuerySyntax(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            try store.apply(Sample.inserting([Sample.memory("near the pizza oven, not far")]))
            let hostile = [
                "\"", "*", "NEAR(", "-", "pizza\" OR \"x", "NEAR(pizza oven, 2)", "text:pizza", "pizza*", "^pizza",
                "AND", "NOT pizza", "(((", "'; DROP TABLE memories; --", "\u{0}", "", "pizza & !oven", "pizza <-> oven",
                "'pizza':*", "pizza | oven", "!!pizza", "pizza:A", "\\", "$1", "%s",
            ]
            for query in hostile {
                _ = try store.keywordSearch(query, project: "default", filter: .all, visibility: Sample.visible, limit: 5)
            }
            for query in ["", "   ", "\"*-()^:", "!!!", "&|<->"] {
                #expect(try store.keywordSearch(query, project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
            }
            let literal = try store.keywordSearch("NOT pizza", project: "default", filter: .all, visibility: Sample.visible, limit: 5)
            #expect(literal.count == 1)
            let negated = try store.keywordSearch("pizza & !oven", project: "default", filter: .all, visibility: Sample.visible, limit: 5)
            #expect(negated.count == 1)
            #expect(try store.ids(project: "default", filter: .all).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func semanticSearchIsExactAgainstBruteForce(kind: StoreKind) throws {
        let dimension = 67
        try StoreFixture.run(kind, dimension: dimension) { store, _ in
            var generator = SplitMix(state: 42)
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
                #expect(hits.first?.memory.embedding.count == dimension)
            }
            #expect(try store.semanticSearch([], project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
            #expect(try store.semanticSearch(memories[0].embedding, project: "default", filter: .all, visibility: Sample.visible, limit: 0).isEmpty)
            let wrongDimension = Sample.unitVector(seed: 1, dimension: 8)
            #expect(try store.semanticSearch(wrongDimension, project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
            #expect(try store.semanticSearch(memories[0].embedding, project: "other", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func searchesSeeEveryWrite(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let first = Sample.memory("kiwi fruit salad")
            try store.apply(Sample.inserting([first]))
            #expect(try store.semanticSearch(first.embedding, project: "default", filter: .all, visibility: Sample.visible, limit: 1).first?.memory.id == first.id)
            var edit = MemoryChanges()
            var changed = first
            changed.text = "mango smoothie"
            changed.embedding = Sample.unitVector(seed: 99, dimension: 8)
            edit.updates = [changed]
            try store.apply(edit)
            let hit = try #require(try store.semanticSearch(changed.embedding, project: "default", filter: .all, visibility: Sample.visible, limit: 1).first)
            #expect(hit.memory == changed)
            #expect(abs(hit.score - 1) < 1e-5)
            #expect(try store.keywordSearch("kiwi", project: "default", filter: .all, visibility: Sample.visible, limit: 5).isEmpty)
            #expect(try store.keywordSearch("smoothies", project: "default", filter: .all, visibility: Sample.visible, limit: 5).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func candidatesMatchTheFullSearchesAndWinnersAreReadById(kind: StoreKind) throws {
        let dimension = 16
        try StoreFixture.run(kind, dimension: dimension) { store, _ in
            var generator = SplitMix(state: 7)
            var memories: [Memory] = []
            for index in 0..<40 {
                let text = index % 2 == 0 ? "pizza night number \(index)" : "quiet evening \(index)"
                let user = index % 4 == 0 ? "bob" : "alice"
                let embedding = Sample.unitVector(using: &generator, dimension: dimension)
                memories.append(Sample.memory(text, user: user, at: Double(index), embedding: embedding))
            }
            try store.apply(Sample.inserting(memories))
            let elsewhere = Sample.memory(
                "pizza elsewhere", project: "other", embedding: Sample.unitVector(using: &generator, dimension: dimension))
            try store.apply(Sample.inserting([elsewhere]))
            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            let query = Sample.unitVector(using: &generator, dimension: dimension)

            let semantic = try store.semanticSearch(query, project: "default", filter: alice, visibility: Sample.visible, limit: 7)
            let semanticIDs = try store.semanticCandidates(query, project: "default", filter: alice, visibility: Sample.visible, limit: 7)
            #expect(semanticIDs == semantic.map { SearchCandidate(id: $0.memory.id, score: $0.score) })
            let keyword = try store.keywordSearch("pizza", project: "default", filter: alice, visibility: Sample.visible, limit: 5)
            let keywordIDs = try store.keywordCandidates("pizza", project: "default", filter: alice, visibility: Sample.visible, limit: 5)
            #expect(keywordIDs == keyword.map { SearchCandidate(id: $0.memory.id, score: $0.score) })
            #expect(keywordIDs.count == 5)

            let asked = [memories[3].id, memories[8].id, "no-such-id", elsewhere.id, memories[3].id]
            let similar = try store.similarities(query, ids: asked, project: "default")
            #expect(Set(similar.keys) == [memories[3].id, memories[8].id])
            for id in similar.keys {
                let memory = try #require(memories.first { $0.id == id })
                let expected = zip(memory.embedding, query).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                #expect(abs(similar[id]! - expected) < 1e-5)
            }
            #expect(try store.similarities(Sample.unitVector(seed: 3, dimension: 5), ids: asked, project: "default").isEmpty)

            let read = try store.memories(ids: asked, project: "default")
            #expect(Set(read.keys) == [memories[3].id, memories[8].id])
            #expect(read[memories[8].id] == memories[8])
            #expect(try store.memories(ids: [], project: "default").isEmpty)
            #expect(try store.memories(ids: [elsewhere.id], project: "other")[elsewhere.id] == elsewhere)
        }
    }
}
