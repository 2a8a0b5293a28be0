import EngramCore
import EngramPostgresTestSupport
import Foundation
import Testing
@testable import EngramPostgres

/// Reads on a streaming replica that lags on purpose (it applies each commit two seconds late): the
/// writer's own scopes are read from the primary until the replica has replayed its writes, other
/// scopes from the replica, and a replica that is down leaves the primary to answer.
@Suite(.serialized) struct ReadReplicaTests {
    static let lag = 2

    @Test func readsOfTheWritersOwnScopeWaitForTheReplicaOthersUseIt() throws {
        let primary = try EmbeddedPostgres.start()
        defer { primary.destroy() }
        let primaryURL = try primary.makeDatabase()
        let database = try #require(primaryURL.split(separator: "/").last.map(String.init))
        // Migrated and prepared before the replica is cloned, so it starts with the schema.
        let setup = try PostgresMemoryStore(url: primaryURL)
        try setup.prepare(embeddingModel: "postgres-test", dimension: 8)
        let replica = try primary.startReplica(applyDelay: Self.lag)
        defer { replica.destroy() }
        let replicaURL = replica.url(database: database)

        let store = try PostgresMemoryStore(url: primaryURL, readURL: replicaURL)
        try store.prepare(embeddingModel: "postgres-test", dimension: 8)
        var generator = SeededGenerator(state: 9)
        let bob = testMemory("bob likes tea", user: "bob", embedding: unitVector(&generator, dimension: 8))
        try store.apply(inserting([bob]))
        try waitUntil(replicaURL, holds: bob.id)

        let alice = testMemory("alice likes coffee", user: "alice", embedding: unitVector(&generator, dimension: 8))
        try store.apply(inserting([alice]))
        // The replica does not have alice's memory yet...
        #expect(try !replicaHolds(replicaURL, id: alice.id), "the replica should lag by \(Self.lag) s")
        let visible = Visibility(today: "2026-01-01")
        let scope = { (user: String) in Filter.compare(.field(.userID), .eq, .string(user)) }
        let before = store.replicaReadCounts
        // ...yet the writer reads it at once: from the primary.
        let listed = try store.allowingReplicaReads {
            try store.list(project: "default", filter: scope("alice"), visibility: visible, page: 1, pageSize: 10)
        }
        #expect(listed.items.map(\.id) == [alice.id])
        let found = try store.allowingReplicaReads {
            try store.semanticSearch(alice.embedding, project: "default", filter: scope("alice"), visibility: visible, limit: 5)
        }
        #expect(found.map(\.memory.id) == [alice.id])
        #expect(try store.allowingReplicaReads { try store.memory(id: alice.id, project: "default") }?.id == alice.id)
        let afterAlice = store.replicaReadCounts
        #expect(afterAlice.primary - before.primary == 3)
        #expect(afterAlice.replica == before.replica)

        // Bob's scope has nothing unreplayed: the replica answers.
        let bobs = try store.allowingReplicaReads {
            try store.keywordSearch("tea", project: "default", filter: scope("bob"), visibility: visible, limit: 5)
        }
        #expect(bobs.map(\.memory.id) == [bob.id])
        #expect(store.replicaReadCounts.replica == afterAlice.replica + 1)

        // Reads that did not ask for the replica (those inside an add) always see the primary.
        _ = try store.list(project: "default", filter: scope("bob"), visibility: visible, page: 1, pageSize: 10)
        #expect(store.replicaReadCounts.replica == afterAlice.replica + 1)

        // Once the replica has replayed alice's write, her reads go there too.
        try waitUntil(replicaURL, holds: alice.id)
        let later = try store.allowingReplicaReads {
            try store.list(project: "default", filter: scope("alice"), visibility: visible, page: 1, pageSize: 10)
        }
        #expect(later.items.map(\.id) == [alice.id])
        #expect(store.replicaReadCounts.replica == afterAlice.replica + 2)

        // Another instance's write, which this one knows nothing of, makes the replica lag: with a bound of
        // one second on the lag, reads leave it until it has caught up.
        var bounded = PostgresStoreConfiguration()
        bounded.replicaMaxLag = 1
        let cautious = try PostgresMemoryStore(url: primaryURL, readURL: replicaURL, configuration: bounded)
        let other = try PostgresMemoryStore(url: primaryURL)
        let carol = testMemory("carol plays chess", user: "carol", embedding: unitVector(&generator, dimension: 8))
        try other.apply(inserting([carol]))
        Thread.sleep(forTimeInterval: 1.2)
        let behind = try cautious.allowingReplicaReads {
            try cautious.list(project: "default", filter: scope("bob"), visibility: visible, page: 1, pageSize: 10)
        }
        #expect(behind.items.map(\.id) == [bob.id])
        #expect(cautious.replicaReadCounts == ReadCounts(replica: 0, primary: 1), "a replica \(Self.lag) s behind is past a 1 s bound")
        try waitUntil(replicaURL, holds: carol.id)
        Thread.sleep(forTimeInterval: 1.1)
        _ = try cautious.allowingReplicaReads {
            try cautious.list(project: "default", filter: scope("bob"), visibility: visible, page: 1, pageSize: 10)
        }
        #expect(cautious.replicaReadCounts.replica == 1, "caught up, the replica is used again")

        // A replica that is down: the primary answers, and goes on answering for a while.
        try replica.stopServer()
        let fallback = try store.allowingReplicaReads {
            try store.list(project: "default", filter: scope("bob"), visibility: visible, page: 1, pageSize: 10)
        }
        #expect(fallback.items.map(\.id) == [bob.id])
        #expect(store.replicaReadCounts.replica == afterAlice.replica + 2)
    }

    @Test func scopeKeysComeFromTopLevelEqualities() {
        let user = Filter.compare(.field(.userID), .eq, .string("alice"))
        let agent = Filter.compare(.field(.agentID), .eq, .string("bot"))
        #expect(ReadRouter.keys(of: user) == ["u:alice"])
        #expect(ReadRouter.keys(of: .and([user, agent, .compare(.metadata("topic"), .eq, .string("x"))])) == ["u:alice", "a:bot"])
        #expect(ReadRouter.keys(of: .or([user, agent])) == nil)
        #expect(ReadRouter.keys(of: .compare(.field(.userID), .ne, .string("alice"))) == nil)
        #expect(ReadRouter.keys(of: .all) == nil)
        #expect(ReadRouter.keys(of: .compare(.field(.appID), .eq, .string("web"))) == ["p:web"])
        #expect(ReadRouter.position("16/B374D848") == 0x16_B374_D848)
        #expect(ReadRouter.position("0/0") == 0)
        #expect(ReadRouter.position("x/1") == nil)
    }

    private func replicaHolds(_ url: String, id: String) throws -> Bool {
        let connection = try PostgresConnection(url: url, connectTimeout: 5, maxPreparedStatements: 0)
        return try connection.execute("SELECT count(*) FROM memories WHERE id = $1", [.text(id)]).requiredInt(0, 0) == 1
    }

    private func waitUntil(_ url: String, holds id: String) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? replicaHolds(url, id: id)) == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("the replica never received \(id)")
    }
}
