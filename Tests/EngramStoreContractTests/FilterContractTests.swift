import EngramCore
import Foundation
import Testing

/// Every filter operator, compiled into each store's own query: both stores must match the same
/// memories for every filter.
@Suite struct FilterContractTests {
    static let hostile = "'; DROP TABLE memories; --"

    static let memories: [Memory] = [
        Sample.memory(
            "a", user: "alice", metadata: ["category": .string("food"), "score": .number(5), "flag": .bool(true), "tags": .string("x")],
            at: 0, actor: "bob", role: "user"),
        Sample.memory("b", user: "alice", metadata: ["category": .string("work"), "score": .number(2.5), "flag": .bool(false)], at: 1),
        Sample.memory("c", user: "bob", metadata: ["category": .string("Food court"), "score": .string("5"), "flag": .number(1)], at: 2),
        Sample.memory("d", user: "alice", agent: "helper", at: 3),
        Sample.memory("e", user: "carol", metadata: [
            "we\"ird.key": .string("q"), "dot.key": .string("v"), "back\\slash": .string("w"), "sql": .string(hostile),
            "pct": .string("100%_done"), "nul\u{1}key": .string("z"), "ünï": .string("ok"), "big": .number(1e300),
            "list": .array([.string("food")]), "object": .object(["category": .string("food")]), "none": .null,
        ], at: 4),
    ]

    static let cases: [(String, String)] = [
        (#"{"category": "food"}"#, "a"),
        (#"{"category": {"eq": "food"}}"#, "a"),
        (#"{"category": {"ne": "food"}}"#, "bcde"),
        (#"{"score": {"gt": 3}}"#, "a"),
        (#"{"score": {"gte": 2.5, "lt": 5}}"#, "b"),
        (#"{"score": {"lte": 5}}"#, "ab"),
        (#"{"score": {"lt": 2.5}}"#, ""),
        (#"{"score": 5}"#, "a"),
        (#"{"score": 5.0}"#, "a"),
        (#"{"score": "5"}"#, "c"),
        (#"{"big": {"gt": 1e299}}"#, "e"),
        (#"{"big": 1e300}"#, "e"),
        (#"{"flag": true}"#, "a"),
        (#"{"flag": false}"#, "b"),
        (#"{"flag": 1}"#, "c"),
        (#"{"flag": {"ne": true}}"#, "bcde"),
        (#"{"flag": null}"#, "de"),
        (#"{"flag": {"ne": null}}"#, "abc"),
        (#"{"none": null}"#, "abcde"),
        (#"{"none": "*"}"#, "e"),
        (#"{"list": "food"}"#, ""),
        (#"{"object": {"contains": "food"}}"#, ""),
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
        (#"{"ünï": {"icontains": "ÜNÏ"}}"#, ""),
        (#"{"category": "*"}"#, "abc"),
        (#"{"tags": "*"}"#, "a"),
        (#"{"agent_id": "*"}"#, "d"),
        (#"{"user_id": "alice"}"#, "abd"),
        (#"{"user_id": {"in": ["bob", "carol"]}}"#, "ce"),
        (#"{"user_id": {"ne": "alice"}}"#, "ce"),
        (#"{"user_id": {"contains": "aro"}}"#, "e"),
        (#"{"user_id": {"icontains": "ALI"}}"#, "abd"),
        (#"{"run_id": null}"#, "abcde"),
        (#"{"role": "user", "actor_id": "bob"}"#, "a"),
        (#"{"agent_id": {"nin": ["helper"]}}"#, "abce"),
        (#"{"AND": [{"user_id": "alice"}, {"OR": [{"category": "food"}, {"score": {"lt": 3}}]}]}"#, "ab"),
        (#"{"NOT": [{"category": "food"}, {"user_id": "bob"}]}"#, "bde"),
        (#"{"NOT": [{"OR": [{"flag": true}, {"flag": false}]}]}"#, "cde"),
        (#"{"OR": [{"NOT": [{"user_id": "alice"}]}, {"AND": [{"agent_id": "helper"}, {"NOT": [{"tags": "*"}]}]}]}"#, "cde"),
        (#"{"NOT": [{"NOT": [{"score": {"gte": 2.5}}]}]}"#, "ab"),
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
        (#"{"sql": {"in": ["'; DROP TABLE memories; --", "\"}\\"]}}"#, "e"),
        (#"{"user_id": "'; DROP TABLE memories; --"}"#, ""),
        (#"{"user_id": {"in": ["x\", \"alice", "{alice}"]}}"#, ""),
        (#"{"'; DROP TABLE memories; --": "*"}"#, ""),
        (#"{"$1": "*", "?": "x"}"#, ""),
    ]

    /// The texts matched by `json`, sorted, checked through `list` and `ids` alike.
    static func matches(_ json: String, in store: any MemoryStore) throws -> String {
        let filter = try Sample.filter(json)
        let page = try store.list(project: "default", filter: filter, visibility: Sample.visible, page: 1, pageSize: 100)
        #expect(page.total == page.items.count)
        let ids = try store.ids(project: "default", filter: filter)
        #expect(Set(ids) == Set(page.items.map(\.id)))
        return page.items.map(\.text).sorted().joined()
    }

    @Test(arguments: StoreKind.allCases)
    func everyOperatorMatchesTheDocumentedMemories(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            try store.apply(Sample.inserting(Self.memories))
            for (json, expected) in Self.cases {
                #expect(try Self.matches(json, in: store) == expected, "\(json)")
            }
            #expect(try store.ids(project: "default", filter: .all).count == 5)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func filtersApplyInsideSearchesToo(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            try store.apply(Sample.inserting(Self.memories))
            let filter = try Sample.filter(#"{"OR": [{"category": {"icontains": "food"}}, {"sql": "*"}]}"#)
            let semantic = try store.semanticSearch(Self.memories[1].embedding, project: "default", filter: filter, visibility: Sample.visible, limit: 10)
            #expect(semantic.map(\.memory.text).sorted() == ["a", "c", "e"])
            let keyword = try store.keywordSearch("a b c d e", project: "default", filter: filter, visibility: Sample.visible, limit: 10)
            #expect(keyword.allSatisfy { ["a", "c", "e"].contains($0.memory.text) })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func timesCompareInTheirTextForm(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            try store.apply(Sample.inserting(Self.memories))
            let middle = Sample.filterText(Sample.time(2))
            #expect(try Self.matches(#"{"created_at": {"gte": "\#(middle)"}}"#, in: store) == "cde")
            #expect(try Self.matches(#"{"updated_at": {"lt": "\#(middle)"}}"#, in: store) == "ab")
            #expect(try Self.matches(#"{"created_at": "\#(middle)"}"#, in: store) == "c")
            #expect(try Self.matches(#"{"created_at": {"gte": "2025"}}"#, in: store) == "abcde")
            #expect(try Self.matches(#"{"created_at": {"lt": "not a date"}}"#, in: store) == "abcde")
        }
    }
}
