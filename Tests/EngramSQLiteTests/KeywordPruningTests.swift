import EngramCore
import Foundation
import GRDB
import Testing
@testable import EngramSQLite

/// The pruned keyword ranking (`KeywordPruning`), the index-first ranking of a pinned scope and the
/// term counts kept between searches (`TermCounts`): each must give exactly the ranking of one plain
/// pass over every match, scores included.
@Suite struct KeywordPruningTests {
    private static func term(_ text: String, _ documents: Int) -> KeywordPruning.Term {
        KeywordPruning.Term(text: text, documents: documents)
    }

    @Test func theFirstPassTakesTheRarestTermsUntilTheyHoldTheLimitInQueryOrder() {
        let terms = [Self.term("user", 9_000), Self.term("sushi", 40), Self.term("likes", 3_000), Self.term("osaka", 25)]
        #expect(KeywordPruning.firstPass(terms, limit: 60)?.map(\.text) == ["sushi", "osaka"])
        #expect(KeywordPruning.firstPass(terms, limit: 10)?.map(\.text) == ["osaka"])
        // Nothing left to prune when every term is needed.
        #expect(KeywordPruning.firstPass(terms, limit: 20_000) == nil)
        #expect(KeywordPruning.firstPass([Self.term("one", 5)], limit: 1) == nil)
    }

    @Test func skippableTermsAreTheCommonestWhoseBoundsSumBelowTheThreshold() {
        let rows: Int64 = 10_000
        let terms = [Self.term("user", 9_000), Self.term("sushi", 40), Self.term("likes", 3_000), Self.term("osaka", 25)]
        let first = [terms[1], terms[3]]
        let bound = { (documents: Int) in TextBM25.maximumContribution(idf: TextBM25.idf(rows: rows, hits: Int64(documents))) }
        // "user" is in 90 % of the rows: its IDF is floored at 1e-6, so any positive threshold skips it.
        #expect(KeywordPruning.skippable(terms, required: first, rows: rows, threshold: 0.001).map(\.text) == ["user"])
        let both = bound(9_000) + bound(3_000)
        #expect(KeywordPruning.skippable(terms, required: first, rows: rows, threshold: both * 1.01).map(\.text) == ["user", "likes"])
        #expect(KeywordPruning.skippable(terms, required: first, rows: rows, threshold: both * 0.99).map(\.text) == ["user"])
        // Never a required term, and nothing below a threshold of zero.
        #expect(KeywordPruning.skippable(terms, required: terms, rows: rows, threshold: 1_000).isEmpty)
        #expect(KeywordPruning.skippable(terms, required: first, rows: rows, threshold: 0).isEmpty)
    }

    @Test func pruningIsWorthwhileWhenTheQuerysWordsDifferInRarity() {
        let rows: Int64 = 100_000
        let skewed = [Self.term("user", 90_000), Self.term("likes", 30_000), Self.term("osaka", 300)]
        #expect(KeywordPruning.worthwhile(skewed, first: [skewed[2]], rows: rows))
        // Words about as common as each other: the final pass would read nearly every row again.
        let even = [Self.term("spicy", 29_000), Self.term("ramen", 28_700), Self.term("jazz", 28_600)]
        #expect(!KeywordPruning.worthwhile(even, first: [even[2]], rows: rows))
    }

    /// Texts where a few words are in most memories and others in few, over two users.
    private static func skewedMemories(count: Int, expiredShare: Int = 0) -> [Memory] {
        let common = ["user", "likes", "really"]
        let rare = ["sushi", "osaka", "cello", "marathon", "bees", "lisbon", "pottery", "ramen"]
        var generator = SplitMix(state: 29)
        return (0..<count).map { index in
            var words: [String] = []
            for word in common where Int.random(in: 0..<10, using: &generator) < 8 { words.append(word) }
            for _ in 0..<Int.random(in: 0...3, using: &generator) { words.append(rare.randomElement(using: &generator)!) }
            words.append(contentsOf: (0..<Int.random(in: 1...8, using: &generator)).map { "filler\($0 % 5)" })
            let expired = expiredShare > 0 && index % expiredShare != 0
            return Sample.memory(
                words.shuffled(using: &generator).joined(separator: " "), user: index % 4 == 0 ? "bob" : "alice",
                at: Double(index), expires: expired ? "2025-01-01" : nil
            )
        }
    }

    private static let queries = [
        "what sushi does the user really like", "user likes osaka and cello", "bees", "user likes",
        "marathon lisbon pottery ramen user", "really really user filler1 osaka",
    ]

