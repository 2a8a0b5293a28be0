import Crypto
import EngramCore
import EngramProviders
import EngramTestSupport
import Foundation
import Logging
import Testing

/// mem0's platform webhooks over a real server: CRUD confined to the caller's project, the URL policy,
/// and signed deliveries from the outbox with retries.
@Suite("Webhooks")
struct WebhookTests {
    static let adminKey = "admin-key"
    static var admin: [String: String] { ["X-API-Key": adminKey] }

    /// Settings for a loopback receiver and quick retries.
    static func loopback(retryDelays: [TimeInterval] = [0.2, 0.2]) -> MemoryService.Configuration {
        var configuration = MemoryService.Configuration()
        configuration.webhooks.allowPrivateAddresses = true
        configuration.webhooks.retryDelays = retryDelays
        configuration.webhooks.pollInterval = 0.05
        return configuration
    }

    /// Runs `body` while a dispatcher delivers `api`'s outbox over libcurl; stopped afterwards.
    static func delivering<T>(_ api: APIHarness, _ body: () throws -> T) throws -> T {
        var logger = Logger(label: "test.webhooks")
        logger.logLevel = .critical
        let dispatcher = WebhookDispatcher(service: api.service, transport: CurlWebhookTransport(timeout: 5, logger: logger))
        try dispatcher.start()
        defer { dispatcher.stop(timeout: 10) }
        return try body()
    }

    static func create(_ api: APIHarness, url: String, types: [String], headers: [String: String] = admin) throws -> RawClient.Response {
        let names = types.map { "\"\($0)\"" }.joined(separator: ", ")
        return try api.call(
            "POST", "/api/v1/webhooks/projects/default/", #"{"url": "\#(url)", "name": "logger", "event_types": [\#(names)]}"#,
            headers: headers)
    }

    /// Adds one verbatim memory for alice as the administrator.
    static func remember(_ api: APIHarness, _ text: String) throws {
        let body = #"{"messages": [{"role": "user", "content": \#(api.quoted(text))}], "user_id": "alice", "infer": false}"#
        #expect(try api.call("POST", "/memories", body, headers: admin).status == 200)
    }

    /// Waits up to 10 s for `count` requests on `path`.
    static func requests(_ fake: FakeProviderServer, on path: String, count: Int) -> [FakeProviderServer.RecordedRequest] {
        for _ in 0..<200 where fake.requests(on: path).count < count { Thread.sleep(forTimeInterval: 0.05) }
        return fake.requests(on: path)
    }

