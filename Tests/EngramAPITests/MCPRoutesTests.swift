import EngramAPI
import EngramTestSupport
import Foundation
import Testing

/// `/mcp` over real sockets: the transport rules both protocol eras rely on, the JSON-RPC error codes
/// and statuses, the tools end to end, scoping and project isolation. The real `mcp` Python clients
/// run against `engram serve` in MCPClientTests.
@Suite("MCP endpoint")
struct MCPRoutesTests {
    static let key = "mcp-admin-key"
    static let auth = ["Authorization": "Bearer \(key)"]
    static let modernMeta = #""_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}"#

    /// Headers a 2026-07-28 client sends with `method` (and, for tools/call, the tool's name).
    static func modern(_ method: String, name: String? = nil) -> [String: String] {
        var headers = auth.merging(["MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method]) { $1 }
        if let name { headers["Mcp-Name"] = name }
        return headers
    }

    static func rpc(_ api: APIHarness, _ body: String, target: String = "/mcp", headers: [String: String] = auth) throws -> RawClient.Response {
        try api.call("POST", target, body, headers: headers)
    }

    /// A handshake-era tools/call; returns the `result` object.
    static func call(_ api: APIHarness, _ tool: String, _ arguments: String, target: String = "/mcp", headers: [String: String] = auth) throws -> [String: Any] {
        let response = try rpc(api, #"{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "\#(tool)", "arguments": \#(arguments)}}"#,
                               target: target, headers: headers)
        #expect(response.status == 200, "\(tool): \(response.status) \(response.text)")
        return response.object["result"] as? [String: Any] ?? [:]
    }

    static func structured(_ result: [String: Any]) -> [String: Any] { result["structuredContent"] as? [String: Any] ?? [:] }

    static func text(_ result: [String: Any]) -> String {
        ((result["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
    }

    @Test("initialize negotiates a version, issues no session id and tells the model what the tools are for")
    func initialize() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            for (asked, answered) in [("2025-06-18", "2025-06-18"), ("2025-03-26", "2025-03-26"), ("2025-11-25", "2025-11-25"), ("1999-01-01", "2025-11-25")] {
                let response = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "\#(asked)", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}"#,
                                            headers: Self.auth.merging(["Mcp-Session-Id": "stale-session"]) { $1 })
                #expect(response.status == 200, "\(response.text)")
                #expect(response.header("content-type")?.hasPrefix("application/json") == true)
                #expect(response.header("mcp-session-id") == nil)
                let result = response.object["result"] as? [String: Any] ?? [:]
                #expect(result["protocolVersion"] as? String == answered)
                #expect((result["serverInfo"] as? [String: Any])?["name"] as? String == "engram")
                #expect((result["instructions"] as? String)?.contains("search_memories") == true)
                #expect(((result["capabilities"] as? [String: Any])?["tools"]) != nil)
            }
            let ping = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": "p", "method": "ping"}"#)
            #expect(ping.status == 200 && ping.object["id"] as? String == "p" && (ping.object["result"] as? [String: Any])?.isEmpty == true, "\(ping.text)")
        }
    }

    @Test("notifications and client responses are 202 with an empty body")
    func notifications() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            for body in [
                #"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#,
                #"{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}}"#,
                #"{"jsonrpc": "2.0", "id": 9, "result": {}}"#,
            ] {
                let response = try Self.rpc(api, body)
                #expect(response.status == 202 && response.body.isEmpty, "\(body): \(response.status) \(response.text)")
            }
        }
    }

    @Test("GET, DELETE and other methods are 405 with Allow: POST before authentication; OPTIONS is a CORS preflight")
    func methods() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            for target in ["/mcp", "/mcp/"] {
                for method in ["GET", "DELETE", "PUT"] {
                    let response = try api.call(method, target)
                    #expect(response.status == 405, "\(method) \(target): \(response.status)")
                    #expect(response.header("allow") == "POST")
                    #expect((response.object["error"] as? [String: Any])?["code"] as? Int == -32600, "\(response.text)")
                }
            }
            let preflight = try api.call("OPTIONS", "/mcp", headers: [
                "Origin": "http://localhost:6274", "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, authorization, mcp-protocol-version",
            ])
            #expect(preflight.status == 204)
            #expect(preflight.header("access-control-allow-origin") == "http://localhost:6274")
            #expect(preflight.header("access-control-allow-headers")?.lowercased().contains("mcp-protocol-version") == true)
            #expect(preflight.header("access-control-allow-methods")?.contains("POST") == true)
        }
    }

    @Test("a foreign Origin is 403 even with a key; loopback and listed origins are served with CORS headers")
    func origins() throws {
        try APIHarness.run(apiKey: Self.key, mcp: MCPSettings(allowedOrigins: ["https://app.example.com"])) { api in
            let ping = #"{"jsonrpc": "2.0", "id": 1, "method": "ping"}"#
            for origin in ["https://evil.example", "http://localhost.evil.example", "http://127.0.0.1.evil.example:80", "null"] {
                let response = try Self.rpc(api, ping, headers: Self.auth.merging(["Origin": origin]) { $1 })
                #expect(response.status == 403, "\(origin): \(response.status)")
                #expect((response.object["error"] as? [String: Any])?["code"] as? Int == -32600)
                #expect(try api.call("OPTIONS", "/mcp", headers: ["Origin": origin]).status == 403)
            }
            for origin in ["https://app.example.com", "http://localhost:3000", "http://127.0.0.1", "http://[::1]:8080"] {
                let response = try Self.rpc(api, ping, headers: Self.auth.merging(["Origin": origin]) { $1 })
                #expect(response.status == 200, "\(origin): \(response.status) \(response.text)")
                #expect(response.header("access-control-allow-origin") == origin)
                #expect(response.header("vary") == "Origin")
            }
            // Origin is a browser's header: the REST API is not touched by it.
            #expect(try api.call("GET", "/memories?user_id=a", headers: Self.auth.merging(["Origin": "https://evil.example"]) { $1 }).status == 200)
        }
    }

    @Test("a keyless loopback server answers /mcp only under a loopback Host name")
    func rebinding() throws {
        try APIHarness.run(mcp: MCPSettings(requireLoopbackHost: true)) { api in
            let ping = #"{"jsonrpc": "2.0", "id": 1, "method": "ping"}"#
            // RawClient sends Host: 127.0.0.1.
            #expect(try Self.rpc(api, ping, headers: [:]).status == 200)
            let client = try RawClient(port: api.port)
            try client.send("POST /mcp HTTP/1.1\r\nHost: attacker.example:\(api.port)\r\nContent-Type: application/json\r\nContent-Length: \(ping.utf8.count)\r\n\r\n\(ping)")
            let response = try client.readResponse()
            #expect(response.status == 403, "\(response.text)")
        }
    }

    @Test("the API key is required as for REST; the OAuth discovery paths are a JSON 404 without one")
    func authentication() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            let ping = #"{"jsonrpc": "2.0", "id": 1, "method": "ping"}"#
            let missing = try Self.rpc(api, ping, headers: [:])
            #expect(missing.status == 401 && missing.header("www-authenticate") == "Bearer")
            #expect(try Self.rpc(api, ping, headers: ["Authorization": "Bearer wrong"]).status == 401)
            #expect(try Self.rpc(api, ping, headers: ["X-API-Key": Self.key]).status == 200)
            #expect(try Self.rpc(api, ping, target: "/mcp?api_key=\(Self.key)", headers: [:]).status == 401)
            for (method, path) in [
                ("GET", "/.well-known/oauth-protected-resource"), ("GET", "/.well-known/oauth-protected-resource/mcp"),
                ("GET", "/.well-known/oauth-authorization-server"), ("GET", "/.well-known/oauth-authorization-server/mcp"),
                ("GET", "/.well-known/openid-configuration"), ("GET", "/mcp/.well-known/openid-configuration"), ("POST", "/register"),
            ] {
                let response = try api.call(method, path, method == "POST" ? "{}" : nil)
                #expect(response.status == 404, "\(path): \(response.status)")
                #expect(response.header("content-type")?.hasPrefix("application/json") == true && response.object["detail"] != nil, "\(path): \(response.text)")
            }
        }
    }

    @Test("bodies that are not one JSON-RPC request are 400 with the right code")
    func malformed() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            for (body, code) in [
                ("{not json", -32700), (#"[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]"#, -32600), ("42", -32600),
                (#"{"jsonrpc": "1.0", "id": 1, "method": "ping"}"#, -32600), (#"{"jsonrpc": "2.0", "id": null, "method": "ping"}"#, -32600),
                (#"{"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}"#, -32600), (#"{"jsonrpc": "2.0", "id": 1, "method": 5}"#, -32600),
            ] {
                let response = try Self.rpc(api, body)
                #expect(response.status == 400, "\(body): \(response.status) \(response.text)")
                #expect((response.object["error"] as? [String: Any])?["code"] as? Int == code, "\(body): \(response.text)")
                #expect(response.object["jsonrpc"] as? String == "2.0")
            }
            let params = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": [1]}"#)
            #expect((params.object["error"] as? [String: Any])?["code"] as? Int == -32602, "\(params.text)")
            let client = try RawClient(port: api.port)
            let ping = #"{"jsonrpc": "2.0", "id": 1, "method": "ping"}"#
            try client.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.key)\r\nContent-Type: text/plain\r\nContent-Length: \(ping.utf8.count)\r\n\r\n\(ping)")
            #expect(try client.readResponse().status == 400)
        }
    }

    @Test("ids come back with their type: integers (beyond 2^53 too) and strings")
    func identifiers() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            for id in ["0", "-7", "9007199254740993", #""abc""#, #""""#] {
                let response = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": \#(id), "method": "ping"}"#)
                #expect(response.text.contains(#""id":\#(id)"#), "\(id): \(response.text)")
            }
            let unknown = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 4, "method": "sampling/createMessage", "params": {}}"#)
            #expect(unknown.status == 200, "a handshake-era client must never see 404")
            #expect((unknown.object["error"] as? [String: Any])?["code"] as? Int == -32601)
        }
    }

    @Test("an Accept that names only text/event-stream gets the answer as one SSE event")
    func eventStream() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            let list = #"{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}"#
            let stream = try Self.rpc(api, list, headers: Self.auth.merging(["Accept": "text/event-stream"]) { $1 })
            #expect(stream.status == 200)
            #expect(stream.header("content-type") == "text/event-stream")
            #expect(stream.text.hasPrefix("event: message\ndata: {") && stream.text.hasSuffix("\n\n"), "\(stream.text.prefix(80))")
            let data = stream.text.split(separator: "\n").first { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) } ?? ""
            let parsed = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
            #expect(((parsed?["result"] as? [String: Any])?["tools"] as? [Any])?.count == 11)
            for accept in ["application/json, text/event-stream", "*/*"] {
                let json = try Self.rpc(api, list, headers: Self.auth.merging(["Accept": accept]) { $1 })
                #expect(json.header("content-type")?.hasPrefix("application/json") == true, "\(accept)")
            }
        }
    }

    @Test("2026-07-28: server/discover, results marked complete, header rules, version errors, 404 for unknown methods")
    func modernEra() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            let discover = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {\#(Self.modernMeta)}}"#,
                                        headers: Self.modern("server/discover"))
            #expect(discover.status == 200, "\(discover.text)")
            let result = discover.object["result"] as? [String: Any] ?? [:]
            #expect((result["supportedVersions"] as? [String])?.contains("2026-07-28") == true)
            #expect(result["resultType"] as? String == "complete")
            #expect(((result["_meta"] as? [String: Any])?["io.modelcontextprotocol/serverInfo"] as? [String: Any])?["name"] as? String == "engram")

            let list = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {\#(Self.modernMeta)}}"#, headers: Self.modern("tools/list"))
            #expect((list.object["result"] as? [String: Any])?["ttlMs"] as? Int == 300_000, "\(list.text.prefix(200))")

            func code(_ response: RawClient.Response) -> Int? { (response.object["error"] as? [String: Any])?["code"] as? Int }
            let wrongMethod = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {\#(Self.modernMeta)}}"#, headers: Self.modern("tools/call"))
            #expect(wrongMethod.status == 400 && code(wrongMethod) == -32020, "\(wrongMethod.text)")
            var noVersion = Self.modern("tools/list")
            noVersion["MCP-Protocol-Version"] = nil
            let missingHeader = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {\#(Self.modernMeta)}}"#, headers: noVersion)
            #expect(missingHeader.status == 400 && code(missingHeader) == -32020)
            let call = #"{"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "list_entities", "arguments": {}, \#(Self.modernMeta)}}"#
            let wrongName = try Self.rpc(api, call, headers: Self.modern("tools/call", name: "get_memory"))
            #expect(wrongName.status == 400 && code(wrongName) == -32020)
            let encodedName = try Self.rpc(api, call, headers: Self.modern("tools/call", name: "=?base64?\(Data("list_entities".utf8).base64EncodedString())?="))
            #expect(encodedName.status == 200 && (encodedName.object["result"] as? [String: Any])?["isError"] as? Bool == false, "\(encodedName.text)")

            let future = #"{"jsonrpc": "2.0", "id": 6, "method": "tools/list", "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01", "io.modelcontextprotocol/clientCapabilities": {}}}}"#
            var futureHeaders = Self.modern("tools/list")
            futureHeaders["MCP-Protocol-Version"] = "2099-01-01"
            let unsupported = try Self.rpc(api, future, headers: futureHeaders)
            #expect(unsupported.status == 400 && code(unsupported) == -32022, "\(unsupported.text)")
            let data = (unsupported.object["error"] as? [String: Any])?["data"] as? [String: Any]
            #expect((data?["supported"] as? [String])?.first == "2026-07-28" && data?["requested"] as? String == "2099-01-01")

            let noCapabilities = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}"#, headers: Self.modern("tools/list"))
            #expect(noCapabilities.status == 400 && code(noCapabilities) == -32602)
            let noMeta = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 8, "method": "tools/list"}"#, headers: Self.modern("tools/list"))
            #expect(noMeta.status == 400 && code(noMeta) == -32602, "\(noMeta.text)")
            let unknown = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 9, "method": "tasks/list", "params": {\#(Self.modernMeta)}}"#, headers: Self.modern("tasks/list"))
            #expect(unknown.status == 404 && code(unknown) == -32601)
            let legacyHeader = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 10, "method": "tools/list"}"#, headers: Self.auth.merging(["MCP-Protocol-Version": "2023-01-01"]) { $1 })
            #expect(legacyHeader.status == 400 && code(legacyHeader) == -32600)
        }
    }

    @Test("tools/list: flat schemas, annotations and the same answer every time")
    func toolList() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            let list = #"{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}"#
            let first = try Self.rpc(api, list)
            #expect(first.body == (try Self.rpc(api, list)).body)
            let tools = (first.object["result"] as? [String: Any])?["tools"] as? [[String: Any]] ?? []
            #expect(tools.compactMap { $0["name"] as? String } == [
                "add_memory", "search_memories", "get_memories", "get_memory", "update_memory", "delete_memory",
                "delete_all_memories", "list_entities", "memory_history", "search_relations", "get_event_status",
            ])
            for tool in tools {
                let schema = tool["inputSchema"] as? [String: Any] ?? [:]
                #expect(schema["type"] as? String == "object" && schema["properties"] is [String: Any], "\(tool["name"] ?? "")")
                let text = String(decoding: try JSONSerialization.data(withJSONObject: schema), as: UTF8.self)
                #expect(!text.contains("$ref") && !text.contains("anyOf") && !text.contains("additionalProperties"))
                #expect((tool["outputSchema"] as? [String: Any])?["type"] as? String == "object")
                #expect((tool["annotations"] as? [String: Any])?["readOnlyHint"] is Bool)
            }
        }
    }

    @Test("a round trip through the tools: add, search, list, get, update, history, delete, get fails")
    func roundTrip() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            let added = try Self.call(api, "add_memory", #"{"text": "Prefers window seats on long flights", "user_id": "alice", "infer": false, "metadata": {"topic": "travel"}}"#)
            #expect(added["isError"] as? Bool == false, "\(added)")
            let id = try #require((Self.structured(added)["results"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(Self.text(added).contains(id), "the text block carries the same JSON")

            let found = try Self.call(api, "search_memories", #"{"query": "window seats flights", "user_id": "alice", "limit": 3}"#)
            #expect((Self.structured(found)["results"] as? [[String: Any]])?.first?["id"] as? String == id, "\(found)")
            let filtered = try Self.call(api, "search_memories", #"{"query": "flights", "filters": {"user_id": "alice", "topic": "food"}}"#)
            #expect((Self.structured(filtered)["results"] as? [Any])?.isEmpty == true, "\(filtered)")

            let listed = try Self.call(api, "get_memories", #"{"user_id": "alice", "page_size": 5}"#)
            #expect((Self.structured(listed)["results"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(Self.structured(listed)["next"] == nil)

            let got = try Self.call(api, "get_memory", #"{"memory_id": "\#(id)"}"#)
            #expect(Self.structured(got)["memory"] as? String == "Prefers window seats on long flights")
            let updated = try Self.call(api, "update_memory", #"{"memory_id": "\#(id)", "text": "Prefers aisle seats on long flights"}"#)
            #expect(updated["isError"] as? Bool == false, "\(updated)")
            let history = try Self.call(api, "memory_history", #"{"memory_id": "\#(id)"}"#)
            #expect((Self.structured(history)["results"] as? [Any])?.count == 2, "\(history)")
            let entities = try Self.call(api, "list_entities", "{}")
            #expect(Self.text(entities).contains("alice"))

            let deleted = try Self.call(api, "delete_memory", #"{"memory_id": "\#(id)"}"#)
            #expect(Self.structured(deleted)["deleted"] as? Bool == true)
            let gone = try Self.call(api, "get_memory", #"{"memory_id": "\#(id)"}"#)
            #expect(gone["isError"] as? Bool == true && gone["structuredContent"] == nil)
            #expect(Self.text(gone).contains("404"), "\(Self.text(gone))")
        }
    }

    @Test("bad tool arguments are isError results the model can read; an unknown tool is -32602")
    func badArguments() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            for (tool, arguments, says) in [
                ("search_memories", #"{"user_id": "a"}"#, "query"),
                ("search_memories", #"{"query": "x", "user_id": "a", "limit": "ten"}"#, "limit"),
                ("search_memories", #"{"query": "x", "user_id": "a", "limit": 0}"#, "limit"),
                ("search_memories", #"{"query": "x", "user_id": "a", "limit": 2.5}"#, "limit"),
                ("add_memory", #"{"user_id": "a"}"#, "text"),
                ("add_memory", #"{"text": "x", "user_id": "a", "colour": "red"}"#, "colour"),
                ("add_memory", #"{"text": "x", "user_id": 5}"#, "user_id"),
                ("add_memory", #"{"messages": [{"role": "wizard", "content": "x"}], "user_id": "a"}"#, "role"),
                ("get_memory", #"{"memory_id": ""}"#, "memory_id"),
                ("update_memory", #"{"memory_id": "m"}"#, "text"),
                ("delete_all_memories", "{}", "scope"),
                ("get_memories", "{}", "scope"),
                ("search_memories", #"{"query": "x", "filters": {"bogus_op": {"$$": 1}}, "user_id": "a"}"#, "HTTP 4"),
            ] {
                let result = try Self.call(api, tool, arguments)
                #expect(result["isError"] as? Bool == true, "\(tool) \(arguments): \(result)")
                #expect(Self.text(result).lowercased().contains(says.lowercased()), "\(tool) \(arguments): \(Self.text(result))")
            }
            for params in [#"{"name": "forget_everything"}"#, #"{"arguments": {}}"#, #"{"name": "list_entities", "arguments": [1]}"#] {
                let response = try Self.rpc(api, #"{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": \#(params)}"#)
                #expect(response.status == 200 && (response.object["error"] as? [String: Any])?["code"] as? Int == -32602, "\(params): \(response.text)")
            }
            #expect(try api.call("GET", "/memories?user_id=a", headers: Self.auth).results.isEmpty, "a refused call writes nothing")
        }
    }

    @Test("scope: the tool's ids, else the URL's query, else the configured default user")
    func scoping() throws {
        try APIHarness.run(apiKey: Self.key, mcp: MCPSettings(defaultUserID: "carol")) { api in
            _ = try Self.call(api, "add_memory", #"{"text": "Bob keeps bees", "infer": false}"#, target: "/mcp?user_id=bob")
            _ = try Self.call(api, "add_memory", #"{"text": "Carol sings", "infer": false}"#)
            _ = try Self.call(api, "add_memory", #"{"text": "The planner agent prefers lists", "infer": false, "agent_id": "planner"}"#, target: "/mcp?user_id=bob")
            #expect(try api.call("GET", "/memories?user_id=bob", headers: Self.auth).results.map { $0["memory"] as? String } == ["Bob keeps bees"])
            #expect(try api.call("GET", "/memories?user_id=carol", headers: Self.auth).results.map { $0["memory"] as? String } == ["Carol sings"])
            let planner = try api.call("GET", "/memories?agent_id=planner", headers: Self.auth).results
            #expect(planner.count == 1 && planner.first?["user_id"] == nil, "the tool's scope replaces the URL's as a whole: \(planner)")

            let bobs = try Self.call(api, "search_memories", #"{"query": "bees"}"#, target: "/mcp/?user_id=bob")
            #expect((Self.structured(bobs)["results"] as? [[String: Any]])?.map { $0["memory"] as? String } == ["Bob keeps bees"])
            let wiped = try Self.call(api, "delete_all_memories", "{}", target: "/mcp?user_id=bob")
            #expect(wiped["isError"] as? Bool == false, "\(wiped)")
            #expect(try api.call("GET", "/memories?user_id=bob", headers: Self.auth).results.isEmpty)
            #expect(try api.call("GET", "/memories?user_id=carol", headers: Self.auth).results.count == 1)
        }
    }

    @Test("each project key sees only its project's memories through the tools")
    func isolation() throws {
        try APIHarness.run(apiKey: Self.key) { api in
            func key(_ project: String) throws -> [String: String] {
                let response = try api.call("POST", "/admin/keys", #"{"project": "\#(project)"}"#, headers: Self.auth)
                return ["Authorization": "Bearer \(response.object["key"] as? String ?? "")"]
            }
            let alpha = try key("alpha"), beta = try key("beta")
            let added = try Self.call(api, "add_memory", #"{"text": "Alpha's launch is in May", "infer": false, "user_id": "shared"}"#, headers: alpha)
            let id = try #require((Self.structured(added)["results"] as? [[String: Any]])?.first?["id"] as? String)
            let search = try Self.call(api, "search_memories", #"{"query": "launch May", "user_id": "shared"}"#, headers: beta)
            #expect((Self.structured(search)["results"] as? [Any])?.isEmpty == true, "\(search)")
            for tool in ["get_memory", "memory_history", "delete_memory"] {
                let result = try Self.call(api, tool, #"{"memory_id": "\#(id)"}"#, headers: beta)
                #expect(result["isError"] as? Bool == true && Self.text(result).contains("404"), "\(tool): \(result)")
            }
            #expect(try Self.call(api, "update_memory", #"{"memory_id": "\#(id)", "text": "stolen"}"#, headers: beta)["isError"] as? Bool == true)
            _ = try Self.call(api, "delete_all_memories", #"{"user_id": "shared"}"#, headers: beta)
            #expect(!Self.text(try Self.call(api, "list_entities", "{}", headers: beta)).contains("shared"))
            let kept = try Self.call(api, "get_memory", #"{"memory_id": "\#(id)"}"#, headers: alpha)
            #expect(Self.structured(kept)["memory"] as? String == "Alpha's launch is in May")
        }
    }
}
