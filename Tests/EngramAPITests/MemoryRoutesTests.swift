import EngramTestSupport
import Foundation
import Testing

/// `/memories` over real HTTP against a real SQLite file.
@Suite("Memory routes")
struct MemoryRoutesTests {
    @Test("adds one memory per non-system message with role and actor when infer is false")
    func addVerbatim() throws {
        try APIHarness.run { api in
            let response = try api.call("POST", "/memories", #"""
            {"messages": [{"role": "system", "content": "be nice"},
                          {"role": "user", "content": "I like tea", "name": "alice"},
                          {"role": "assistant", "content": "Noted: tea."}],
             "user_id": "alice", "infer": false, "metadata": {"source": "chat", "user_id": "mallory"}}
            """#)
            #expect(response.status == 200)
            #expect(response.results.map { $0["event"] as? String } == ["ADD", "ADD"])
            #expect(response.results.map { $0["memory"] as? String } == ["I like tea", "Noted: tea."])
            let id = try #require(response.results.first?["id"] as? String)
            let item = try api.call("GET", "/memories/\(id)").object
            #expect(item["role"] as? String == "user")
            #expect(item["actor_id"] as? String == "alice")
            #expect(item["user_id"] as? String == "alice")
            #expect((item["metadata"] as? [String: Any])?["source"] as? String == "chat")
            #expect((item["metadata"] as? [String: Any])?["user_id"] == nil)
            #expect(item["hash"] as? String == "5dba890347a8644a0a37f670d5afb6fa")
            #expect((item["created_at"] as? String)?.hasSuffix("+00:00") == true)
            #expect(item["state"] == nil)
        }
    }

    @Test("extracts declarative facts without an LLM and never stores one twice")
    func addInferred() throws {
        try APIHarness.run { api in
            let body = #"{"messages": "Hi! I moved to Lisbon last year. What is the weather like?", "user_id": "alice"}"#
            let first = try api.call("POST", "/memories", body)
            #expect(first.status == 200)
            #expect(first.results.map { $0["memory"] as? String } == ["I moved to Lisbon last year."])
            let again = try api.call("POST", "/memories", body)
            #expect(again.status == 200)
            #expect(again.results.isEmpty)
            #expect(try api.call("GET", "/memories?user_id=alice").object["count"] as? Int == 1)
        }
    }

    @Test("gets a memory and answers 404 for an unknown id")
    func get() throws {
        try APIHarness.run { api in
            let id = try api.remember(["I play the cello"])[0]
            #expect(try api.call("GET", "/memories/\(id)/").object["memory"] as? String == "I play the cello")
            let missing = try api.call("GET", "/memories/00000000-0000-0000-0000-000000000000")
            #expect(missing.status == 404)
            #expect(missing.object["detail"] as? String == "Memory with id 00000000-0000-0000-0000-000000000000 not found")
        }
    }

    @Test("lists newest first with deterministic pages")
    func list() throws {
        try APIHarness.run { api in
            let ids = try api.remember(["one", "two", "three", "four", "five"])
            try api.remember(["other user"], scope: #""user_id": "bob""#)
            let first = try api.call("GET", "/memories?user_id=alice&page_size=2")
            #expect(first.status == 200)
            #expect(first.object["count"] as? Int == 5)
            #expect(first.object["page"] as? Int == 1)
            #expect(first.object["page_size"] as? Int == 2)
            #expect(first.results.map { $0["id"] as? String } == [ids[4], ids[3]])
            let next = try #require(first.object["next"] as? String)
            #expect(next == "/memories?user_id=alice&page_size=2&page=2")
            #expect(try api.call("GET", next).results.map { $0["id"] as? String } == [ids[2], ids[1]])
            let last = try api.call("GET", "/memories?user_id=alice&page_size=2&page=3")
            #expect(last.results.map { $0["id"] as? String } == [ids[0]])
            #expect(last.object["next"] is NSNull)
        }
    }

    @Test("hides expired memories from lists unless asked")
    func expiry() throws {
        try APIHarness.run { api in
            _ = try api.call("POST", "/memories", #"{"messages": "old news", "user_id": "alice", "infer": false, "expiration_date": "2001-01-01"}"#)
            try api.remember(["fresh news"])
            #expect(try api.call("GET", "/memories?user_id=alice").results.map { $0["memory"] as? String } == ["fresh news"])
            #expect(try api.call("GET", "/memories?user_id=alice&show_expired=true").object["count"] as? Int == 2)
        }
    }

    @Test("updates text, metadata and expiry, keeping created_at and writing history")
    func update() throws {
        try APIHarness.run { api in
            let id = try api.remember(["I live in Porto"], metadata: #"{"a": 1}"#)[0]
            let before = try api.call("GET", "/memories/\(id)").object
            let updated = try api.call("PUT", "/memories/\(id)", #"{"text": "I live in Lisbon", "metadata": {"b": 2}, "expiration_date": "2999-12-31"}"#)
            #expect(updated.status == 200)
            #expect(updated.object["memory"] as? String == "I live in Lisbon")
            #expect(updated.object["created_at"] as? String == before["created_at"] as? String)
            #expect(updated.object["updated_at"] as? String != before["updated_at"] as? String)
            #expect(updated.object["expiration_date"] as? String == "2999-12-31")
            let metadata = updated.object["metadata"] as? [String: Any]
            #expect(metadata?["a"] as? Int == 1 && metadata?["b"] as? Int == 2)
            let cleared = try api.call("PUT", "/memories/\(id)", #"{"expiration_date": null}"#)
            #expect(cleared.object["expiration_date"] == nil)
            let search = try api.call("POST", "/search", #"{"query": "Lisbon", "user_id": "alice"}"#)
            #expect(search.results.first?["id"] as? String == id)
            let history = try api.call("GET", "/memories/\(id)/history").json as? [[String: Any]] ?? []
            #expect(history.map { $0["event"] as? String } == ["ADD", "UPDATE", "UPDATE"])
            #expect(history[1]["old_memory"] as? String == "I live in Porto")
            #expect(history[1]["new_memory"] as? String == "I live in Lisbon")
        }
    }

    @Test("refuses an empty update and an unknown id")
    func updateErrors() throws {
        try APIHarness.run { api in
            let id = try api.remember(["x y z"])[0]
            #expect(try api.call("PUT", "/memories/\(id)", "{}").status == 400)
            #expect(try api.call("PUT", "/memories/nope", #"{"text": "a"}"#).status == 404)
            #expect(try api.call("PUT", "/memories/\(id)", #"{"text": 5}"#).status == 422)
            #expect(try api.call("PUT", "/memories/\(id)", #"{"expiration_date": "tomorrow"}"#).status == 400)
        }
    }

    @Test("deletes one memory, and purge erases its text from history")
    func delete() throws {
        try APIHarness.run { api in
            let ids = try api.remember(["secret one", "secret two"])
            let deleted = try api.call("DELETE", "/memories/\(ids[0])")
            #expect(deleted.object["message"] as? String == "Memory deleted successfully")
            #expect(try api.call("GET", "/memories/\(ids[0])").status == 404)
            let history = try api.call("GET", "/memories/\(ids[0])/history").json as? [[String: Any]] ?? []
            #expect(history.map { $0["event"] as? String } == ["ADD", "DELETE"])
            #expect(history[1]["is_deleted"] as? Bool == true)
            #expect(history[1]["old_memory"] as? String == "secret one")

            #expect(try api.call("DELETE", "/memories/\(ids[1])?purge=true").status == 200)
            let purged = try api.call("GET", "/memories/\(ids[1])/history").json as? [[String: Any]] ?? []
            #expect(purged.count == 2)
            #expect(purged.allSatisfy { $0["old_memory"] is NSNull && $0["new_memory"] is NSNull })
            #expect(try api.call("DELETE", "/memories/\(ids[1])").status == 404)
        }
    }

    @Test("deletes every match of a scope and says how many")
    func deleteAll() throws {
        try APIHarness.run { api in
            try api.remember((0..<7).map { "fact \($0)" })
            try api.remember(["keep me"], scope: #""user_id": "bob""#)
            let response = try api.call("DELETE", "/memories?user_id=alice")
            #expect(response.object["message"] as? String == "All relevant memories deleted")
            #expect(response.object["deleted"] as? Int == 7)
            #expect(try api.call("GET", "/memories?user_id=alice").object["count"] as? Int == 0)
            #expect(try api.call("GET", "/memories?user_id=bob").object["count"] as? Int == 1)
            #expect(try api.call("DELETE", "/memories").status == 400)
        }
    }
}
