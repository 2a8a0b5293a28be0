import EngramCore
import Foundation
import Testing

/// The graph side of `apply` and the graph reads, on every store: entities and aliases, re-statement,
/// functional contradictions, late older facts, restating updates, supersession, deletion, as-of
/// reads and reset.
@Suite struct GraphContractTests {
    /// The memories stating a relation (relations read by `graphRelations(touching:)` carry none).
    static func sources(_ store: any MemoryStore, _ relation: GraphRelation?) throws -> [String] {
        guard let relation else { return [] }
        return try store.graphSources(relationIDs: [relation.id], project: "default")[relation.id] ?? []
    }

    static let me = EntityMention(name: "I", type: "person")

    static func mention(_ name: String, _ type: String = "entity") -> EntityMention { EntityMention(name: name, type: type) }

    /// Inserts `memory` (or updates it with `update`) stating `relations` from the user, observed and
    /// recorded at `seconds`.
    @discardableResult
    static func say(
        _ store: any MemoryStore, _ memory: Memory, _ relations: [(String, String)], at seconds: Double, validAt: Date? = nil,
        update: Bool = false, selfNames: [String] = []
    ) throws -> GraphOutcome {
        var changes = update ? MemoryChanges() : Sample.inserting([memory])
        if update { changes.updates = [memory] }
        changes.observedAt = Sample.time(seconds)
        changes.recordedAt = Sample.time(seconds)
        let statements = relations.map {
            RelationStatement(source: me, relationship: $0.0, target: mention($0.1, "place"), fact: memory.text, validAt: validAt, origin: .llm)
        }
        changes.graph.statements = [MemoryGraph(
            memoryID: memory.id, scope: memory.scope, entities: [me], relations: statements, restates: update, selfNames: selfNames)]
        return try store.apply(changes)
    }

    static func user(_ store: any MemoryStore) throws -> GraphEntity {
        try #require(try store.graphEntities(keys: ["alice"], project: "default", scope: [(.userID, "alice")], limit: 5).first)
    }

    static func open(_ store: any MemoryStore) throws -> [String] {
        try store.graphRelations(touching: [user(store).id], project: "default", asOf: nil, typedOnly: false, limit: 50).map { "\($0.relationship) \($0.target)" }.sorted()
    }

