import EngramTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// The server killed with SIGKILL in the middle of a write load, then restarted on the same data.
@Suite("Durability")
struct DurabilityTests {
    @Test("every acknowledged write survives SIGKILL and the database reopens cleanly")
    func survivesKill() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-kill-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")

        let first = try EngramProcess.start(dataDirectory: data, logDirectory: directory)
        let acknowledged = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        for writer in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var sequence = 0
                while !stop.load(ordering: .relaxed) {
                    sequence += 1
                    let body = #"{"messages": "writer \#(writer) remembers item \#(sequence)", "user_id": "durable", "infer": false}"#
                    guard let response = try? RawClient.request(port: first.port, "POST", "/memories", body: body),
                          response.status == 200, let id = response.results.first?["id"] as? String
                    else { continue }
                    acknowledged.withLock { $0.append(id) }
                }
            }
        }
        Thread.sleep(forTimeInterval: 2)
        first.kill(SIGKILL)
        stop.store(true, ordering: .relaxed)
        group.wait()
        let ids = acknowledged.withLock { $0 }
        try #require(ids.count > 10, "too few writes before the kill: \(ids.count)")

        let second = try EngramProcess.start(dataDirectory: data, logDirectory: directory)
        defer { second.kill(SIGTERM) }
        #expect(try RawClient.request(port: second.port, "GET", "/health").status == 200)
        for id in ids {
            #expect(try RawClient.request(port: second.port, "GET", "/memories/\(id)").status == 200, "lost \(id)")
        }
        let listing = try RawClient.request(port: second.port, "GET", "/memories?user_id=durable&page_size=1")
        #expect((listing.object["count"] as? Int ?? 0) >= ids.count)
    }
}
