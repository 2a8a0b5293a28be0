import EngramCore
import Foundation
import Testing
@testable import EngramPostgres

/// The compiled SQL, without a server: values are always parameters.
@Suite struct FilterSQLTests {
    @Test func filterValuesAndKeysNeverEnterTheSQL() throws {
        let json = #"{"sql": "'; DROP TABLE memories; --", "we\"ird$1": {"in": ["x'y", 3]}, "user_id": {"icontains": "O'Brien"}}"#
        let filter = try FilterParser.parse(JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))
        var query = BoundQuery()
        let sql = try FilterCompiler.memories.compile(filter, into: &query)
        for fragment in ["DROP", "we\"ird", "x'y", "O'Brien", "o'brien"] { #expect(!sql.contains(fragment)) }
        let texts = query.parameters.compactMap { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }
        #expect(texts.contains("'; DROP TABLE memories; --"))
        #expect(texts.contains("we\"ird$1"))
        #expect(texts.contains("o'brien"))
    }

    @Test func historyRejectsMetadataKeys() throws {
        var query = BoundQuery()
        #expect(throws: MemoryError.self) { try FilterCompiler.history.compile(.compare(.metadata("topic"), .eq, .string("x")), into: &query) }
        #expect(throws: MemoryError.self) { try FilterCompiler.history.compile(.exists(.field(.updatedAt)), into: &query) }
    }

    @Test func keywordTermsAreLettersAndDigitsJoinedByOr() {
        #expect(KeywordTerms.tsquery(for: "Pizza & !pineapple's <-> 'x':*", maxTerms: 64) == "Pizza | pineapple | s | x")
        #expect(KeywordTerms.tsquery(for: "a A a b", maxTerms: 64) == "a | b")
        #expect(KeywordTerms.tsquery(for: "one two three", maxTerms: 2) == "one | two")
        #expect(KeywordTerms.tsquery(for: "&|!()<->:*'\\", maxTerms: 64) == nil)
    }

    @Test func arrayParametersQuoteEveryElement() {
        let parameter = PostgresParameter.textArray(["plain", "with \"quote\"", "back\\slash", "NULL", "{x,y}", ""])
        let text = String(decoding: parameter.bytes ?? [], as: UTF8.self)
        #expect(text == #"{"plain","with \"quote\"","back\\slash","NULL","{x,y}",""}"#)
    }

    @Test func advisoryKeysAreStableAndDistinguishProjects() {
        let key = PostgresMemoryStore.advisoryKey(project: "default", key: "user_id=alice")
        #expect(key == PostgresMemoryStore.advisoryKey(project: "default", key: "user_id=alice"))
        #expect(key != PostgresMemoryStore.advisoryKey(project: "other", key: "user_id=alice"))
        #expect(PostgresMemoryStore.advisoryKey(project: "ab", key: "c") != PostgresMemoryStore.advisoryKey(project: "a", key: "bc"))
    }
}
