import Testing
@testable import EngramSQLite

/// The MATCH expression built from user text: quoted words, OR-joined, function words dropped, looked up
/// in the text column; scope tokens required in the scope column.
@Suite("Keyword query")
struct KeywordQueryTests {
    @Test("quotes each word, joins them with OR and drops function words")
    func builds() {
        #expect(KeywordQuery.matchExpression(for: "Where does the cat sleep?", maxTerms: 64) == #"text : ("cat" OR "sleep")"#)
    }

    @Test("keeps function words when the query has nothing else")
    func onlyFunctionWords() {
        #expect(KeywordQuery.matchExpression(for: "who is it", maxTerms: 64) == #"text : ("who" OR "is" OR "it")"#)
    }

    @Test("never lets FTS syntax through, and gives nil without letters or digits")
    func hostile() {
        #expect(KeywordQuery.matchExpression(for: #"NEAR("a" b) OR c* -d"#, maxTerms: 64) == #"text : ("NEAR" OR "b" OR "c" OR "d")"#)
        #expect(KeywordQuery.matchExpression(for: "?!* \"\" --", maxTerms: 64) == nil)
    }

    @Test("requires each scope token in the scope column, after the words")
    func scopeTokens() {
        let expression = KeywordQuery.matchExpression(for: "cat", maxTerms: 64, scopeTokens: ["u64x61", "r64x62"])
        #expect(expression == #"text : ("cat") AND scope : "u64x61" AND scope : "r64x62""#)
        #expect(KeywordQuery.matchExpression(for: "?!", maxTerms: 64, scopeTokens: ["u64x61"]) == nil)
    }
}

@Suite struct RarestKeywordTermsTests {
    @Test func theRarestTermsAreKeptInQueryOrderAndAbsentOnesDropped() {
        let counts = ["sister": 900, "weekend": 400, "kayaking": 3, "lisbon": 12, "zzyzx": 0, "month": 700]
        func terms(_ words: [String], count: (String) -> Int) -> [KeywordPruning.Term] {
            words.map { KeywordPruning.Term(text: $0, documents: count($0)) }
        }
        let kept = KeywordQuery.rarest(terms(["sister", "weekend", "kayaking", "zzyzx", "lisbon", "month"]) { counts[$0] ?? 0 }, limit: 3)
        #expect(kept.map(\.text) == ["weekend", "kayaking", "lisbon"])
        #expect(KeywordQuery.rarest(terms(["zzyzx"]) { counts[$0] ?? 0 }, limit: 3).isEmpty)
        // Ties keep the earlier term.
        #expect(KeywordQuery.rarest(terms(["b", "a", "c"]) { _ in 5 }, limit: 2).map(\.text) == ["b", "a"])
    }

    @Test func aLongQueryRanksTheMemoriesItsRareWordsPointTo() throws {
        try StoreFixture.run { store, _ in
            // Common words in every memory, one rare word in a few.
            var texts = (0..<200).map { "My sister and I went running last weekend, next month again \($0 % 7)" }
            texts += ["My sister took up kayaking in Lisbon", "Kayaking lessons start next month"]
            try store.apply(Sample.inserting(texts.enumerated().map { Sample.memory($1, user: "alice", at: Double($0)) }))
            let query = "Really well, I want to do it again next month with my sister. Last weekend I ran; "
                + "I tried Kayaks for the first time, we were running and running in Lisbon"
            // More terms than are ranked; "Kayaks" counts as the index's stem of "kayaking".
            #expect(KeywordQuery.terms(in: query, maxTerms: 64).count > 8)
            let hits = try store.keywordSearch(
                query, project: "default", filter: .compare(.field(.userID), .eq, .string("alice")),
                visibility: Sample.visible, limit: 5
            )
            #expect(hits.prefix(2).map(\.memory.text).sorted() == ["Kayaking lessons start next month", "My sister took up kayaking in Lisbon"])
            // A query of only words no memory holds finds nothing (and ranks nothing).
            let none = try store.keywordSearch(
                "zebra quokka axolotl narwhal pangolin okapi tapir ibis wombat", project: "default",
                filter: .compare(.field(.userID), .eq, .string("alice")), visibility: Sample.visible, limit: 5
            )
            #expect(none.isEmpty)
        }
    }
}
