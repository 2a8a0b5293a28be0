import EngramCore
import EngramProviders
import EngramTestSupport
import Foundation
import Logging
import Testing

/// mem0's hosted-platform routes over HTTP on both stores: their shapes, filters, batches, output
/// formats and errors, as mem0's clients read them.
@Suite("mem0 platform routes", .serialized)
struct PlatformRoutesTests {
    typealias Reply = FakeProviderServer.Reply

    static func add(_ api: APIHarness, _ text: String, scope: String = #""user_id": "alice""#, extra: String = "") throws -> RawClient.Response {
        try api.call("POST", "/v3/memories/add/", #"{"messages": [{"role": "user", "content": \#(api.quoted(text))}], \#(scope), "infer": false\#(extra)}"#)
    }

    static func id(_ response: RawClient.Response) throws -> String {
        try #require(response.results.first?["id"] as? String, "\(response.text)")
    }

    @Test("add, get, get-all, search, update, history and delete answer in the platform's shapes", arguments: HarnessStore.allCases)
    func shapes(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store) { api in
            let added = try Self.add(api, "I love coffee", scope: #""user_id": "alice", "app_id": "shop", "run_id": "r1""#,
                                     extra: #", "metadata": {"source": "chat"}"#)
            #expect(added.status == 200 && added.object["status"] as? String == "SUCCEEDED", "\(added.text)")
            let first = added.results.first ?? [:]
            #expect((first["data"] as? [String: Any])?["memory"] as? String == "I love coffee" && first["event"] as? String == "ADD")
            let id = try Self.id(added)
            let event = try #require(added.object["event_id"] as? String, "a synchronous add is recorded as an event")
            let recorded = try api.call("GET", "/v1/event/\(event)/").object
            #expect(recorded["status"] as? String == "SUCCEEDED" && (recorded["results"] as? [[String: Any]])?.first?["id"] as? String == id)

            let memory = try api.call("GET", "/v1/memories/\(id)/").object
            #expect(memory["session_id"] as? String == "r1" && memory["app_id"] as? String == "shop" && memory["run_id"] == nil)
            #expect((memory["categories"] as? [String])?.contains("food") == true, "\(memory)")
            #expect(memory["agent_id"] is NSNull && memory["expiration_date"] is NSNull)
            #expect((memory["metadata"] as? [String: Any])?["source"] as? String == "chat")

            let hits = try api.call("POST", "/v3/memories/search/", #"{"query": "coffee", "filters": {"app_id": "shop"}}"#)
            let hit = try #require(hits.results.first, "\(hits.text)")
            let score = try #require(hit["score"] as? Double)
            #expect(hit["run_id"] as? String == "r1" && hit["session_id"] == nil && (0...1).contains(score))
            let bare = try api.call("POST", "/v2/memories/search/", #"{"query": "coffee", "user_id": "alice"}"#)
            #expect((bare.json as? [Any])?.count == 1, "\(bare.text)")
            let wrapped = try api.call("POST", "/v2/memories/search/", #"{"query": "coffee", "user_id": "alice", "output_format": "v1.1"}"#)
            #expect(wrapped.results.count == 1)
            let reranked = try api.call("POST", "/v3/memories/search/", #"{"query": "coffee", "filters": {"user_id": "alice"}, "rerank": true}"#)
            #expect(reranked.status == 400 && reranked.text.contains("reranker"), "\(reranked.text)")
            let fields = try api.call("POST", "/v3/memories/search/", #"{"query": "coffee", "filters": {"user_id": "alice"}, "fields": ["memory"]}"#)
            #expect(Set(fields.results.first?.keys.map { $0 } ?? []) == ["id", "memory"])

            let updated = try api.call("PUT", "/v1/memories/\(id)/", #"{"text": "I love black coffee", "metadata": {"mood": "tired"}}"#)
            #expect(updated.status == 200 && updated.object["memory"] as? String == "I love black coffee", "\(updated.text)")
            let history = try #require(try api.call("GET", "/v1/memories/\(id)/history/").json as? [[String: Any]])
            #expect(history.map { $0["event"] as? String } == ["ADD", "UPDATE"])
            #expect(history.last?["session_id"] as? String == "r1" && history.last?["input"] as? [Any] != nil)

            #expect(try api.call("DELETE", "/v1/memories/\(id)/").status == 200)
            let gone = try api.call("GET", "/v1/memories/\(id)/")
            #expect(gone.status == 404 && gone.object["detail"] != nil)
        }
    }

    @Test("get-all pages and filters with the platform grammar", arguments: HarnessStore.allCases)
    func getAll(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store) { api in
            for text in ["I play tennis every weekend", "I listen to jazz music", "I learn programming in Swift"] {
                _ = try Self.add(api, text)
            }
            _ = try Self.add(api, "I love jazz concerts", scope: #""agent_id": "helper""#)
            let page = try api.call("POST", "/v3/memories/?page=1&page_size=2", #"{"filters": {"user_id": "alice"}}"#)
            #expect(page.object["count"] as? Int == 3 && page.results.count == 2, "\(page.text)")
            #expect((page.object["next"] as? String)?.contains("page=2") == true && page.object["previous"] is NSNull)
            let second = try api.call("POST", "/v3/memories/?page=2&page_size=2", #"{"filters": {"user_id": "alice"}}"#)
            #expect(second.results.count == 1 && second.object["next"] is NSNull)

            func texts(_ filters: String) throws -> [String] {
                let response = try api.call("POST", "/v3/memories/", #"{"filters": \#(filters)}"#)
                #expect(response.status == 200, "\(filters): \(response.text)")
                return response.results.compactMap { $0["memory"] as? String }.sorted()
            }
            #expect(try texts(#"{"OR": [{"user_id": "alice"}, {"agent_id": "helper"}]}"#).count == 4)
            #expect(try texts(#"{"AND": [{"user_id": "alice"}, {"categories": {"in": ["music"]}}]}"#) == ["I listen to jazz music"])
            #expect(try texts(#"{"user_id": "alice", "NOT": [{"categories": {"contains": "sports"}}]}"#).count == 2)
            #expect(try texts(#"{"user_id": "alice", "keywords": {"icontains": "SWIFT"}}"#) == ["I learn programming in Swift"])
            #expect(try texts(#"{"user_id": "alice", "created_at": {"gte": "2000-01-01", "lte": "2999-12-31"}}"#).count == 3)
            #expect(try texts(#"{"user_id": "alice", "created_at": {"lt": "2000-01-01"}}"#).isEmpty)
            #expect(try texts(#"{"agent_id": "*"}"#) == ["I love jazz concerts"])
            #expect(try texts(#"{"user_id": {"in": ["alice", "bob"]}, "agent_id": {"ne": "helper"}}"#).count == 3)

            for (filters, fragment) in [
                (#"{"categories": {"in": ["music"]}}"#, "at least one"),
                (#"{"user_id": "alice", "colour": "red"}"#, "Top-level key"),
                (#"{"user_id": {"gte": "a"}}"#, "Unsupported operator"),
                (#"{"user_id": "alice", "created_at": {"gte": "yesterday"}}"#, "ISO-8601"),
                (#"{"user_id": "alice", "categories": {"nin": ["x"]}}"#, "Unsupported operator"),
            ] {
                let response = try api.call("POST", "/v3/memories/", #"{"filters": \#(filters)}"#)
                #expect(response.status == 400 && response.text.contains(fragment), "\(filters): \(response.text)")
            }
            #expect(try api.call("POST", "/v3/memories/?page_size=201", #"{"filters": {"user_id": "alice"}}"#).status == 400)
            // The largest page numbers answer an empty page: no arithmetic overflow, anywhere.
            let huge = "page=\(Int.max)"
            for (method, target, body) in [
                ("POST", "/v3/memories/?\(huge)&page_size=200", #"{"filters": {"user_id": "alice"}}"#),
                ("GET", "/memories?user_id=alice&\(huge)&page_size=1000", nil), ("GET", "/history?user_id=alice&\(huge)", nil),
                ("GET", "/v1/events/?\(huge)", nil), ("GET", "/v1/entities/?\(huge)&page_size=1000", nil),
                ("GET", "/graph/entities?user_id=alice&\(huge)", nil),
            ] {
                let response = try api.call(method, target, body)
                #expect(response.status == 200 && response.results.isEmpty, "\(target): \(response.status) \(response.text)")
            }
        }
    }

    @Test("batches change all or nothing; delete-all takes the scope in the query", arguments: HarnessStore.allCases)
    func batches(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store) { api in
            let a = try Self.id(Self.add(api, "I like tea"))
            let b = try Self.id(Self.add(api, "I like coffee"))
            let missing = try api.call("PUT", "/v1/batch/", #"{"memories": [{"memory_id": "\#(a)", "text": "I like green tea"}, {"memory_id": "nope", "text": "x"}]}"#)
            #expect(missing.status == 404, "\(missing.text)")
            #expect(try api.call("GET", "/v1/memories/\(a)/").object["memory"] as? String == "I like tea")
            let updated = try api.call("PUT", "/v1/batch/", #"{"memories": [{"memory_id": "\#(a)", "text": "I like green tea"}, {"memory_id": "\#(b)", "metadata": {"k": 1}}]}"#)
            #expect(updated.status == 200 && (updated.object["message"] as? String)?.contains("2") == true, "\(updated.text)")
            #expect(try api.call("GET", "/v1/memories/\(a)/").object["memory"] as? String == "I like green tea")
            let many = "[" + Array(repeating: #"{"memory_id": "x"}"#, count: 1001).joined(separator: ",") + "]"
            #expect(try api.call("DELETE", "/v1/batch/", #"{"memories": \#(many)}"#).status == 400)
            #expect(try api.call("DELETE", "/v1/batch/", #"{"memories": [{"memory_id": "\#(a)"}, {"memory_id": "nope"}]}"#).status == 404)
            #expect(try api.call("DELETE", "/v1/batch/", #"{"memories": [{"memory_id": "\#(a)"}]}"#).status == 200)
            #expect(try api.call("GET", "/v1/memories/\(a)/").status == 404)

            _ = try Self.add(api, "I like cocoa", scope: #""user_id": "bob""#)
            #expect(try api.call("DELETE", "/v1/memories/").status == 400)
            let one = try api.call("DELETE", "/v1/memories/?filters=%7B%27user_id%27%3A+%27bob%27%7D")
            #expect(one.status == 200 && one.object["deleted"] as? Int == 1, "\(one.text)")
            let all = try api.call("DELETE", "/v1/memories/?user_id=*")
            #expect(all.status == 200 && all.object["deleted"] as? Int == 1, "\(all.text)")
        }
    }

    @Test("entities, events, the 1.x add and feedback", arguments: HarnessStore.allCases)
    func accounts(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store, jobWorkers: 1) { api in
            let legacy = try api.call("POST", "/v1/memories/", #"{"messages": [{"role": "user", "content": "I am allergic to peanuts"}], "user_id": "alice", "output_format": "v1.1"}"#)
            let queued = try #require((legacy.json as? [[String: Any]])?.first, "\(legacy.text)")
            let event = try #require(queued["event_id"] as? String)
            #expect(queued["status"] as? String == "PENDING")
            var status = ""
            for _ in 0..<100 where status != "SUCCEEDED" {
                status = try api.call("GET", "/v1/event/\(event)/").object["status"] as? String ?? ""
                if status != "SUCCEEDED" { Thread.sleep(forTimeInterval: 0.05) }
            }
            let done = try api.call("GET", "/v1/event/\(event)/").object
            #expect(status == "SUCCEEDED" && done["event_type"] as? String == "ADD" && (done["results"] as? [Any])?.isEmpty == false, "\(done)")
            #expect((try api.call("GET", "/v1/events/").object["count"] as? Int) == 1)

            let sync = try api.call("POST", "/v1/memories/", #"{"messages": "I run", "agent_id": "coach", "async_mode": false, "infer": false}"#)
            #expect((sync.json as? [[String: Any]])?.first?["event"] as? String == "ADD", "\(sync.text)")
            let entities = try api.call("GET", "/v1/entities/").object
            #expect(entities["total_users"] as? Int == 1 && entities["total_agents"] as? Int == 1, "\(entities)")
            let names = (entities["results"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? ""):\($0["name"] ?? "")" }.sorted()
            #expect(names == ["agent:coach", "user:alice"])
            #expect(try api.call("DELETE", "/v2/entities/agent/coach/").status == 200)
            #expect(try api.call("DELETE", "/v2/entities/agent/coach/").status == 200)
            #expect(try api.call("DELETE", "/v2/entities/agent/never-seen/").status == 404)
            #expect(try api.call("DELETE", "/v2/entities/planet/mars/").status == 400)

            let id = try #require(try api.call("POST", "/v3/memories/", #"{"filters": {"user_id": "alice"}}"#).results.first?["id"] as? String)
            let feedback = try api.call("POST", "/v1/feedback/", #"{"memory_id": "\#(id)", "feedback": "POSITIVE", "feedback_reason": "spot on"}"#)
            #expect(feedback.status == 200 && feedback.object["feedback"] as? String == "POSITIVE", "\(feedback.text)")
            #expect(try api.call("POST", "/v1/feedback/", #"{"memory_id": "\#(id)", "feedback": "GREAT"}"#).status == 400)
            #expect(try api.call("POST", "/v1/feedback/", #"{"memory_id": "nope", "feedback": "POSITIVE"}"#).status == 404)
        }
    }

    @Test("project settings: custom categories file new memories; exports, summaries and profiles need an LLM", arguments: HarnessStore.allCases)
    func project(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store) { api in
            let path = "/api/v1/orgs/organizations/engram/projects/default/"
            let patch = try api.call("PATCH", path, #"{"custom_instructions": "Keep drinks", "custom_categories": [{"drinks": "Tea, coffee, juice, wine and other drinks"}]}"#)
            #expect(patch.status == 200, "\(patch.text)")
            let project = try api.call("GET", path + "?fields=custom_categories&fields=custom_instructions").object
            #expect(project["custom_instructions"] as? String == "Keep drinks")
            #expect((project["custom_categories"] as? [[String: String]])?.first?["drinks"] != nil, "\(project)")
            let id = try Self.id(Self.add(api, "I drink green tea every morning"))
            #expect(try api.call("GET", "/v1/memories/\(id)/").object["categories"] as? [String] == ["drinks"])
            #expect(try api.call("GET", "/api/v1/orgs/organizations/engram/projects/other/").status == 404)
            #expect(try api.call("PATCH", path, #"{"custom_categories": "food"}"#).status == 400)

            for (route, body) in [
                ("/v1/exports/", #"{"schema": {"type": "object"}, "filters": {"user_id": "alice"}}"#),
                ("/v1/summary/", #"{"filters": {"user_id": "alice"}}"#),
            ] {
                let response = try api.call("POST", route, body)
                #expect(response.status == 501 && response.text.contains("LLM"), "\(route): \(response.text)")
            }
            let profile = try api.call("GET", "/v2/entities/user/alice/profile/")
            #expect(profile.object["status"] as? String == "not_enabled", "\(profile.text)")
            #expect(try api.call("GET", "/v2/entities/user/nobody/profile/").status == 404)
            let job = try api.call("POST", "/v2/profiles/jobs/", #"{"operation": "trigger", "entity_type": "user", "entity_id": "alice"}"#)
            #expect(job.status == 400 && job.text.contains("LLM"), "\(job.text)")
        }
    }

    @Test("with an LLM: categories come from the inference call, exports and summaries are made, profiles are generated once per key")
    func withModel() throws {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        let chatPath = FakeProviderServer.Path.openAIChat
        try FakeProviderServer.run { fake in
            let factory = RemoteProviderFactory(logger: logger)
            let chat = try factory.chatModel(ProviderSettings(
                provider: "openai", model: "test-model", baseURL: fake.openAIBaseURL, apiKey: "sk-test", timeout: 3, maxRetries: 0))
            try APIHarness.run(chatModel: chat, factory: factory, jobWorkers: 1) { api in
                fake.enqueue(.openAIChat(content: #"{"operations": [{"op": "ADD", "text": "User drinks oolong.", "categories": ["food", "made_up"]}]}"#), on: chatPath)
                let added = try api.call("POST", "/v3/memories/add/", #"{"messages": "I drink oolong", "user_id": "alice", "async_mode": false}"#)
                let id = try Self.id(added)
                #expect(try api.call("GET", "/v1/memories/\(id)/").object["categories"] as? [String] == ["food"])
                let prompt = (fake.requests(on: chatPath).last?.json["messages"] as? [[String: Any]])?.last?["content"] as? String ?? ""
                #expect(prompt.contains("personal_details, family, professional_details"), "the prompt lists the categories")

                for text in ["I live in Porto", "I have two cats"] { _ = try Self.add(api, text) }
                fake.enqueue(.openAIChat(content: #"{"drink": "oolong", "city": "Porto"}"#), on: chatPath)
                let export = try api.call("POST", "/v1/exports/", #"{"schema": "{\"type\": \"object\", \"properties\": {\"drink\": {\"type\": \"string\"}}}", "filters": {"user_id": "alice"}}"#)
                #expect(export.status == 201, "\(export.text)")
                let exportID = try #require(export.object["id"] as? String)
                let fetched = try api.call("POST", "/v1/exports/get/", #"{"memory_export_id": "\#(exportID)"}"#)
                #expect(fetched.object["drink"] as? String == "oolong", "\(fetched.text)")
                fake.enqueue(.openAIChat(content: "Alice drinks oolong and lives in Porto."), on: chatPath)
                let summary = try api.call("POST", "/v1/summary/", #"{"filters": {"user_id": "alice"}}"#)
                #expect(summary.object["summary"] as? String == "Alice drinks oolong and lives in Porto." && summary.object["memory_count"] as? Int == 3)

                let settings = try api.call("POST", "/v2/profiles/settings/", #"{"enabled": true, "entities": {"user": {"schema": {"type": "object", "properties": {"city": {"type": "string", "description": "Where they live"}}}}}}"#)
                #expect(settings.status == 200 && settings.object["enabled"] as? Bool == true, "\(settings.text)")
                #expect(try api.call("POST", "/v2/profiles/settings/", #"{"schema": {}}"#).status == 400)
                #expect(try api.call("POST", "/v2/profiles/settings/", #"{"entities": {"user": {"schema": {"properties": {"city": {}}}}}}"#).status == 400)
                fake.enqueue(.openAIChat(content: #"{"city": "Porto"}"#), on: chatPath)
                let requestsBefore = fake.requests(on: chatPath).count
                let body = #"{"operation": "trigger", "entity_type": "user", "entity_id": "alice"}"#
                let first = try api.call("POST", "/v2/profiles/jobs/", body, headers: ["Idempotency-Key": "k1"])
                let retry = try api.call("POST", "/v2/profiles/jobs/", body, headers: ["Idempotency-Key": "k1"])
                #expect(first.object["job_id"] as? String == retry.object["job_id"] as? String, "\(first.text) \(retry.text)")
                #expect(first.object["replayed"] as? Bool == false && retry.object["replayed"] as? Bool == true)
                let jobID = try #require(first.object["job_id"] as? String)
                var job: [String: Any] = [:]
                for _ in 0..<100 {
                    job = try api.call("GET", "/v2/profiles/jobs/\(jobID)/").object["job"] as? [String: Any] ?? [:]
                    if job["status"] as? String == "succeeded" { break }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                #expect(job["status"] as? String == "succeeded" && job["succeeded"] as? Int == 1, "\(job)")
                #expect(fake.requests(on: chatPath).count == requestsBefore + 1, "one generation for two creates")
                let profile = try api.call("GET", "/v2/entities/user/alice/profile/").object
                #expect(profile["status"] as? String == "succeeded" && (profile["profile"] as? [String: Any])?["city"] as? String == "Porto", "\(profile)")
                #expect(profile["generation_count"] as? Int == 1)

                // A reset erases what was made from the memories too.
                #expect(try api.call("POST", "/reset").status == 200)
                #expect(try api.call("POST", "/v1/exports/get/", #"{"memory_export_id": "\#(exportID)"}"#).status == 404)
                _ = try Self.add(api, "I live in Lisbon now")
                #expect(try api.call("GET", "/v2/entities/user/alice/profile/").object["status"] as? String == "insufficient_data")
            }
        }
    }
}
