import EngramCore
import Foundation
import Synchronization
import Testing
@testable import EngramPostgres

/// Several stores (as several Engram instances would hold) on one database.
@Suite struct TwoInstancesTests {
    @Test func concurrentInferredAddsFromTwoInstancesStoreEachFactOnce() throws {
        let (_, url) = try makePostgresStore(dimension: nil)
        let embedder = WordHashEmbedder()
        let services = try (0..<2).map { _ in try MemoryService(store: PostgresMemoryStore(url: url), embedder: embedder) }
        let users = ["ana", "ben", "cat"]
        let facts = ["I live in Lisbon near the river.", "My sister plays the cello every day.", "I am allergic to peanuts and shellfish."]
        let errors = Mutex<[String]>([])
        let group = DispatchGroup()
        for worker in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                let service = services[worker % 2]
                for round in 0..<6 {
                    let user = users[(worker + round) % users.count]
                    do {
                        let scope = try Scope(userID: user)
                        _ = try service.add(AddRequest(messages: [Message(role: "user", content: facts.joined(separator: " "))], scope: scope))
                        _ = try service.search(SearchRequest(query: "where does the user live", filter: scope.filter))
                    } catch {
                        errors.withLock { $0.append(String(describing: error)) }
                    }
                }
            }.start()
        }
        group.wait()
        #expect(errors.withLock { $0 }.isEmpty)
        for user in users {
            let page = try services[0].list(
                filter: .compare(.field(.userID), .eq, .string(user)), page: 1, pageSize: 100, showExpired: true, includeSuperseded: true)
            #expect(page.items.map(\.text).sorted() == facts.sorted(), "\(user)")
        }
    }

    @Test func scopeLocksExcludeOtherInstancesOnlyForTheSameKey() throws {
        let (first, url) = try makePostgresStore()
        let second = try PostgresMemoryStore(url: url)
        let order = Mutex<[String]>([])
        let inside = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        done.enter()
        Thread {
            defer { done.leave() }
            _ = try? first.withScopeLock("user_id=alice", project: "default") {
                order.withLock { $0.append("first in") }
                inside.signal()
                Thread.sleep(forTimeInterval: 0.5)
                order.withLock { $0.append("first out") }
            }
        }.start()
        inside.wait()
        try second.withScopeLock("user_id=bob", project: "default") { order.withLock { $0.append("other key") } }
        try second.withScopeLock("user_id=alice", project: "default") { order.withLock { $0.append("second in") } }
        done.wait()
        #expect(order.withLock { $0 } == ["first in", "other key", "first out", "second in"])
        struct Expected: Error {}
        #expect(throws: Expected.self) { try first.withScopeLock("user_id=alice", project: "default") { throw Expected() } }
        try second.withScopeLock("user_id=alice", project: "default") {}
    }
}
