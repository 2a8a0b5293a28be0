import EngramCore
import EngramProviders
import EngramTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Graph memory end to end over HTTP, on both stores: relations from a scripted model and from the
/// heuristic extractor, their time windows, `as_of`, provenance, hostile names, isolation and a
/// concurrent add storm.
@Suite("Graph memory", .serialized)
struct GraphTests {
    typealias Reply = FakeProviderServer.Reply
    static let chatPath = FakeProviderServer.Path.openAIChat

    /// An API on `store` whose LLM is the fake server's OpenAI-compatible chat endpoint.
    static func withModel<T>(_ store: HarnessStore, _ body: (APIHarness, FakeProviderServer) throws -> T) throws -> T {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        return try FakeProviderServer.run { fake in
            let factory = RemoteProviderFactory(logger: logger)
            let chat = try factory.chatModel(ProviderSettings(
                provider: "openai", model: "test-model", baseURL: fake.openAIBaseURL, apiKey: "sk-test", timeout: 3, maxRetries: 0))
            return try APIHarness.run(storeKind: store, chatModel: chat, factory: factory) { api in try body(api, fake) }
        }
    }

    static func answer(_ operations: String) -> Reply { .openAIChat(content: #"{"operations": \#(operations)}"#) }

    static func add(_ api: APIHarness, _ text: String, at time: String, user: String = "alice") throws -> RawClient.Response {
        try api.call("POST", "/memories", #"{"messages": [{"role": "user", "content": \#(api.quoted(text))}], "user_id": "\#(user)", "timestamp": "\#(time)"}"#)
    }

    /// `source relationship target` of each relation object.
    static func triples(_ relations: [[String: Any]]) -> [String] {
        relations.map { "\($0["source"] as? String ?? "?") \($0["relationship"] as? String ?? "?") \($0["target"] as? String ?? "?")" }.sorted()
    }

    /// The relations of the add response's `added_entities` or `deleted_entities` (lists of one).
    static func changed(_ response: RawClient.Response, _ key: String) -> [String] {
        let lists = (response.object["relations"] as? [String: Any])?[key] as? [[[String: Any]]] ?? []
        return triples(lists.flatMap { $0 })
    }

    static func relations(_ api: APIHarness, _ query: String) throws -> [[String: Any]] {
        let response = try api.call("GET", "/graph/relations?user_id=alice&page_size=100" + query)
        #expect(response.status == 200, "\(response.text)")
        return response.results
    }

    @Test("model relations open, close on an update, survive a supersession when restated, and arrive late already closed", arguments: HarnessStore.allCases)
    func relationsFromAModel(store: HarnessStore) throws {
        try Self.withModel(store) { api, fake in
            fake.enqueue(Self.answer(#"[{"op": "ADD", "text": "User's sister Claire lives in Lyon.", "relations": [{"source": "user", "relationship": "sister", "target": "Claire", "target_type": "person"}, {"source": "Claire", "relationship": "lives_in", "target": "Lyon", "target_type": "city"}]}]"#), on: Self.chatPath)
            let first = try Self.add(api, "My sister Claire lives in Lyon.", at: "2025-01-10T09:00:00Z")
            #expect(first.status == 200, "\(first.text)")
            #expect(Self.changed(first, "added_entities") == ["Claire lives_in Lyon", "alice sister Claire"])
            let memoryID = try #require(first.results.first?["id"] as? String)
            let added = try #require(((first.object["relations"] as? [String: Any])?["added_entities"] as? [[[String: Any]]])?.first?.first)
            #expect(added["destination"] as? String == added["target"] as? String)
            #expect(added["memory_ids"] as? [String] == [memoryID])
            #expect((added["valid_at"] as? String)?.hasPrefix("2025-01-10T09:00:00") == true)

            fake.enqueue(Self.answer(#"[{"op": "UPDATE", "id": "0", "text": "User's sister Claire lives in Paris.", "relations": [{"source": "user", "relationship": "sister", "target": "Claire"}, {"source": "Claire", "relationship": "lives_in", "target": "Paris"}]}]"#), on: Self.chatPath)
            let moved = try Self.add(api, "Claire moved to Paris.", at: "2025-06-01T09:00:00Z")
            #expect(Self.changed(moved, "added_entities") == ["Claire lives_in Paris"])
            #expect(Self.changed(moved, "deleted_entities") == ["Claire lives_in Lyon"])
            #expect(Self.triples(try Self.relations(api, "")) == ["Claire lives_in Paris", "alice sister Claire"])
            #expect(Self.triples(try Self.relations(api, "&as_of=2025-03-01")) == ["Claire lives_in Lyon", "alice sister Claire"])
            #expect(Self.triples(try Self.relations(api, "&as_of=2025-07-01T00:00:00Z")) == ["Claire lives_in Paris", "alice sister Claire"])
            let closed = try #require(try Self.relations(api, "&include_history=true").first { $0["target"] as? String == "Lyon" })
            #expect((closed["invalid_at"] as? String)?.hasPrefix("2025-06-01T09:00:00") == true)
            #expect(closed["expired_at"] is String)

            // The memory is superseded by one that states the sister again and Lyon again: the sister
            // relation stays open (another current memory states it), Paris closes, Lyon opens anew.
            fake.enqueue(Self.answer(#"[{"op": "DELETE", "id": "0"}, {"op": "ADD", "text": "User's sister Claire moved back to Lyon.", "relations": [{"source": "user", "relationship": "sister", "target": "Claire"}, {"source": "Claire", "relationship": "lives_in", "target": "Lyon"}]}]"#), on: Self.chatPath)
            let back = try Self.add(api, "Claire is back in Lyon.", at: "2025-09-01T09:00:00Z")
            #expect(Self.changed(back, "added_entities") == ["Claire lives_in Lyon"])
            #expect(Self.changed(back, "deleted_entities") == ["Claire lives_in Paris"])
            #expect(Self.triples(try Self.relations(api, "")) == ["Claire lives_in Lyon", "alice sister Claire"])
            #expect(Self.triples(try Self.relations(api, "&include_history=true")) == [
                "Claire lives_in Lyon", "Claire lives_in Lyon", "Claire lives_in Paris", "alice sister Claire",
            ])

            // Older news: Berlin before all of it is stored already closed at Lyon's start.
            fake.enqueue(Self.answer(#"[{"op": "ADD", "text": "Claire lived in Berlin in 2023.", "relations": [{"source": "Claire", "relationship": "lives_in", "target": "Berlin", "valid_at": "2023-01-01"}]}]"#), on: Self.chatPath)
            let late = try Self.add(api, "Before all that, Claire lived in Berlin (2023).", at: "2025-10-01T09:00:00Z")
            #expect(Self.changed(late, "added_entities") == ["Claire lives_in Berlin"])
            #expect(Self.triples(try Self.relations(api, "&entity=claire")) == ["Claire lives_in Lyon", "alice sister Claire"])
            #expect(Self.triples(try Self.relations(api, "&as_of=2023-06-01")) == ["Claire lives_in Berlin"])
            let berlin = try #require(try Self.relations(api, "&include_history=true").first { $0["target"] as? String == "Berlin" })
            #expect((berlin["invalid_at"] as? String)?.hasPrefix("2025-09-01T09:00:00") == true)

            // Memories as of a time: the superseded one held in July.
            let july = try api.call("GET", "/memories?user_id=alice&as_of=2025-07-01").results.compactMap { $0["memory"] as? String }
            #expect(july == ["User's sister Claire lives in Paris."])
            let early = try api.call("GET", "/graph/entities?user_id=alice&as_of=2025-07-01").results.compactMap { $0["name"] as? String }
            #expect(Set(early) == ["alice", "Claire", "Paris"], "\(early)")
            let search = try api.call("POST", "/search", #"{"query": "Where does Claire live?", "user_id": "alice", "as_of": "2025-03-01"}"#)
            #expect(search.status == 200)
            #expect(Self.triples(search.object["relations"] as? [[String: Any]] ?? []).contains("Claire lives_in Lyon"))
            #expect(!Self.triples(search.object["relations"] as? [[String: Any]] ?? []).contains("Claire lives_in Paris"))

            // Deleting the memory that alone stated Berlin removes that relation for good.
            let lateID = try #require(late.results.first?["id"] as? String)
            #expect(try api.call("DELETE", "/memories/\(lateID)").status == 200)
            #expect(!Self.triples(try Self.relations(api, "&include_history=true")).contains("Claire lives_in Berlin"))
        }
    }

    @Test("the heuristic extractor gives typed relations, a move closes the old place, and search returns relations", arguments: HarnessStore.allCases)
    func heuristicRelations(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store) { api in
            let first = try api.call("POST", "/memories", #"{"messages": "My sister Claire lives in Lyon.", "user_id": "alice", "infer": false, "timestamp": "2025-01-01T00:00:00Z"}"#)
            #expect(first.status == 200, "\(first.text)")
            let added = Self.changed(first, "added_entities")
            #expect(added.contains("alice sister Claire") && added.contains("Claire lives_in Lyon"), "\(added)")
            let moved = try api.call("POST", "/memories", #"{"messages": "Claire moved to Paris.", "user_id": "alice", "infer": false, "timestamp": "2025-05-01T00:00:00Z"}"#)
            #expect(Self.changed(moved, "deleted_entities") == ["Claire lives_in Lyon"])
            let entities = try api.call("GET", "/graph/entities?user_id=alice").results
            #expect(Set(entities.compactMap { $0["name"] as? String }) == ["alice", "Claire", "Lyon", "Paris"])
            #expect(entities.first { $0["name"] as? String == "Claire" }?["mentions"] as? Int == 2)

            let search = try api.call("POST", "/search", #"{"query": "Where does Claire live now?", "user_id": "alice", "explain": true}"#)
            let relations = search.object["relations"] as? [[String: Any]] ?? []
            #expect(Self.triples(relations).contains("Claire lives_in Paris"))
            #expect(relations.allSatisfy { $0["score"] is Double })
            #expect(search.results.allSatisfy { (($0["score_details"] as? [String: Any])?["graph_score"] as? Double ?? 0) > 0 })
            let off = try api.call("POST", "/search", #"{"query": "Where does Claire live now?", "user_id": "alice", "enable_graph": false}"#)
            #expect(off.object["relations"] == nil)
            // Editing a memory's text reads it again: what it no longer says closes.
            let movedID = try #require(moved.results.first?["id"] as? String)
            #expect(try api.call("PUT", "/memories/\(movedID)", #"{"text": "Claire moved to Rome."}"#).status == 200)
            #expect(Self.triples(try Self.relations(api, "&entity=Claire")).contains("Claire lives_in Rome"))
            #expect(!Self.triples(try Self.relations(api, "&entity=Claire")).contains("Claire lives_in Paris"))
            #expect(Self.triples(try Self.relations(api, "&include_history=true")).contains("Claire lives_in Paris"))
            let quiet = try api.call("POST", "/memories", #"{"messages": "Claire works at Acme.", "user_id": "alice", "infer": false, "enable_graph": false}"#)
            #expect(quiet.object["relations"] == nil)
            #expect(!Self.triples(try Self.relations(api, "&include_history=true")).contains("Claire works_at Acme"))
        }
    }

    @Test("a hub entity (the user, in hundreds of memories) still brings its typed relations to a search", arguments: HarnessStore.allCases)
    func hubRelations(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store) { api in
            try api.remember(["I moved to Porto last spring."])
            let filler = (0..<400).map { #"{"role": "user", "content": "I tried recipe number \#($0) with Tom."}"# }
            let bulk = try api.call("POST", "/memories", #"{"messages": [\#(filler.joined(separator: ","))], "user_id": "alice", "infer": false}"#)
            #expect(bulk.status == 200)
            let user = try #require(try api.call("GET", "/graph/entities?user_id=alice").results.first { $0["name"] as? String == "alice" })
            #expect(user["mentions"] as? Int == 401)
            let search = try api.call("POST", "/search", #"{"query": "Where do I live?", "user_id": "alice"}"#)
            let relations = search.object["relations"] as? [[String: Any]] ?? []
            #expect(Self.triples(relations) == ["alice lives_in Porto"], "\(Self.triples(relations))")
            let porto = try api.call("GET", "/graph/relations?user_id=alice&entity=Porto").results.first
            #expect(relations.first?["memory_ids"] as? [String] == porto?["memory_ids"] as? [String])
            #expect((porto?["memory_ids"] as? [String])?.count == 1)
        }
    }

    @Test("hostile names are stored as text or dropped with a warning, never failing the add", arguments: HarnessStore.allCases)
    func hostileNames(store: HarnessStore) throws {
        try Self.withModel(store) { api, fake in
            let huge = String(repeating: "x", count: 10_000)
            fake.enqueue(Self.answer(#"[{"op": "ADD", "text": "User knows some odd names.", "relations": [{"source": "user", "relationship": "knows", "target": "Robert'); DROP TABLE graph_entities;--"}, {"source": "user", "relationship": "knows", "target": "\#(huge)"}, {"source": "user", "relationship": "knows", "target": "nul\u0000byte"}, {"source": "user", "relationship": "likes", "target": "🦄 Sparkle"}, {"source": "user", "relationship": "???", "target": "Nobody"}, "not an object"]}]"#), on: Self.chatPath)
            let response = try Self.add(api, "I know Robert, Sparkle and others.", at: "2025-01-01T00:00:00Z")
            #expect(response.status == 200, "\(response.text)")
            #expect((response.object["warnings"] as? [String])?.count == 4)
            let names = Set(try api.call("GET", "/graph/entities?user_id=alice").results.compactMap { $0["name"] as? String })
            #expect(names.isSuperset(of: ["Robert'); DROP TABLE graph_entities;--", "🦄 Sparkle"]))
            #expect(!names.contains { $0.count > 1000 || $0.contains("\u{0}") })
            let found = try Self.relations(api, "&entity=" + "Robert'); DROP TABLE graph_entities;--".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(Self.triples(found) == ["alice knows Robert'); DROP TABLE graph_entities;--"])
            #expect(try api.call("GET", "/graph/relations?user_id=alice&entity=" + String(repeating: "y", count: 300)).status == 400)
        }
    }

    @Test("graphs are confined to their scope and project; a relation is deleted once", arguments: HarnessStore.allCases)
    func isolation(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store) { api in
            try api.remember(["My sister Claire lives in Lyon."])
            #expect(try api.call("GET", "/graph/entities?user_id=bob").results.isEmpty)
            #expect(try api.call("GET", "/graph/relations?user_id=bob").results.isEmpty)
            #expect(try api.call("GET", "/graph/relations").status == 400)
            let bob = try api.call("POST", "/search", #"{"query": "Where does Claire live?", "user_id": "bob"}"#)
            #expect((bob.object["relations"] as? [Any])?.isEmpty == true)

            let other = try MemoryService(store: api.store, embedder: HashingEmbedder(), project: "other")
            _ = try other.add(AddRequest(messages: [Message(role: "user", content: "My sister Claire lives in Rome.")], scope: Scope(userID: "alice"), infer: false))
            let otherRelations = try other.graphRelations(filter: try Scope(userID: "alice").filter, entity: "Claire", asOf: nil, includeHistory: true, page: 1, pageSize: 50)
            #expect(otherRelations.items.map(\.target).sorted() == ["Claire", "Rome"])
            let ours = try Self.relations(api, "&entity=Claire")
            #expect(!Self.triples(ours).contains { $0.contains("Rome") })

            let id = try #require(ours.first?["id"] as? String)
            #expect(try other.graphRelation(id) == nil)
            #expect(try api.call("DELETE", "/graph/relations/\(otherRelations.items[0].id)").status == 404)
            #expect(try api.call("DELETE", "/graph/relations/\(id)").status == 200)
            #expect(try api.call("DELETE", "/graph/relations/\(id)").status == 404)
        }
    }

    @Test("concurrent adds naming one person in one scope make one entity", arguments: HarnessStore.allCases)
    func addStorm(store: HarnessStore) throws {
        try APIHarness.run(storeKind: store) { api in
            let failures = Mutex<[String]>([])
            let group = DispatchGroup()
            for worker in 0..<8 {
                group.enter()
                Thread {
                    defer { group.leave() }
                    for round in 0..<5 {
                        let body = #"{"messages": "Claire visited Lisbon with Tom, trip \#(worker)-\#(round).", "user_id": "alice", "infer": false}"#
                        let status = (try? api.call("POST", "/memories", body).status) ?? 0
                        if status != 200 { failures.withLock { $0.append("\(status)") } }
                    }
                }.start()
            }
            group.wait()
            #expect(failures.withLock { $0 }.isEmpty)
            let entities = try api.call("GET", "/graph/entities?user_id=alice").results
            #expect(entities.filter { $0["name"] as? String == "Claire" }.count == 1)
            #expect(entities.first { $0["name"] as? String == "Claire" }?["mentions"] as? Int == 40)
            let relations = try Self.relations(api, "&entity=Claire")
            #expect(Self.triples(relations) == ["Claire related_to Lisbon", "Claire related_to Tom"])
            #expect(relations.allSatisfy { ($0["memory_ids"] as? [String])?.count == 40 })
        }
    }

    @Test("a malformed as_of is a 422 naming it")
    func malformedAsOf() throws {
        try APIHarness.run { api in
            let list = try api.call("GET", "/memories?user_id=alice&as_of=last-tuesday")
            #expect(list.status == 422)
            #expect(list.text.contains("as_of"))
            let search = try api.call("POST", "/search", #"{"query": "x", "user_id": "alice", "as_of": "soon"}"#)
            #expect(search.status == 422)
            #expect(search.text.contains("as_of"))
            #expect(try api.call("GET", "/graph/relations?user_id=alice&as_of=2025-13-45").status == 422)
        }
    }
}

extension MemoryService {
    /// The relation with this id in this service's project, for tests.
    fileprivate func graphRelation(_ id: String) throws -> GraphRelation? {
        try graphRelations(filter: .all, entity: nil, asOf: nil, includeHistory: true, page: 1, pageSize: 1000).items.first { $0.id == id }
    }
}
