import EngramCore
import Foundation
import Testing

/// `list`, `ids`, `history` and `entities`, on every store.
@Suite struct ListingContractTests {
    @Test(arguments: StoreKind.allCases)
    func visibilityHidesExpiredAndSupersededUnlessAsked(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let live = Sample.memory("live", at: 0)
            let expiresToday = Sample.memory("expires today", at: 1, expires: Sample.today)
            let expired = Sample.memory("expired", at: 2, expires: "2025-12-31")
            let superseded = Sample.memory("superseded", at: 3, state: .superseded)
            try store.apply(Sample.inserting([live, expiresToday, expired, superseded]))
            func texts(_ visibility: Visibility) throws -> Set<String> {
                Set(try store.list(project: "default", filter: .all, visibility: visibility, page: 1, pageSize: 10).items.map(\.text))
            }
            #expect(try texts(Sample.visible) == ["live", "expires today"])
            #expect(try texts(Visibility(showExpired: true, today: Sample.today)) == ["live", "expires today", "expired"])
            #expect(try texts(Visibility(includeSuperseded: true, today: Sample.today)) == ["live", "expires today", "superseded"])
            #expect(try store.ids(project: "default", filter: .all).count == 4)
            let semantic = try store.semanticSearch(expired.embedding, project: "default", filter: .all, visibility: Sample.visible, limit: 10)
            #expect(Set(semantic.map(\.memory.text)) == ["live", "expires today"])
            // "expired" stems as "expires" does: only the visible one matches.
            let keyword = try store.keywordSearch("expired superseded", project: "default", filter: .all, visibility: Sample.visible, limit: 10)
            #expect(keyword.map(\.memory.text) == ["expires today"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listIsNewestFirstWithDeterministicTiesAndTotals(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            var memories = (0..<25).map { Sample.memory("memory \($0)", at: Double($0 / 2)) }
            memories.append(Sample.memory("other user", user: "bob", at: 100))
            memories.append(Sample.memory("other project", at: 100, project: "p2"))
            try store.apply(Sample.inserting(memories))
            let expected = memories.prefix(25).sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.map(\.id)
            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            var seen: [String] = []
            for page in 1...3 {
                let result = try store.list(project: "default", filter: alice, visibility: Sample.visible, page: page, pageSize: 10)
                #expect(result.total == 25)
                #expect(result.items.count == (page < 3 ? 10 : 5))
                #expect(result.hasNext == (page < 3))
                seen += result.items.map(\.id)
            }
            #expect(seen == expected)
            #expect(try store.ids(project: "default", filter: alice) == expected)
            #expect(try store.list(project: "default", filter: alice, visibility: Sample.visible, page: 4, pageSize: 10).items.isEmpty)
            #expect(try store.list(project: "default", filter: alice, visibility: Sample.visible, page: Int.max, pageSize: 1000).items.isEmpty)
            #expect(throws: MemoryError.self) {
                try store.list(project: "default", filter: alice, visibility: Sample.visible, page: 0, pageSize: 10)
            }
            #expect(throws: MemoryError.self) {
                try store.list(project: "default", filter: alice, visibility: Sample.visible, page: 1, pageSize: 0)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func entitiesCountMemoriesAndDisappearAtZero(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let a1 = Sample.memory("a1", user: "alice", at: 1)
            let a2 = Sample.memory("a2", user: "alice", agent: "helper", at: 2)
            let b1 = Sample.memory("b1", user: "bob", agent: "helper", run: "r9", at: 3)
            try store.apply(Sample.inserting([a1, a2, b1, Sample.memory("elsewhere", project: "p2")]))
            func counts() throws -> [String: Int] {
                Dictionary(uniqueKeysWithValues: try store.entities(project: "default").map { ("\($0.kind.rawValue):\($0.id)", $0.totalMemories) })
            }
            #expect(try counts() == ["user:alice": 2, "user:bob": 1, "agent:helper": 2, "run:r9": 1])
            #expect(try store.entities(project: "default").map(\.id) == ["helper", "r9", "alice", "bob"])
            let alice = try #require(try store.entities(project: "default").first { $0.id == "alice" })
            #expect(alice.createdAt == Sample.time(1))
            #expect(alice.updatedAt == Sample.time(2))

            var supersede = MemoryChanges()
            supersede.supersessions = [a2.id]
            try store.apply(supersede)
            #expect(try counts() == ["user:alice": 2, "user:bob": 1, "agent:helper": 2, "run:r9": 1])

            var changes = MemoryChanges()
            changes.deletions = [b1.id, a1.id]
            try store.apply(changes)
            #expect(try counts() == ["user:alice": 1, "agent:helper": 1])

            var move = MemoryChanges()
            var moved = a2
            moved.scope = Scope(stored: "carol", agentID: nil, runID: nil)
            move.updates = [moved]
            try store.apply(move)
            #expect(try counts() == ["user:carol": 1])
            #expect(try store.entities(project: "p2").map(\.id) == ["alice"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func historyIsOrderedPaginatedAndFilteredByScope(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let a = Sample.memory("a", user: "alice", actor: "al", role: "user")
            let b = Sample.memory("b", user: "bob")
            var changes = MemoryChanges()
            changes.inserts = [a, b]
            changes.history = [
                Sample.event(for: a, .add, at: 0, new: "a"), Sample.event(for: b, .add, at: 0, new: "b"),
                Sample.event(for: a, .update, at: 5, old: "a", new: "a2"), Sample.event(for: a, .update, at: 5, old: "a2", new: "a3"),
                Sample.event(for: a, .delete, at: 9, old: "a3"),
            ]
            try store.apply(changes)
            let perMemory = try store.history(memoryID: a.id, project: "default")
            #expect(perMemory.map(\.newMemory) == ["a", "a2", "a3", nil])
            #expect(perMemory == [changes.history[0], changes.history[2], changes.history[3], changes.history[4]])
            #expect(try store.history(memoryID: a.id, project: "other").isEmpty)

            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            let page1 = try store.history(project: "default", filter: alice, event: nil, page: 1, pageSize: 3)
            #expect(page1.total == 4)
            #expect(page1.items.map(\.event) == [.delete, .update, .update])
            #expect(page1.items[1].newMemory == "a3")
            let page2 = try store.history(project: "default", filter: alice, event: nil, page: 2, pageSize: 3)
            #expect(page2.items.map(\.event) == [.add])
            #expect(try store.history(project: "default", filter: alice, event: .update, page: 1, pageSize: 10).total == 2)
            #expect(try store.history(project: "default", filter: .all, event: .add, page: 1, pageSize: 10).total == 2)
            let byActor = try Sample.filter(#"{"actor_id": "al", "created_at": {"gte": "\#(Sample.filterText(Sample.time(5)))"}}"#)
            #expect(try store.history(project: "default", filter: byActor, event: nil, page: 1, pageSize: 10).total == 3)
            #expect(throws: MemoryError.self) {
                try store.history(project: "default", filter: Sample.filter(#"{"topic": "x"}"#), event: nil, page: 1, pageSize: 10)
            }
            #expect(throws: MemoryError.self) {
                try store.history(project: "default", filter: Sample.filter(#"{"updated_at": "x"}"#), event: nil, page: 1, pageSize: 10)
            }
        }
    }
}
