import EngramCore
import Foundation
import Synchronization
import Testing
@testable import EngramSQLite

/// Counts shared by the test threads.
final class LoadCounters: Sendable {
    let acknowledged = Atomic<Int>(0)
    let reads = Atomic<Int>(0)
    let errors = Mutex<[String]>([])

    func record(_ error: any Error) { errors.withLock { $0.append(String(describing: error)) } }
}

@Suite struct ConcurrencyTests {
    @Test func eightWritersAndEightReadersLoseNothing() throws {
        try StoreFixture.run { store, _ in
            let counters = LoadCounters()
            let deadline = Date().addingTimeInterval(3)
            let done = DispatchGroup()
            let alice = try Sample.filter(#"{"user_id": "alice"}"#)
            for writer in 0..<8 {
                done.enter()
                Thread {
                    var generator = SplitMix(state: UInt64(writer))
                    var index = 0
                    while Date() < deadline {
                        let memory = Sample.memory(
                            "writer \(writer) memory \(index) about pizza", user: writer % 2 == 0 ? "alice" : "bob",
                            at: Double(index), embedding: Sample.unitVector(using: &generator, dimension: 32)
                        )
                        do {
                            try store.apply(Sample.inserting([memory]))
                            counters.acknowledged.add(1, ordering: .relaxed)
                        } catch {
                            counters.record(error)
                        }
                        index += 1
                    }
                    done.leave()
                }.start()
            }
            for reader in 0..<8 {
                done.enter()
                Thread {
                    var generator = SplitMix(state: UInt64(100 + reader))
                    while Date() < deadline {
                        do {
                            switch reader % 4 {
                            case 0: _ = try store.list(project: "default", filter: alice, visibility: Sample.visible, page: 1, pageSize: 20)
                            case 1:
                                let query = Sample.unitVector(using: &generator, dimension: 32)
                                _ = try store.semanticSearch(query, project: "default", filter: alice, visibility: Sample.visible, limit: 10)
                            case 2: _ = try store.keywordSearch("pizza memory", project: "default", filter: .all, visibility: Sample.visible, limit: 10)
                            default: _ = try store.entities(project: "default")
                            }
                            counters.reads.add(1, ordering: .relaxed)
                        } catch {
                            counters.record(error)
                        }
                    }
                    done.leave()
                }.start()
            }
            done.wait()
            #expect(counters.errors.withLock { $0 }.isEmpty)
            let acknowledged = counters.acknowledged.load(ordering: .relaxed)
            #expect(acknowledged > 0)
            #expect(counters.reads.load(ordering: .relaxed) > 0)
            #expect(try store.ids(project: "default", filter: .all).count == acknowledged)
            let total = try store.entities(project: "default").reduce(0) { $0 + $1.totalMemories }
            #expect(total == acknowledged)
            #expect(try store.history(project: "default", filter: .all, event: .add, page: 1, pageSize: 1).total == acknowledged)
        }
    }
}
