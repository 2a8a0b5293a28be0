import EngramTestSupport
import Foundation
import Testing

/// `POST /search`: ranking, limits, thresholds and every filter operator, nested included.
@Suite("Search route")
struct SearchRoutesTests {
    /// Five memories of alice with metadata to filter on; returns their ids by text.
    private func seed(_ api: APIHarness) throws -> [String: String] {
        let rows: [(String, String)] = [
            ("pizza margherita is my favourite food", #"{"topic": "food", "rating": 5, "tags": "italian,cheese", "vegan": false}"#),
            ("sushi on fridays with the team", #"{"topic": "food", "rating": 4, "tags": "japanese"}"#),
            ("running a marathon in october", #"{"topic": "sport", "rating": 3}"#),
            ("learning the cello on weekends", #"{"topic": "music", "rating": 2, "Tags": "STRINGS"}"#),
            ("my cat is called pizza", #"{"topic": "pets"}"#),
        ]
        var ids: [String: String] = [:]
        for (text, metadata) in rows {
            ids[text] = try api.remember([text], metadata: metadata)[0]
        }
        try api.remember(["pizza for bob"], scope: #""user_id": "bob""#)
        return ids
    }

    private func search(_ api: APIHarness, _ body: String) throws -> [String] {
        let response = try api.call("POST", "/search", body)
        guard response.status == 200 else { throw APIHarness.HarnessError.unexpected(response.status, response.text) }
        return response.results.compactMap { $0["memory"] as? String }
    }

    @Test("ranks by relevance with scores in [0, 1] and stays in the scope")
    func ranking() throws {
        try APIHarness.run { api in
            _ = try seed(api)
            let response = try api.call("POST", "/search", #"{"query": "favourite pizza food", "user_id": "alice"}"#)
            #expect(response.status == 200)
            let texts = response.results.compactMap { $0["memory"] as? String }
            #expect(texts.first == "pizza margherita is my favourite food")
            #expect(!texts.contains("pizza for bob"))
            let scores = response.results.compactMap { $0["score"] as? Double }
            #expect(scores == scores.sorted(by: >))
            #expect(scores.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test("honours top_k, its alias limit, threshold and explain")
    func limits() throws {
        try APIHarness.run { api in
            _ = try seed(api)
            #expect(try search(api, #"{"query": "pizza", "user_id": "alice", "top_k": 1}"#).count == 1)
            #expect(try search(api, #"{"query": "pizza", "user_id": "alice", "limit": 1}"#).count == 1)
            #expect(try search(api, #"{"query": "pizza", "user_id": "alice", "threshold": 1.0}"#).isEmpty)
            let explained = try api.call("POST", "/search", #"{"query": "pizza", "user_id": "alice", "explain": true}"#)
            let details = try #require(explained.results.first?["score_details"] as? [String: Any])
            #expect(details["semantic_score"] is Double && details["keyword_score"] is Double)
        }
    }

    @Test("filters with every operator", arguments: [
        (#"{"topic": "food"}"#, ["pizza margherita is my favourite food", "sushi on fridays with the team"]),
        (#"{"topic": {"eq": "sport"}}"#, ["running a marathon in october"]),
        (#"{"topic": {"ne": "food"}}"#, ["running a marathon in october", "learning the cello on weekends", "my cat is called pizza"]),
        (#"{"rating": {"gt": 4}}"#, ["pizza margherita is my favourite food"]),
        (#"{"rating": {"gte": 4}}"#, ["pizza margherita is my favourite food", "sushi on fridays with the team"]),
        (#"{"rating": {"lt": 3}}"#, ["learning the cello on weekends"]),
        (#"{"rating": {"lte": 3, "gt": 1}}"#, ["running a marathon in october", "learning the cello on weekends"]),
        (#"{"topic": {"in": ["music", "pets"]}}"#, ["learning the cello on weekends", "my cat is called pizza"]),
        (#"{"topic": ["music", "pets"]}"#, ["learning the cello on weekends", "my cat is called pizza"]),
        (#"{"topic": {"nin": ["food", "pets", "music"]}}"#, ["running a marathon in october"]),
        (#"{"tags": {"contains": "cheese"}}"#, ["pizza margherita is my favourite food"]),
        (#"{"tags": {"contains": "CHEESE"}}"#, []),
        (#"{"Tags": {"icontains": "strings"}}"#, ["learning the cello on weekends"]),
        (#"{"rating": "*"}"#, ["pizza margherita is my favourite food", "sushi on fridays with the team", "running a marathon in october", "learning the cello on weekends"]),
        (#"{"vegan": false}"#, ["pizza margherita is my favourite food"]),
        (#"{"OR": [{"topic": "sport"}, {"topic": "pets"}]}"#, ["running a marathon in october", "my cat is called pizza"]),
        (#"{"AND": [{"topic": "food"}, {"rating": {"lt": 5}}]}"#, ["sushi on fridays with the team"]),
        (#"{"NOT": [{"topic": "food"}, {"topic": "pets"}]}"#, ["running a marathon in october", "learning the cello on weekends"]),
        (#"{"OR": [{"AND": [{"topic": "food"}, {"NOT": [{"rating": 5}]}]}, {"topic": "music"}]}"#, ["sushi on fridays with the team", "learning the cello on weekends"]),
        (#"{"topic": "'; DROP TABLE memories; --"}"#, []),
    ])
    func filters(_ filter: String, _ expected: [String]) throws {
        try APIHarness.run { api in
            _ = try seed(api)
            let found = try search(api, #"{"query": "pizza sushi marathon cello cat", "user_id": "alice", "threshold": 0, "filters": \#(filter)}"#)
            #expect(Set(found) == Set(expected))
        }
    }

    @Test("takes the scope from filters too")
    func scopeInFilters() throws {
        try APIHarness.run { api in
            _ = try seed(api)
            #expect(try search(api, #"{"query": "pizza", "filters": {"user_id": "bob"}, "threshold": 0}"#) == ["pizza for bob"])
        }
    }

    @Test("refuses bad searches with the documented status", arguments: [
        (#"{"query": "pizza"}"#, 400),
        (#"{"query": "   ", "user_id": "alice"}"#, 400),
        (#"{"user_id": "alice"}"#, 422),
        (#"{"query": 7, "user_id": "alice"}"#, 422),
        (#"{"query": "pizza", "user_id": "alice", "top_k": "ten"}"#, 422),
        (#"{"query": "pizza", "user_id": "alice", "top_k": 100000}"#, 400),
        (#"{"query": "pizza", "user_id": "alice", "threshold": 2}"#, 400),
        (#"{"query": "pizza", "user_id": "alice", "filters": {"rating": {"regex": "a"}}}"#, 400),
        (#"{"query": "pizza", "user_id": "alice", "filters": {"rating": {"gt": "high"}}}"#, 400),
        (#"{"query": "pizza", "user_id": "alice", "filters": "topic"}"#, 422),
        (#"{"query": "pizza", "user_id": "al ice"}"#, 400),
        ("not json", 400),
        ("[1, 2]", 422),
    ])
    func badSearches(_ body: String, _ status: Int) throws {
        try APIHarness.run { api in
            let response = try api.call("POST", "/search", body)
            #expect(response.status == status, "\(body) → \(response.text)")
        }
    }

    @Test("names the unknown operator in the error")
    func namesOperator() throws {
        try APIHarness.run { api in
            let response = try api.call("POST", "/search", #"{"query": "x", "user_id": "a", "filters": {"k": {"regex": "a"}}}"#)
            #expect(response.object["detail"] as? String == "Unsupported filter operator 'regex' on 'k'")
        }
    }
}
