import EngramTestSupport
import Foundation
import Testing

/// History, entities, reset, health, docs and auth.
@Suite("Service routes")
struct ServiceRoutesTests {
    @Test("lists a scope's history newest first, filtered by event")
    func scopeHistory() throws {
        try APIHarness.run { api in
            let ids = try api.remember(["a b c", "d e f"])
            _ = try api.call("PUT", "/memories/\(ids[0])", #"{"text": "a b c d"}"#)
            _ = try api.call("DELETE", "/memories/\(ids[1])")
            try api.remember(["bob's"], scope: #""user_id": "bob""#)
            let all = try api.call("GET", "/history?user_id=alice")
            #expect(all.status == 200)
            #expect(all.object["count"] as? Int == 4)
            #expect(all.results.map { $0["event"] as? String } == ["DELETE", "UPDATE", "ADD", "ADD"])
            let updates = try api.call("GET", "/history?user_id=alice&event=UPDATE")
            #expect(updates.results.map { $0["memory_id"] as? String } == [ids[0]])
            #expect(try api.call("GET", "/history?user_id=alice&event=FOO").status == 400)
            #expect(try api.call("GET", "/history").status == 400)
        }
    }

    @Test("counts entities from the index and deletes one's memories")
    func entities() throws {
        try APIHarness.run { api in
            try api.remember(["one", "two"])
            try api.remember(["three"], scope: #""agent_id": "helper""#)
            let entities = try api.call("GET", "/entities").json as? [[String: Any]] ?? []
            let counts = Dictionary(uniqueKeysWithValues: entities.map { ("\($0["type"]!):\($0["id"]!)", $0["total_memories"] as? Int) })
            #expect(counts == ["user:alice": 2, "agent:helper": 1])
            let deleted = try api.call("DELETE", "/entities/user/alice")
            #expect(deleted.object["message"] as? String == "Entity deleted")
            #expect(try api.call("GET", "/memories?user_id=alice").object["count"] as? Int == 0)
            #expect(try api.call("DELETE", "/entities/planet/x").status == 400)
        }
    }

    @Test("resets everything")
    func reset() throws {
        try APIHarness.run { api in
            let id = try api.remember(["gone soon"])[0]
            #expect(try api.call("POST", "/reset").object["message"] as? String == "All memories reset")
            #expect(try api.call("GET", "/memories/\(id)").status == 404)
            #expect(try api.call("GET", "/memories/\(id)/history").status == 404)
            #expect((try api.call("GET", "/entities").json as? [Any])?.isEmpty == true)
        }
    }

    @Test("shows the configuration and persists prompt overrides; refuses providers and unknown keys")
    func configure() throws {
        try APIHarness.run { api in
            let initial = try api.call("GET", "/configure").object
            #expect((initial["embedder"] as? [String: Any])?["provider"] as? String == "local")
            #expect(initial["llm"] is NSNull)
            #expect(initial["custom_instructions"] is NSNull)
            let set = try api.call("POST", "/configure", #"{"custom_instructions": "Only remember food preferences."}"#)
            #expect(set.object["message"] as? String == "Configuration set successfully")
            #expect(try api.call("GET", "/configure").object["custom_instructions"] as? String == "Only remember food preferences.")
            #expect(try api.call("POST", "/configure", #"{"llm": {"provider": "openai", "config": {"api_key": "sk-x"}}}"#).status == 400)
            #expect(try api.call("POST", "/configure", #"{"colour": "blue"}"#).status == 400)
            #expect(try api.call("POST", "/configure", #"{"custom_instructions": 5}"#).status == 400)
            #expect(try api.call("POST", "/configure", #"{"custom_instructions": null}"#).status == 200)
            #expect(try api.call("GET", "/configure").object["custom_instructions"] is NSNull)
        }
    }

    @Test("redacts secret-named values at any depth")
    func redaction() {
        let redacted = ConfigureRoutesProbe.redact(#"{"llm": {"config": {"api_key": "sk-1", "model": "m"}}, "list": [{"Token": "t"}]}"#)
        #expect(redacted == #"{"list":[{"Token":"[redacted]"}],"llm":{"config":{"api_key":"[redacted]","model":"m"}}}"#)
    }

    @Test("redacts the credentials inside URLs and leaves other text alone")
    func urlRedaction() {
        let shown = ConfigureRoutesProbe.redact(#"""
            {"a": "http://user:hunter2@127.0.0.1:9/v1", "b": "http://127.0.0.1:9/v1?token=abc&model=m",
             "c": "https://example.com/openai?api-version=2024-06-01&api-key=sk-9", "d": "https://tok3n@host.example/x",
             "e": "http://127.0.0.1:11434", "f": "not a url: token=abc", "max_tokens": 5}
            """#)
        #expect(!shown.contains("hunter2") && !shown.contains("abc&") && !shown.contains("sk-9") && !shown.contains("tok3n"), "\(shown)")
        #expect(shown.contains(#""a":"http://[redacted]@127.0.0.1:9/v1""#), "\(shown)")
        #expect(shown.contains(#""b":"http://127.0.0.1:9/v1?token=[redacted]&model=m""#), "\(shown)")
        #expect(shown.contains("api-version=2024-06-01&api-key=[redacted]"), "\(shown)")
        #expect(shown.contains(#""e":"http://127.0.0.1:11434""#) && shown.contains(#""f":"not a url: token=abc""#))
        #expect(shown.contains(#""max_tokens":5"#))
    }

    @Test("serves health, the OpenAPI document as JSON, and redirects / to it")
    func serviceRoutes() throws {
        try APIHarness.run { api in
            #expect(try api.call("GET", "/health").text == #"{"status":"ok"}"#)
            let docs = try api.call("GET", "/docs")
            #expect(docs.status == 200)
            let paths = try #require(docs.object["paths"] as? [String: Any])
            for path in ["/memories", "/memories/{memory_id}", "/memories/{memory_id}/history", "/history", "/search",
                         "/reset", "/entities", "/entities/{entity_type}/{entity_id}", "/health", "/configure",
                         "/v1/embeddings", "/v1/chat/completions", "/v1/models", "/mcp", "/docs", "/openapi.json", "/", "/metrics", "/ui/"] {
                #expect(paths[path] != nil, "\(path) missing from the OpenAPI document")
            }
            #expect(try api.call("GET", "/openapi.json").body == docs.body)
            let root = try api.call("GET", "/")
            #expect(root.status == 307)
            #expect(root.header("location") == "/docs")
        }
    }

    @Test("requires the API key in any of its three forms, except on open routes")
    func auth() throws {
        try APIHarness.run(apiKey: "s3cret") { api in
            let missing = try api.call("GET", "/memories?user_id=alice")
            #expect(missing.status == 401)
            #expect(missing.header("www-authenticate") == "Bearer")
            #expect(try api.call("GET", "/memories?user_id=alice", headers: ["X-API-Key": "wrong"]).status == 401)
            #expect(try api.call("GET", "/memories?user_id=alice", headers: ["Authorization": "Bearer s3cret!"]).status == 401)
            for header in [["X-API-Key": "s3cret"], ["Authorization": "Token s3cret"], ["Authorization": "Bearer s3cret"]] {
                #expect(try api.call("GET", "/memories?user_id=alice", headers: header).status == 200)
            }
            #expect(try api.call("GET", "/health").status == 200)
            #expect(try api.call("GET", "/docs").status == 200)
            #expect(try api.call("GET", "/openapi.json").status == 200)
            #expect(try api.call("POST", "/reset").status == 401)
        }
    }

    @Test("refuses an unauthenticated upload before reading its body")
    func authBeforeBody() throws {
        try APIHarness.run(apiKey: "s3cret") { api in
            let client = try RawClient(port: api.port)
            try client.send("POST /memories HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
            #expect(try client.readResponse().status == 401)
        }
    }
}
