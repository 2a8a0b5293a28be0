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