    static func verify(_ request: FakeProviderServer.RecordedRequest, secret: String) -> Bool {
        guard let timestamp = request.header("X-Engram-Timestamp"), let signature = request.header("X-Engram-Signature") else {
            return false
        }
        let code = HMAC<SHA256>.authenticationCode(for: Data((timestamp + ".").utf8) + request.body, using: SymmetricKey(data: Data(secret.utf8)))
        return signature == "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    @Test("webhooks are created, listed, changed and deleted, only within the caller's project", arguments: HarnessStore.allCases)
    func crudAndIsolation(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store, apiKey: Self.adminKey, configuration: Self.loopback()) { api in
            let created = try Self.create(api, url: "http://127.0.0.1:9/hook", types: ["memory_add", "memory:delete"])
            #expect(created.status == 201)
            let id = try #require(created.object["webhook_id"] as? String)
            #expect(created.object["event_types"] as? [String] == ["memory_add", "memory_delete"])
            #expect(created.object["project"] as? String == "default")
            #expect(created.object["is_active"] as? Bool == true)
            #expect(created.object["owner"] as? String == "admin")
            #expect((created.object["secret"] as? String)?.hasPrefix("whsec_") == true)

            let listed = try api.call("GET", "/api/v1/webhooks/projects/default/", headers: Self.admin)
            let items = try #require(listed.json as? [[String: Any]])
            #expect(items.map { $0["webhook_id"] as? String } == [id])
            #expect(items.first?["secret"] == nil)

            let changed = try api.call(
                "PUT", "/api/v1/webhooks/\(id)/", #"{"name": "renamed", "event_types": ["memory_update"]}"#, headers: Self.admin)
            #expect(changed.status == 200)
            #expect(changed.object["name"] as? String == "renamed")
            #expect(changed.object["event_types"] as? [String] == ["memory_update"])
            #expect(changed.object["url"] as? String == "http://127.0.0.1:9/hook")

            let unknown = try api.call("PUT", "/api/v1/webhooks/\(id)/", #"{"event_types": ["memory_explode"]}"#, headers: Self.admin)
            #expect(unknown.status == 400)
            #expect((unknown.object["detail"] as? String)?.contains("memory_explode") == true)
            #expect(try Self.create(api, url: "http://127.0.0.1:9/hook", types: []).status == 400)
            #expect(try api.call("POST", "/api/v1/webhooks/projects/default/", #"{"name": "x"}"#, headers: Self.admin).status == 422)

            let (_, key) = try api.service.keyRing.create(project: "other", admin: false)
            let other = ["X-API-Key": key]
            #expect(try api.call("GET", "/api/v1/webhooks/projects/default/", headers: other).status == 404)
            #expect(try Self.create(api, url: "http://127.0.0.1:9/hook", types: ["memory_add"], headers: other).status == 404)
            #expect(try api.call("PUT", "/api/v1/webhooks/\(id)/", #"{"name": "stolen"}"#, headers: other).status == 404)
            #expect(try api.call("DELETE", "/api/v1/webhooks/\(id)/", headers: other).status == 404)
            #expect(try api.call("GET", "/api/v1/webhooks/\(id)/deliveries", headers: other).status == 404)
            let own = try api.call("GET", "/api/v1/webhooks/projects/other/", headers: other)
            #expect(own.status == 200)
            #expect((own.json as? [Any])?.isEmpty == true)

            let deleted = try api.call("DELETE", "/api/v1/webhooks/\(id)/", headers: Self.admin)
            #expect(deleted.object["message"] as? String == "Webhook deleted successfully")
            #expect(try api.call("DELETE", "/api/v1/webhooks/\(id)/", headers: Self.admin).status == 404)
            #expect((try api.call("GET", "/api/v1/webhooks/projects/default/", headers: Self.admin).json as? [Any])?.isEmpty == true)
        }
    }

    @Test("loopback, private and link-local URLs are refused unless allowed", arguments: HarnessStore.allCases)
    func urlPolicy(store: HarnessStore) throws {
        var strict = MemoryService.Configuration()
        strict.webhooks.resolver = SystemHostResolver()
        try APIHarness.run(storeKind: store, apiKey: Self.adminKey, configuration: strict) { api in
            for url in [
                "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest", "http://[::1]/hook",
                "http://10.1.2.3/hook", "http://192.168.0.10/", "http://172.20.0.1/", "http://100.64.0.1/", "http://0.0.0.0/",
                "http://2130706433/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "ftp://example.com/hook", "not a url",
            ] {
                let refused = try Self.create(api, url: url, types: ["memory_add"])
                #expect(refused.status == 400, "\(url)")
                #expect(refused.object["detail"] is String, "\(url)")
            }
            let detail = try Self.create(api, url: "http://127.0.0.1/", types: ["memory_add"]).object["detail"] as? String
            #expect(detail?.contains("--allow-private-webhooks") == true)
        }
        try APIHarness.run(storeKind: store, apiKey: Self.adminKey, configuration: Self.loopback()) { api in
            let allowed = try Self.create(api, url: "http://127.0.0.1:8080/hook", types: ["memory_add"])
            #expect(allowed.status == 201)
            let scheme = try Self.create(api, url: "ftp://127.0.0.1/hook", types: ["memory_add"])
            #expect(scheme.status == 400)
        }
    }

    @Test("adds, updates and deletes are delivered signed to the receiver", arguments: HarnessStore.allCases)
    func signedDeliveries(store: HarnessStore) throws {
        try FakeProviderServer.run { receiver in
            receiver.setFallback(.status(204), on: "/hook")
            try APIHarness.run(storeKind: store, apiKey: Self.adminKey, configuration: Self.loopback()) { api in
                try Self.delivering(api) {
                    let created = try Self.create(
                        api, url: receiver.baseURL + "/hook", types: ["memory_add", "memory_update", "memory_delete"])
                    let secret = try #require(created.object["secret"] as? String)
                    let body = #"{"messages": [{"role": "user", "content": "I like green tea."}], "user_id": "alice", "infer": false, "metadata": {"mood": "calm"}}"#
                    let added = try api.call("POST", "/memories", body, headers: Self.admin)
                    let id = try #require(added.results.first?["id"] as? String)
                    #expect(try api.call("PUT", "/memories/\(id)", #"{"text": "I like jasmine tea."}"#, headers: Self.admin).status == 200)
                    #expect(try api.call("DELETE", "/memories/\(id)", headers: Self.admin).status == 200)

                    let received = Self.requests(receiver, on: "/hook", count: 3)
                    #expect(received.count == 3)
                    let events = received.map { $0.json["event"] as? String }
                    #expect(events == ["memory_add", "memory_update", "memory_delete"])
                    for request in received {
                        #expect(Self.verify(request, secret: secret))
                        #expect(request.header("Content-Type") == "application/json")
                        #expect(request.header("X-Engram-Event") == request.json["event"] as? String)
                        #expect(request.header("X-Engram-Delivery")?.isEmpty == false)
                        #expect(request.json["project"] as? String == "default")
                        let memory = request.json["memory"] as? [String: Any]
                        #expect(memory?["id"] as? String == id)
                        #expect(memory?["user_id"] as? String == "alice")
                    }
                    #expect((received[0].json["memory"] as? [String: Any])?["memory"] as? String == "I like green tea.")
                    #expect(((received[0].json["memory"] as? [String: Any])?["metadata"] as? [String: Any])?["mood"] as? String == "calm")
                    #expect((received[1].json["memory"] as? [String: Any])?["memory"] as? String == "I like jasmine tea.")
                    #expect(received[1].json["previous_memory"] as? String == "I like green tea.")
                    #expect((received[2].json["event_details"] as? [String: Any])?["event"] as? String == "DELETE")
                    var tampered = received[0]
                    tampered.body = Data(tampered.text.replacingOccurrences(of: "green", with: "black").utf8)
                    #expect(!Self.verify(tampered, secret: secret))
                }
            }
        }
    }

    @Test("categorised memories and regenerated profiles are events too")
    func categoriesAndProfiles() throws {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        try FakeProviderServer.run { fake in
            fake.setFallback(.status(204), on: "/hook")
            let factory = RemoteProviderFactory(logger: logger)
            let chat = try factory.chatModel(ProviderSettings(
                provider: "openai", model: "test-model", baseURL: fake.openAIBaseURL, apiKey: "sk-test", timeout: 3, maxRetries: 0))
            try APIHarness.run(apiKey: Self.adminKey, chatModel: chat, jobWorkers: 1, configuration: Self.loopback()) { api in
                try Self.delivering(api) {
                    let created = try Self.create(api, url: fake.baseURL + "/hook", types: ["memory_categorize", "profile_update"])
                    #expect(created.status == 201, "\(created.text)")
                    let patch = try api.call("PATCH", "/api/v1/orgs/organizations/engram/projects/default/",
                                             #"{"custom_categories": [{"drinks": "tea, coffee, juice"}]}"#, headers: Self.admin)
                    #expect(patch.status == 200)
                    for text in ["I drink tea", "I drink coffee", "I like juice"] { try Self.remember(api, text) }
                    let settings = #"{"enabled": true, "entities": {"user": {"schema": {"type": "object", "properties": {"drink": {"type": "string", "description": "Their drink"}}}}}}"#
                    #expect(try api.call("POST", "/v2/profiles/settings/", settings, headers: Self.admin).status == 200)
                    fake.enqueue(.openAIChat(content: #"{"drink": "tea"}"#), on: FakeProviderServer.Path.openAIChat)
                    let job = try api.call("POST", "/v2/profiles/jobs/", #"{"operation": "trigger", "entity_id": "alice"}"#, headers: Self.admin)
                    #expect(job.status == 202, "\(job.text)")
                    let received = Self.requests(fake, on: "/hook", count: 4)
                    let events = received.map { $0.json["event"] as? String ?? "" }
                    #expect(events.filter { $0 == "memory_categorize" }.count == 3, "\(events)")
                    let profile = try #require(received.first { $0.json["event"] as? String == "profile_update" })
                    let body = profile.json["profile"] as? [String: Any]
                    #expect(body?["entity_id"] as? String == "alice" && (body?["profile"] as? [String: Any])?["drink"] as? String == "tea")
                    #expect((received.first?.json["memory"] as? [String: Any])?["categories"] as? [String] == ["drinks"])
                }
            }
        }
    }

    @Test("a receiver answering 500 gets the event again, and the delivery is recorded", arguments: HarnessStore.allCases)
    func retriesFailures(store: HarnessStore) throws {
        try FakeProviderServer.run { receiver in
            receiver.enqueue(.status(500), on: "/hook")
            receiver.setFallback(.status(200), on: "/hook")
            try APIHarness.run(storeKind: store, apiKey: Self.adminKey, configuration: Self.loopback()) { api in
                try Self.delivering(api) {
                    let created = try Self.create(api, url: receiver.baseURL + "/hook", types: ["memory_add"])
                    let hook = try #require(created.object["webhook_id"] as? String)
                    try Self.remember(api, "I live in Lyon.")
                    let received = Self.requests(receiver, on: "/hook", count: 2)
                    #expect(received.count == 2)
                    #expect(received.first?.header("X-Engram-Delivery") == received.last?.header("X-Engram-Delivery"))
                    #expect(received.first?.text == received.last?.text)
                    var deliveries: [[String: Any]] = []
                    for _ in 0..<100 {
                        deliveries = try api.call("GET", "/api/v1/webhooks/\(hook)/deliveries", headers: Self.admin).json as? [[String: Any]] ?? []
                        if deliveries.first?["status"] as? String == "DELIVERED" { break }
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                    #expect(deliveries.count == 1)
                    #expect(deliveries.first?["status"] as? String == "DELIVERED")
                    #expect(deliveries.first?["attempts"] as? Int == 2)
                    #expect(deliveries.first?["last_error"] as? String == "HTTP 500")
                }
            }
        }
    }

    @Test("a receiver that always fails ends FAILED after the last attempt")
    func failsForGood() throws {
        try FakeProviderServer.run { receiver in
            receiver.setFallback(.status(503), on: "/hook")
            try APIHarness.run(apiKey: Self.adminKey, configuration: Self.loopback(retryDelays: [0.1])) { api in
                try Self.delivering(api) {
                    let hook = try #require(
                        try Self.create(api, url: receiver.baseURL + "/hook", types: ["memory_add"]).object["webhook_id"] as? String)
                    try Self.remember(api, "I live in Oslo.")
                    var deliveries: [[String: Any]] = []
                    for _ in 0..<200 {
                        deliveries = try api.call("GET", "/api/v1/webhooks/\(hook)/deliveries", headers: Self.admin).json as? [[String: Any]] ?? []
                        if deliveries.first?["status"] as? String == "FAILED" { break }
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                    #expect(deliveries.first?["status"] as? String == "FAILED")
                    #expect(deliveries.first?["attempts"] as? Int == 2)
                    #expect(receiver.requests(on: "/hook").count == 2)
                }
            }
        }
    }
}