    @Test("pruned rankings equal plain ones", arguments: [
        Filter.compare(.field(.userID), .eq, .string("alice")), .or([.compare(.field(.userID), .eq, .string("alice"))]),
    ])
    func prunedRankingsEqualPlainOnes(scope: Filter) throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        var pruning = SQLiteStoreConfiguration()
        pruning.keywordPruningMinimumDocuments = 0
        var plain = SQLiteStoreConfiguration()
        plain.keywordPruningMinimumDocuments = .max
        let pruned = try fixture.open(pruning)
        try pruned.apply(Sample.inserting(Self.skewedMemories(count: 3_000)))
        let reference = try fixture.open(plain)
        for query in Self.queries {
            for limit in [1, 10, 60] {
                let hits = try pruned.keywordSearch(query, project: "default", filter: scope, visibility: Sample.visible, limit: limit)
                let expected = try reference.keywordSearch(query, project: "default", filter: scope, visibility: Sample.visible, limit: limit)
                #expect(hits.map(\.memory.id) == expected.map(\.memory.id), "\(query) \(limit)")
                #expect(hits.map(\.score) == expected.map(\.score), "\(query) \(limit)")
                #expect(hits.count == limit, "\(query) \(limit)")
            }
        }
    }

    @Test func aScopeWhoseBestMatchesAreHiddenStillGetsItsBestVisibleOnes() throws {
        try StoreFixture.run { store, _ in
            // Nine in ten expired: the index's shortlist of a pinned scope is mostly hidden rows.
            try store.apply(Sample.inserting(Self.skewedMemories(count: 3_000, expiredShare: 10)))
            let pinned = Filter.compare(.field(.userID), .eq, .string("alice"))
            for query in Self.queries {
                let hits = try store.keywordSearch(query, project: "default", filter: pinned, visibility: Sample.visible, limit: 60)
                let unpinned = try store.keywordSearch(query, project: "default", filter: .or([pinned]), visibility: Sample.visible, limit: 60)
                // About 12 of the index's best 120 are visible: the ranking falls back to the join.
                #expect(hits.count > 12 && hits.allSatisfy { $0.memory.expirationDate == nil }, "\(query)")
                #expect(hits.map(\.memory.id) == unpinned.map(\.memory.id), "\(query)")
                #expect(hits.map(\.score) == unpinned.map(\.score), "\(query)")
            }
        }
    }

    @Test func termCountsFollowEveryWrite() throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let store = try fixture.open()
        let pinned = Filter.compare(.field(.userID), .eq, .string("alice"))
        let search = { (store: SQLiteMemoryStore) in
            try store.keywordSearch("sushi osaka", project: "default", filter: pinned, visibility: Sample.visible, limit: 20)
        }
        var memories = Self.skewedMemories(count: 400)
        try store.apply(Sample.inserting(memories))
        _ = try search(store)
        // Adds in another project change every IDF (it is over the whole table), then a delete and an update.
        let elsewhere = (0..<50).map { Sample.memory("sushi sushi \($0)", project: "other") }
        try store.apply(Sample.inserting(elsewhere))
        var changes = MemoryChanges()
        changes.deletions = [memories[0].id]
        memories[1].text = "osaka osaka"
        changes.updates = [memories[1]]
        try store.apply(changes)
        for _ in 0..<2 {
            let cached = try search(store)
            let fresh = try search(try fixture.open())
            #expect(cached.map(\.memory.id) == fresh.map(\.memory.id))
            #expect(cached.map(\.score) == fresh.map(\.score))
        }
    }

    @Test func termCountsServeOnlyTheVersionTheyWereMadeAt() {
        let counts = TermCounts(capacity: 4)
        counts.store(["a": 1, "b": 2], at: 7)
        #expect(counts.counts(of: ["a", "b", "c"], at: 7) == [1, 2, nil])
        #expect(counts.counts(of: ["a"], at: 8) == [nil])
        // An older snapshot's counts never replace newer ones.
        counts.store(["a": 5], at: 6)
        #expect(counts.counts(of: ["a"], at: 7) == [1])
        counts.store(["c": 3], at: 8)
        #expect(counts.counts(of: ["a", "c"], at: 8) == [nil, 3])
        // Full: the old terms go.
        counts.store(["d": 1, "e": 1, "f": 1, "g": 1], at: 8)
        #expect(counts.counts(of: ["c", "d"], at: 8) == [nil, 1])
    }
}
