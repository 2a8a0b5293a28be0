import EngramTestSupport
import Foundation
import Testing

/// Oversized, malformed, wrongly typed and hostile input: the documented status, nothing written, and
/// the server still serving.
@Suite("Bad input")
struct BadInputTests {
    @Test("answers each bad add with its status and writes nothing", arguments: [
        ("not json", 400),
        (#"{"messages": "hi", "user_id": "a""#, 400),
        (#"{"user_id": "alice"}"#, 422),
        (#"{"messages": 42, "user_id": "alice"}"#, 422),
        (#"{"messages": [{"role": "user"}], "user_id": "alice"}"#, 422),
        (#"{"messages": [{"role": "user", "content": [{"type": "text"}]}], "user_id": "alice"}"#, 422),
        (#"{"messages": [7], "user_id": "alice"}"#, 422),
        (#"{"messages": "I like tea", "user_id": 5}"#, 422),
        (#"{"messages": "I like tea", "user_id": "alice", "infer": "yes"}"#, 422),
        (#"{"messages": "I like tea", "user_id": "alice", "metadata": [1]}"#, 422),
        (#"{"messages": "I like tea"}"#, 400),
        (#"{"messages": "I like tea", "user_id": "   "}"#, 400),
        (#"{"messages": "I like tea", "user_id": "a b"}"#, 400),
        (#"{"messages": "I like tea", "user_id": "alice", "expiration_date": "2026-02-30"}"#, 400),
        (#"{"messages": "I like tea", "user_id": "alice", "memory_type": "episodic"}"#, 400),
        (#"{"messages": "I like tea", "user_id": "alice", "timestamp": "yesterday"}"#, 422),
        (#"{"messages": "I like tea", "user_id": "alice", "infer": false, "metadata": {"n": 1e400}}"#, 400),
    ])
    func badAdds(_ body: String, _ status: Int) throws {
        try APIHarness.run { api in
            let response = try api.call("POST", "/memories", body)
            #expect(response.status == status, "\(body) → \(response.text)")
            #expect(response.object["detail"] != nil)
            #expect(try api.call("GET", "/memories?user_id=alice&show_expired=true").object["count"] as? Int == 0)
            #expect(try api.call("GET", "/health").status == 200)
        }
    }

    @Test("stores SQL-looking and unicode text literally and refuses NUL characters")
    func hostileText() throws {
        try APIHarness.run { api in
            let nul = try api.call("POST", "/memories", #"{"messages": "Robert\u0000Tables", "user_id": "alice", "infer": false}"#)
            #expect(nul.status == 400)
            let texts = ["'; DROP TABLE memories; --", "emoji 🧠 and 中文 and \"quotes\"", "back\\slash % and _ like"]
            let ids = try api.remember(texts)
            for (id, text) in zip(ids, texts) {
                #expect(try api.call("GET", "/memories/\(id)").object["memory"] as? String == text)
            }
            #expect(try api.call("GET", "/memories?user_id=alice").object["count"] as? Int == 3)
            let found = try api.call("POST", "/search", #"{"query": "DROP TABLE memories", "user_id": "alice"}"#)
            #expect(found.results.first?["id"] as? String == ids[0])
        }
    }

    @Test("refuses more than 1000 messages in one add")
    func tooManyMessages() throws {
        try APIHarness.run { api in
            let messages = Array(repeating: #"{"role": "user", "content": "x"}"#, count: 1001).joined(separator: ",")
            let response = try api.call("POST", "/memories", #"{"messages": [\#(messages)], "user_id": "alice", "infer": false}"#)
            #expect(response.status == 422)
            #expect(try api.call("GET", "/memories?user_id=alice").object["count"] as? Int == 0)
        }
    }

    @Test("refuses a body over the size limit with 413")
    func oversized() throws {
        try APIHarness.run { api in
            let big = String(repeating: "a", count: 9 * 1024 * 1024)
            let response = try api.call("POST", "/memories", #"{"messages": "\#(big)", "user_id": "alice"}"#)
            #expect(response.status == 413)
            #expect(try api.call("GET", "/health").status == 200)
        }
    }

    @Test("answers malformed query parameters with 422 and bad pages with 400")
    func badQueries() throws {
        try APIHarness.run { api throws in
            #expect(try api.call("GET", "/memories?user_id=alice&page=abc").status == 422)
            #expect(try api.call("GET", "/memories?user_id=alice&page=0").status == 400)
            #expect(try api.call("GET", "/memories?user_id=alice&page_size=5000").status == 400)
            #expect(try api.call("GET", "/memories?user_id=alice&show_expired=maybe").status == 422)
            #expect(try api.call("GET", "/memories?user_id=alice&filters=%7Bnot").status == 400)
            #expect(try api.call("GET", "/memories?user_id=alice&page=99999999999999999999").status == 422)
        }
    }
}