    @Test(arguments: StoreKind.allCases)
    func entitiesResolveByKeyAndAliasAndCountMentions(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let first = Sample.memory("I live in Paris", at: 0)
            let outcome = try Self.say(store, first, [("lives_in", "Paris")], at: 0, selfNames: ["Ada"])
            #expect(outcome.added.map(\.target) == ["Paris"])
            #expect(outcome.added.first?.memoryIDs == [first.id])
            try Self.say(store, Sample.memory("Paris again", at: 1), [("visited", "paris")], at: 1)

            let user = try Self.user(store)
            #expect(user.name == "alice")
            #expect(user.aliases == ["ada", "alice"])
            #expect(user.mentions == 2)
            let byAlias = try store.graphEntities(keys: ["ada", "paris"], project: "default", scope: [], limit: 10)
            #expect(byAlias.map(\.name) == ["alice", "Paris"])
            #expect(byAlias.map(\.mentions) == [2, 2])
            #expect(try store.graphEntities(keys: ["paris"], project: "default", scope: [(.userID, "bob")], limit: 10).isEmpty)
            #expect(try store.graphEntities(keys: ["paris"], project: "other", scope: [], limit: 10).isEmpty)

            let page = try store.graphEntities(project: "default", filter: .all, asOf: nil, page: 1, pageSize: 1)
            #expect(page.total == 2)
            #expect(page.items.map(\.mentions) == [2])
            let links = try store.graphLinks(
                entityIDs: [byAlias[1].id], project: "default", filter: .all, visibility: Sample.visible, limitPerEntity: 1)
            #expect(links.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRestatedOpenRelationGainsASource(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let first = Sample.memory("I like tea", at: 0)
            let second = Sample.memory("Tea is what I like", at: 1)
            try Self.say(store, first, [("likes", "tea")], at: 0)
            let outcome = try Self.say(store, second, [("likes", "Tea")], at: 1)
            #expect(outcome.added.isEmpty && outcome.closed.isEmpty)
            let relations = try store.graphRelations(touching: [Self.user(store).id], project: "default", asOf: nil, typedOnly: false, limit: 10)
            #expect(relations.count == 1)
            #expect(try Self.sources(store, relations.first) == [first.id, second.id])
            #expect(relations.first?.validAt == Sample.time(0))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFunctionalContradictionClosesAndALateOlderFactIsStoredClosed(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            try Self.say(store, Sample.memory("I live in Paris", at: 0), [("lives_in", "Paris")], at: 0)
            let moved = try Self.say(store, Sample.memory("I moved to London", at: 10), [("lives_in", "London")], at: 10)
            #expect(moved.added.map(\.target) == ["London"])
            #expect(moved.closed.map(\.target) == ["Paris"])
            #expect(moved.closed.first?.invalidAt == Sample.time(10))
            #expect(moved.closed.first?.expiredAt == Sample.time(10))
            #expect(try Self.open(store) == ["lives_in London"])

            // Learnt later, but it held before London: stored already closed at London's start.
            let older = try Self.say(
                store, Sample.memory("I lived in Berlin", at: 20), [("lives_in", "Berlin")], at: 20, validAt: Sample.time(5))
            #expect(older.added.map(\.target) == ["Berlin"])
            #expect(older.closed.isEmpty)
            #expect(try Self.open(store) == ["lives_in London"])
            let all = try store.graphRelations(
                project: "default", filter: .all, query: RelationQuery(entityKey: "alice", includeHistory: true), page: 1, pageSize: 10)
            #expect(all.total == 3)
            let berlin = try #require(all.items.first { $0.target == "Berlin" })
            #expect(berlin.validAt == Sample.time(5))
            #expect(berlin.invalidAt == Sample.time(10))
            #expect(berlin.expiredAt == Sample.time(20))

            // As of a time: what held then, whenever it was learnt.
            let userID = try Self.user(store).id
            func held(_ seconds: Double) throws -> [String] {
                try store.graphRelations(touching: [userID], project: "default", asOf: Sample.time(seconds), typedOnly: false, limit: 10).map(\.target).sorted()
            }
            #expect(try held(1) == ["Paris"])
            #expect(try held(7) == ["Berlin", "Paris"])
            #expect(try held(15) == ["London"])
            let asOf = try store.graphRelations(
                project: "default", filter: .all, query: RelationQuery(asOf: Sample.time(7)), page: 1, pageSize: 10)
            #expect(asOf.items.map(\.target).sorted() == ["Berlin", "Paris"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRestatingUpdateClosesWhatItNoLongerStates(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            var memory = Sample.memory("I like tea and jazz", at: 0)
            try Self.say(store, memory, [("likes", "tea"), ("likes", "jazz")], at: 0)
            try Self.say(store, Sample.memory("I like jazz too", at: 1), [("likes", "jazz")], at: 1)
            memory.text = "I like coffee"
            let outcome = try Self.say(store, memory, [("likes", "coffee")], at: 5, update: true)
            #expect(outcome.added.map(\.target) == ["coffee"])
            #expect(outcome.closed.map(\.target) == ["tea"])
            #expect(try Self.open(store) == ["likes coffee", "likes jazz"])
            let jazz = try store.graphRelations(touching: [Self.user(store).id], project: "default", asOf: nil, typedOnly: false, limit: 10)
                .first { $0.target == "jazz" }
            #expect(try Self.sources(store, jazz).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func supersessionClosesUnlessOtherwiseSupportedAndAsOfReadsMemories(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let a = Sample.memory("I own a dog", at: 0)
            let b = Sample.memory("My dog is great", at: 1)
            let c = Sample.memory("I own a cat", at: 2)
            try Self.say(store, a, [("owns", "dog")], at: 0)
            try Self.say(store, b, [("owns", "dog")], at: 1)
            try Self.say(store, c, [("owns", "cat")], at: 2)
            var changes = MemoryChanges()
            changes.supersessions = [a.id, c.id]
            changes.observedAt = Sample.time(10)
            changes.recordedAt = Sample.time(11)
            let outcome = try store.apply(changes)
            #expect(outcome.closed.map(\.target) == ["cat"])
            #expect(outcome.closed.first?.invalidAt == Sample.time(10))
            #expect(outcome.closed.first?.expiredAt == Sample.time(11))
            #expect(try Self.open(store) == ["owns dog"])

            func visible(_ seconds: Double) throws -> [String] {
                let visibility = Visibility(today: Sample.today, asOf: Sample.time(seconds))
                return try store.list(project: "default", filter: .all, visibility: visibility, page: 1, pageSize: 10).items.map(\.text)
            }
            #expect(try visible(1.5) == ["My dog is great", "I own a dog"])
            #expect(try visible(5) == ["I own a cat", "My dog is great", "I own a dog"])
            #expect(try visible(10) == ["My dog is great"])
            #expect(try store.list(project: "default", filter: .all, visibility: Sample.visible, page: 1, pageSize: 10).total == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletionRemovesOnlyWhatTheMemoryAloneStated(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let a = Sample.memory("I know Bob and Carol", at: 0)
            let b = Sample.memory("Carol is a friend", at: 1)
            try Self.say(store, a, [("knows", "Bob"), ("knows", "Carol")], at: 0)
            try Self.say(store, b, [("knows", "Carol")], at: 1)
            var changes = MemoryChanges()
            changes.deletions = [a.id]
            changes.history = [Sample.event(for: a, .delete, at: 5, old: a.text)]
            try store.apply(changes)
            let relations = try store.graphRelations(touching: [Self.user(store).id], project: "default", asOf: nil, typedOnly: false, limit: 10)
            #expect(relations.map(\.target) == ["Carol"])
            #expect(try Self.sources(store, relations.first) == [b.id])
            #expect(try store.graphEntities(keys: ["bob"], project: "default", scope: [], limit: 5).isEmpty)
            #expect(try Self.user(store).mentions == 1)

            var removal = MemoryChanges()
            removal.graph.relationDeletions = [try #require(relations.first).id]
            try store.apply(removal)
            #expect(try Self.open(store).isEmpty)
            #expect(try store.graphRelation(id: relations[0].id, project: "default") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func resetErasesTheGraph(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let memory = Sample.memory("I live in Paris", at: 0)
            let outcome = try Self.say(store, memory, [("lives_in", "Paris")], at: 0)
            let id = try #require(outcome.added.first).id
            #expect(try store.graphRelation(id: id, project: "default")?.target == "Paris")
            #expect(try store.graphRelation(id: id, project: "other") == nil)
            try store.reset(project: "default")
            #expect(try store.graphRelation(id: id, project: "default") == nil)
            #expect(try store.graphEntities(keys: ["alice", "paris"], project: "default", scope: [], limit: 5).isEmpty)
            // The same statement starts afresh.
            try Self.say(store, Sample.memory("I live in Paris", at: 1), [("lives_in", "Paris")], at: 1)
            #expect(try Self.user(store).mentions == 1)
        }
    }

