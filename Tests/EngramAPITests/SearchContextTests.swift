import EngramCore
import EngramTestSupport
import Foundation
import Testing

/// The conversation around a search's best candidates, over HTTP on a real SQLite file: the answer to a
/// question rarely repeats its words, the turn before it does.
@Suite("Search context")
struct SearchContextTests {
    static let turns = [
        "Caroline: The weather was lovely at the lake.", "Melanie: Caroline, when did you move to Portland?",
        "Caroline: Last May, right after graduation.", "Melanie: I painted a sunrise over the harbour yesterday.",
        "Caroline: Portland has great coffee.", "Melanie: We adopted a puppy named Biscuit.",
        "Caroline: When I was little I wanted to move to Paris.", "Melanie: The kids loved the museum trip.",
    ]

    static func ranked(context: Bool, _ body: String) throws -> [String] {
        var configuration = MemoryService.Configuration()
        configuration.conversationContext = context
        return try APIHarness.run(configuration: configuration) { api in
            try api.remember(Self.turns)
            try api.remember(["Bob: Last May I sold my car."], scope: #""user_id": "bob""#)
            let response = try api.call("POST", "/search", body)
            #expect(response.status == 200, "\(response.text)")
            return response.results.compactMap { $0["memory"] as? String }
        }
    }

    @Test("the reply after the matching question rises into the top 3; without the context it does not")
    func answerFollowsQuestion() throws {
        let query = #"{"query": "When did Caroline move to Portland?", "user_id": "alice", "top_k": 3, "threshold": 0, "enable_graph": false}"#
        let with = try Self.ranked(context: true, query)
        #expect(with.contains("Caroline: Last May, right after graduation."), "\(with)")
        #expect(!with.contains("Bob: Last May I sold my car."))
        // On its own the reply shares one word with the query, and loses to turns that share more.
        let without = try Self.ranked(context: false, query)
        #expect(!without.contains("Caroline: Last May, right after graduation."), "\(without)")
    }

    @Test("neighbours stay inside the search's filter")
    func neighboursRespectFilters() throws {
        let query = #"{"query": "move to Portland", "filters": {"user_id": "alice", "topic": "moving"}, "top_k": 5, "threshold": 0}"#
        let results = try APIHarness.run { api in
            try api.remember(["Melanie: Caroline, when did you move to Portland?"], metadata: #"{"topic": "moving"}"#)
            try api.remember(["Caroline: Last May, right after graduation."])
            return try api.call("POST", "/search", query).results.compactMap { $0["memory"] as? String }
        }
        #expect(results == ["Melanie: Caroline, when did you move to Portland?"])
    }
}
