import EngramCore
import Foundation
import GRDB
import Testing
@testable import EngramSQLite

/// Every operator, run through a real store: the filter is compiled into SQL, nothing is filtered after.
@Suite struct FilterCompilerTests {
    static let hostile = "'; DROP TABLE memories; --"

    static let memories: [Memory] = [
        Sample.memory("a", user: "alice", metadata: ["category": .string("food"), "score": .number(5), "flag": .bool(true), "tags": .string("x")], at: 0, actor: "bob", role: "user"),
        Sample.memory("b", user: "alice", metadata: ["category": .string("work"), "score": .number(2.5), "flag": .bool(false)], at: 1),
        Sample.memory("c", user: "bob", metadata: ["category": .string("Food court"), "score": .string("5"), "flag": .number(1)], at: 2),
        Sample.memory("d", user: "alice", agent: "helper", at: 3),
        Sample.memory("e", user: "carol", metadata: [
            "we\"ird.key": .string("q"), "dot.key": .string("v"), "back\\slash": .string("w"), "sql": .string(hostile),
            "pct": .string("100%_done"), "nul\u{1}key": .string("z"), "ünï": .string("ok"),
        ], at: 4),
    ]

    /// The texts matched by `json`, sorted.
    static func matches(_ json: String, in store: SQLiteMemoryStore) throws -> String {
        let filter = try Sample.filter(json)
        let page = try store.list(project: "default", filter: filter, visibility: Sample.visible, page: 1, pageSize: 100)
        #expect(page.total == page.items.count)
        let ids = try store.ids(project: "default", filter: filter)
        #expect(Set(ids) == Set(page.items.map(\.id)))
        return page.items.map(\.text).sorted().joined()
    }

    static let cases: [(String, String)] = [
        (#"{"category": "food"}"#, "a"),
        (#"{"category": {"eq": "food"}}"#, "a"),
        (#"{"category": {"ne": "food"}}"#, "bcde"),
        (#"{"score": {"gt": 3}}"#, "a"),
        (#"{"score": {"gte": 2.5, "lt": 5}}"#, "b"),
        (#"{"score": {"lte": 5}}"#, "ab"),
        (#"{"score": {"lt": 2.5}}"#, ""),
        (#"{"score": 5}"#, "a"),
        (#"{"score": "5"}"#, "c"),
        (#"{"flag": true}"#, "a"),
        (#"{"flag": false}"#, "b"),
        (#"{"flag": 1}"#, "c"),
        (#"{"flag": {"ne": true}}"#, "bcde"),
        (#"{"flag": null}"#, "de"),
        (#"{"flag": {"ne": null}}"#, "abc"),
        (#"{"category": {"in": ["food", "work"]}}"#, "ab"),
        (#"{"category": ["food", "work"]}"#, "ab"),
        (#"{"flag": {"in": [true, 1]}}"#, "ac"),
        (#"{"score": {"in": [2.5, "5"]}}"#, "bc"),
        (#"{"category": {"nin": ["food", "work"]}}"#, "cde"),
        (#"{"category": {"contains": "ood"}}"#, "ac"),
        (#"{"category": {"contains": "Food"}}"#, "c"),
        (#"{"category": {"icontains": "FOOD"}}"#, "ac"),
        (#"{"category": {"icontains": "%"}}"#, ""),
        (#"{"pct": {"contains": "%_"}}"#, "e"),
        (#"{"pct": {"icontains": "0%_D"}}"#, "e"),
        (#"{"category": "*"}"#, "abc"),
        (#"{"tags": "*"}"#, "a"),
        (#"{"agent_id": "*"}"#, "d"),
        (#"{"user_id": "alice"}"#, "abd"),
        (#"{"user_id": {"in": ["bob", "carol"]}}"#, "ce"),
        (#"{"user_id": {"ne": "alice"}}"#, "ce"),
        (#"{"user_id": {"contains": "aro"}}"#, "e"),
        (#"{"user_id": {"icontains": "ALI"}}"#, "abd"),
        (#"{"role": "user", "actor_id": "bob"}"#, "a"),
        (#"{"agent_id": {"nin": ["helper"]}}"#, "abce"),
        (#"{"AND": [{"user_id": "alice"}, {"OR": [{"category": "food"}, {"score": {"lt": 3}}]}]}"#, "ab"),
        (#"{"NOT": [{"category": "food"}, {"user_id": "bob"}]}"#, "bde"),
        (#"{"NOT": [{"OR": [{"flag": true}, {"flag": false}]}]}"#, "cde"),
        (#"{"OR": [{"NOT": [{"user_id": "alice"}]}, {"AND": [{"agent_id": "helper"}, {"NOT": [{"tags": "*"}]}]}]}"#, "cde"),
        (#"{"AND": []}"#, "abcde"),
        (#"{"OR": []}"#, ""),
        (#"{"NOT": []}"#, "abcde"),
        (#"{"we\"ird.key": "q"}"#, "e"),
        (#"{"we\"ird.key": "*"}"#, "e"),
        (#"{"dot.key": "v"}"#, "e"),
        (#"{"dot": "*"}"#, ""),
        (#"{"back\\slash": "w"}"#, "e"),
        (#"{"nul\u0001key": "z"}"#, "e"),
        (#"{"ünï": "ok"}"#, "e"),
        (#"{"sql": "'; DROP TABLE memories; --"}"#, "e"),
        (#"{"user_id": "'; DROP TABLE memories; --"}"#, ""),
        (#"{"'; DROP TABLE memories; --": "*"}"#, ""),
    ]

    @Test func everyOperatorMatchesTheDocumentedMemories() throws {
        try StoreFixture.run { store, _ in
            try store.apply(Sample.inserting(Self.memories))
            for (json, expected) in Self.cases {
                let got = try Self.matches(json, in: store)
                #expect(got == expected, "\(json)")
            }
            #expect(try store.ids(project: "default", filter: .all).count == 5)
        }
    }

    @Test func timesCompareAsStoredText() throws {
        try StoreFixture.run { store, _ in
            try store.apply(Sample.inserting(Self.memories))
            let middle = StoredTime.string(from: Sample.time(2))
            #expect(try Self.matches(#"{"created_at": {"gte": "\#(middle)"}}"#, in: store) == "cde")
            #expect(try Self.matches(#"{"updated_at": {"lt": "\#(middle)"}}"#, in: store) == "ab")
            #expect(try Self.matches(#"{"created_at": "\#(middle)"}"#, in: store) == "c")
        }
    }

    @Test func filtersNeverInterpolateValues() throws {
        let fragment = try FilterCompiler.memories.compile(Sample.filter(#"{"sql": "'; DROP TABLE memories; --", "we\"ird": 1}"#))
        #expect(!fragment.sql.contains("DROP"))
        #expect(!fragment.sql.contains("we\""))
        #expect(fragment.arguments.contains("'; DROP TABLE memories; --".databaseValue))
    }
}