    /// Concurrent adds of one scope naming the same new entities and relations create each once.
    @Test(arguments: StoreKind.allCases)
    func concurrentAddsCreateNoDuplicates(kind: StoreKind) async throws {
        let fixture = try kind.makeFixture()
        let stores = try (0..<4).map { _ in try fixture.open() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    for round in 0..<5 {
                        let memory = Sample.memory("I like Paris \(index) \(round)", at: Double(round))
                        try Self.say(store, memory, [("likes", "Paris"), ("visited", "Rome"), ("lives_in", "Oslo")], at: Double(round))
                    }
                }
            }
            try await group.waitForAll()
        }
        let store = fixture.store
        #expect(try Self.open(store) == ["likes Paris", "lives_in Oslo", "visited Rome"])
        #expect(try Self.user(store).mentions == 20)
        let paris = try store.graphEntities(keys: ["paris"], project: "default", scope: [], limit: 5)
        #expect(paris.count == 1)
        #expect(paris.first?.mentions == 20)
        let likes = try store.graphRelations(touching: [Self.user(store).id], project: "default", asOf: nil, typedOnly: false, limit: 10)
            .first { $0.relationship == "likes" }
        #expect(try Self.sources(store, likes).count == 20)
    }

    /// Concurrent adds giving a functional relationship different targets leave one of them open.
    @Test(arguments: StoreKind.allCases)
    func concurrentContradictionsLeaveOneOpen(kind: StoreKind) async throws {
        let fixture = try kind.makeFixture()
        let stores = try (0..<4).map { _ in try fixture.open() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    for round in 0..<8 {
                        let city = "City\(index)x\(round)"
                        let memory = Sample.memory("I live in \(city)", at: Double(round))
                        try Self.say(store, memory, [("lives_in", city), ("likes", "Jazz")], at: Double(round))
                    }
                }
            }
            try await group.waitForAll()
        }
        let open = try Self.open(fixture.store)
        #expect(open.filter { $0.hasPrefix("lives_in ") }.count == 1)
        #expect(open.filter { $0.hasPrefix("likes ") } == ["likes Jazz"])
    }
}
