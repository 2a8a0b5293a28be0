import EngramCore
import EngramPostgres
import EngramPostgresTestSupport
import EngramTestSupport
import Foundation
import Testing

/// Projects and keys over HTTP on both stores: each key sees only its project, ids of another project
/// are 404, admin routes need an admin key, a revoked key is refused on its next request.
@Suite("Projects and keys", .serialized)
struct TenancyTests {
    static let admin = "admin-key-for-tests"

    /// Creates a key of `project` with the admin key; returns (id, key).
    static func key(_ api: APIHarness, project: String, admin: Bool = false) throws -> (id: String, key: String) {
        let response = try api.call("POST", "/admin/keys", #"{"project": "\#(project)", "admin": \#(admin)}"#, headers: ["X-API-Key": Self.admin])
        #expect(response.status == 201, "\(response.text)")
        return (response.object["id"] as? String ?? "", response.object["key"] as? String ?? "")
    }

    static func token(_ key: String) -> [String: String] { ["Authorization": "Token \(key)"] }

    @Test("a project's memories, history, events and entities are invisible to another project's key", arguments: HarnessStore.allCases)
    func isolation(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store, apiKey: Self.admin, jobWorkers: 1) { api in
            let alpha = Self.token(try Self.key(api, project: "alpha").key)
            let beta = Self.token(try Self.key(api, project: "beta").key)
            let add = try api.call("POST", "/v3/memories/add/",
                                   #"{"messages": [{"role": "user", "content": "I love green tea"}], "user_id": "shared-name", "infer": false}"#, headers: alpha)
            #expect(add.status == 200, "\(add.text)")
            let id = try #require(add.results.first?["id"] as? String)
            let queued = try api.call("POST", "/v3/memories/add/",
                                      #"{"messages": [{"role": "user", "content": "I am a keen runner"}], "user_id": "shared-name"}"#, headers: alpha)
            let event = try #require(queued.object["event_id"] as? String)

            for (method, path, body) in [
                ("GET", "/v1/memories/\(id)/", nil), ("GET", "/memories/\(id)", nil),
                ("PUT", "/v1/memories/\(id)/", #"{"text": "stolen"}"#), ("PUT", "/memories/\(id)", #"{"text": "stolen"}"#),
                ("DELETE", "/v1/memories/\(id)/", nil), ("DELETE", "/memories/\(id)", nil),
                ("GET", "/v1/memories/\(id)/history/", nil), ("GET", "/memories/\(id)/history", nil),
                ("GET", "/v1/event/\(event)/", nil), ("GET", "/events/\(event)", nil),
                ("PUT", "/v1/batch/", #"{"memories": [{"memory_id": "\#(id)", "text": "stolen"}]}"#),
                ("DELETE", "/v1/batch/", #"{"memories": [{"memory_id": "\#(id)"}]}"#),
                ("POST", "/v1/feedback/", #"{"memory_id": "\#(id)", "feedback": "NEGATIVE"}"#),
                ("DELETE", "/v2/entities/user/shared-name/", nil),
                ("GET", "/api/v1/orgs/organizations/engram/projects/alpha/", nil),
            ] {
                let response = try api.call(method, path, body, headers: beta)
                #expect(response.status == 404, "\(method) \(path) by another project: \(response.status) \(response.text)")
            }
            for (path, body) in [
                ("/v3/memories/search/", #"{"query": "tea", "filters": {"user_id": "shared-name"}}"#),
                ("/v3/memories/", #"{"filters": {"user_id": "shared-name"}}"#),
                ("/search", #"{"query": "tea", "user_id": "shared-name"}"#),
            ] {
                let response = try api.call("POST", path, body, headers: beta)
                #expect(response.status == 200 && response.results.isEmpty, "\(path): \(response.text)")
            }
            #expect(try api.call("GET", "/memories?user_id=shared-name", headers: beta).results.isEmpty)
            #expect((try api.call("GET", "/v1/entities/", headers: beta).object["count"] as? Int) == 0)
            let wiped = try api.call("DELETE", "/v1/memories/?user_id=*", headers: beta)
            #expect(wiped.status == 200 && wiped.object["deleted"] as? Int == 0, "\(wiped.text)")

            // Alpha's memory is intact and unchanged.
            let mine = try api.call("GET", "/v1/memories/\(id)/", headers: alpha)
            #expect(mine.status == 200 && mine.object["memory"] as? String == "I love green tea", "\(mine.text)")
            #expect(try api.call("GET", "/v1/memories/\(id)/history/", headers: alpha).json.map { ($0 as? [Any])?.count } == 1)
        }
    }

    @Test("admin routes need an admin key; reset erases only the caller's project", arguments: HarnessStore.allCases)
    func adminRoutes(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store, apiKey: Self.admin) { api in
            let member = Self.token(try Self.key(api, project: "alpha").key)
            let alphaAdmin = Self.token(try Self.key(api, project: "alpha", admin: true).key)
            for (method, path, body) in [
                ("GET", "/configure", nil), ("POST", "/configure", #"{"custom_instructions": "x"}"#),
                ("GET", "/admin/keys", nil), ("POST", "/admin/keys", #"{"project": "gamma"}"#), ("POST", "/reset", nil),
            ] {
                let response = try api.call(method, path, body, headers: member)
                #expect(response.status == 403, "\(method) \(path) by a member: \(response.status)")
            }
            _ = try api.call("POST", "/memories", #"{"messages": "kept in default", "user_id": "u", "infer": false}"#, headers: ["X-API-Key": Self.admin])
            _ = try api.call("POST", "/memories", #"{"messages": "erased with alpha", "user_id": "u", "infer": false}"#, headers: member)
            #expect(try api.call("POST", "/reset", headers: alphaAdmin).status == 200)
            #expect(try api.call("GET", "/memories?user_id=u", headers: member).results.isEmpty)
            let kept = try api.call("GET", "/memories?user_id=u", headers: ["X-API-Key": Self.admin]).results
            #expect(kept.map { $0["memory"] as? String } == ["kept in default"])
            // The key listing never shows a key.
            let listing = try api.call("GET", "/admin/keys", headers: alphaAdmin)
            #expect(listing.status == 200 && !listing.text.contains("\"key\""), "\(listing.text)")
        }
    }

    @Test("a revoked key is refused on its next request, also by another instance on the same Postgres store")
    func revocation() throws {
        let url = try EmbeddedPostgres.shared.makeDatabase()
        let first = try PostgresMemoryStore(url: url)
        let second = try PostgresMemoryStore(url: url)
        try APIHarness.run(sharedStore: first, apiKey: Self.admin) { one in
            try APIHarness.run(sharedStore: second, apiKey: Self.admin) { two in
                let (id, key) = try Self.key(one, project: "alpha")
                let ping = try two.call("GET", "/v1/ping/", headers: Self.token(key))
                #expect(ping.status == 200 && ping.object["project_id"] as? String == "alpha", "\(ping.text)")
                #expect(try two.call("DELETE", "/admin/keys/\(id)", headers: ["X-API-Key": Self.admin]).status == 200)
                for api in [one, two] {
                    #expect(try api.call("GET", "/v1/ping/", headers: Self.token(key)).status == 401)
                }
                #expect(try one.call("DELETE", "/admin/keys/\(id)", headers: ["X-API-Key": Self.admin]).status == 404)
            }
        }
    }

    @Test("bad keys, bad projects and a keyless server")
    func edges() throws {
        try APIHarness.run(apiKey: Self.admin) { api in
            let wrong = try api.call("GET", "/v1/ping/", headers: Self.token("eng_nope"))
            #expect(wrong.status == 401)
            let missing = try api.call("GET", "/v1/ping/")
            #expect(missing.status == 401)
            for project in ["", "has space", "a/b", String(repeating: "p", count: 65), "naïve"] {
                let body = #"{"project": \#(api.quoted(project))}"#
                #expect(try api.call("POST", "/admin/keys", body, headers: ["X-API-Key": Self.admin]).status == 400, "\(project)")
            }
            #expect(try api.call("DELETE", "/admin/keys/unknown", headers: ["X-API-Key": Self.admin]).status == 404)
        }
        try APIHarness.run { api in
            let ping = try api.call("GET", "/v1/ping/")
            #expect(ping.status == 200 && ping.object["project_id"] as? String == "default" && ping.object["org_id"] as? String == "engram")
        }
    }
}
