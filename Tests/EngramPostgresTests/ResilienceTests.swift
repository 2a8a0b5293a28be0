import EngramCore
import EngramPostgresTestSupport
import Foundation
import Synchronization
import Testing
@testable import EngramPostgres

/// A store outliving its server: lost connections, a stopped server, a restart.
@Suite struct ResilienceTests {
    @Test func aKilledConnectionIsReplacedOnTheNextCall() throws {
        let (store, url) = try makePostgresStore { $0.poolSize = 1 }
        #expect(store.isReachable())
        let admin = try PostgresMemoryStore(url: url)
        // Ends every other session on the database, as a failover or an idle timeout would.
        try admin.pool.withConnection { connection in
            try connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        }
        Thread.sleep(forTimeInterval: 0.2)
        try store.apply(inserting([testMemory("after the kill", embedding: [1, 0, 0, 0, 0, 0, 0, 0])]))
        #expect(try store.ids(project: "default", filter: .all).count == 1)
    }

    @Test func aStoppedServerIsReportedUnavailableAndTheStoreRecoversWhenItReturns() throws {
        let cluster = try EmbeddedPostgres.start()
        defer { cluster.destroy() }
        let url = try cluster.makeDatabase()
        let store = try PostgresMemoryStore(url: url)
        try store.prepare(embeddingModel: "postgres-test", dimension: 8)
        let acknowledged = Mutex<[String]>([])
        let unexpected = Mutex<[String]>([])
        let unavailable = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        for writer in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                var index = 0
                while !stop.load(ordering: .relaxed) {
                    index += 1
                    let memory = testMemory("writer \(writer) item \(index)", embedding: [1, 0, 0, 0, 0, 0, 0, 0])
                    do {
                        try store.apply(inserting([memory]))
                        acknowledged.withLock { $0.append(memory.id) }
                        _ = try store.list(project: "default", filter: .all, visibility: Visibility(today: "2026-01-01"), page: 1, pageSize: 5)
                    } catch MemoryError.storeUnavailable {
                        unavailable.add(1, ordering: .relaxed)
                        Thread.sleep(forTimeInterval: 0.02)
                    } catch {
                        unexpected.withLock { $0.append(String(describing: error)) }
                    }
                }
            }.start()
        }
        Thread.sleep(forTimeInterval: 1)
        try cluster.stopServer()
        Thread.sleep(forTimeInterval: 1)
        #expect(!store.isReachable())
        #expect(throws: MemoryError.self) { try store.memory(id: "x", project: "default") }
        try cluster.startServer()
        let before = acknowledged.withLock { $0.count }
        Thread.sleep(forTimeInterval: 1.5)
        stop.store(true, ordering: .relaxed)
        group.wait()

        #expect(unexpected.withLock { $0 }.isEmpty)
        #expect(unavailable.load(ordering: .relaxed) > 0)
        let ids = acknowledged.withLock { $0 }
        #expect(ids.count > before, "no write succeeded after the restart")
        #expect(store.isReachable())
        let stored = Set(try store.ids(project: "default", filter: .all))
        #expect(Set(ids).isSubset(of: stored))
    }

    @Test func aServerThatIsNotThereFailsFastAsUnavailable() throws {
        #expect(throws: MemoryError.self) {
            try PostgresMemoryStore(url: "postgres://engram@127.0.0.1:1/none?connect_timeout=2")
        }
    }
}
