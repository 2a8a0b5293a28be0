import EngramPostgresTestSupport
import EngramTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// `engram serve` on Postgres: several processes sharing a database, and a database restarted under load.
@Suite("engram serve on Postgres")
struct PostgresServeTests {
    private static func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("engram-pg-serve-\(UUID())")
    }

    @Test("two processes on one database take concurrent adds and searches without duplicates or errors")
    func twoProcessesShareADatabase() throws {
        let url = try EmbeddedPostgres.shared.makeDatabase()
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try EngramProcess.start(dataDirectory: directory.appendingPathComponent("a"), logDirectory: directory, arguments: ["--database-url", url])
        defer { first.kill(SIGTERM) }
        let second = try EngramProcess.start(dataDirectory: directory.appendingPathComponent("b"), logDirectory: directory, arguments: ["--database-url", url])
        defer { second.kill(SIGTERM) }

        let facts = "I live in Porto by the sea. My brother collects old maps. I drink green tea every morning."
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for worker in 0..<6 {
            group.enter()
            Thread {
                defer { group.leave() }
                let port = worker % 2 == 0 ? first.port : second.port
                for round in 0..<4 {
                    let user = "user\((worker + round) % 3)"
                    let add = #"{"messages": [{"role": "user", "content": "\#(facts)"}], "user_id": "\#(user)"}"#
                    let search = #"{"query": "where does the user live", "user_id": "\#(user)"}"#
                    for (target, body) in [("/memories", add), ("/search", search)] {
                        do {
                            let response = try RawClient.request(port: port, "POST", target, body: body)
                            if response.status != 200 { failures.withLock { $0.append("\(target) \(response.status)") } }
                        } catch {
                            failures.withLock { $0.append("\(target) \(error)") }
                        }
                    }
                }
            }.start()
        }
        group.wait()
        #expect(failures.withLock { $0 }.isEmpty)
        for user in 0..<3 {
            let listing = try RawClient.request(port: first.port, "GET", "/memories?user_id=user\(user)")
            let texts = listing.results.compactMap { $0["memory"] as? String }
            #expect(texts.count == 3, "user\(user): \(texts)")
            #expect(Set(texts).count == texts.count)
        }
    }

    @Test("with a read replica that lags, serve finds its own add at once and answers other scopes from the replica")
    func readReplica() throws {
        let cluster = try EmbeddedPostgres.start()
        defer { cluster.destroy() }
        let url = try cluster.makeDatabase()
        let database = try #require(url.split(separator: "/").last.map(String.init))
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Bob's memory is stored before the replica is cloned, so the replica holds it from the start.
        do {
            let setup = try EngramProcess.start(dataDirectory: directory, logDirectory: directory, arguments: ["--database-url", url])
            defer { setup.kill(SIGTERM) }
            let add = try RawClient.request(port: setup.port, "POST", "/memories", body: #"{"messages": "Bob drinks black tea.", "user_id": "bob", "infer": false}"#)
            #expect(add.status == 200)
        }
        let replica = try cluster.startReplica(applyDelay: 3)
        defer { replica.destroy() }
        let server = try EngramProcess.start(
            dataDirectory: directory, logDirectory: directory,
            arguments: ["--database-url", url, "--database-read-url", replica.url(database: database)])
        defer { server.kill(SIGTERM) }

        let add = try RawClient.request(port: server.port, "POST", "/memories", body: #"{"messages": "Alice rides a red bike.", "user_id": "alice", "infer": false}"#)
        #expect(add.status == 200)
        // The replica applies commits 3 s late; the writer's search must find the memory now.
        let search = try RawClient.request(port: server.port, "POST", "/search", body: #"{"query": "what does alice ride", "user_id": "alice"}"#)
        #expect(search.results.compactMap { $0["memory"] as? String } == ["Alice rides a red bike."])
        let bob = try RawClient.request(port: server.port, "GET", "/memories?user_id=bob")
        #expect(bob.results.compactMap { $0["memory"] as? String } == ["Bob drinks black tea."])
        let scrape = try MetricsTests.scrape(port: server.port)
        #expect((scrape.value("engram_store_reads_total", ["target": "replica"]) ?? 0) >= 1, "bob's list should come from the replica")
        #expect((scrape.value("engram_store_reads_total", ["target": "primary"]) ?? 0) >= 1, "alice's search should come from the primary")
    }

    @Test("a Postgres restart under load answers 503 while it is down, then 200, and loses nothing acknowledged")
    func survivesARestart() throws {
        let cluster = try EmbeddedPostgres.start()
        defer { cluster.destroy() }
        let url = try cluster.makeDatabase()
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engram = try EngramProcess.start(dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory, arguments: ["--database-url", url])
        defer { engram.kill(SIGTERM) }

        let acknowledged = Mutex<[String]>([])
        let statuses = Mutex<[Int: Int]>([:])
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        for writer in 0..<3 {
            group.enter()
            Thread {
                defer { group.leave() }
                var sequence = 0
                while !stop.load(ordering: .relaxed) {
                    sequence += 1
                    let body = #"{"messages": "writer \#(writer) remembers item \#(sequence)", "user_id": "restart", "infer": false}"#
                    guard let response = try? RawClient.request(port: engram.port, "POST", "/memories", body: body) else { continue }
                    statuses.withLock { $0[response.status, default: 0] += 1 }
                    if response.status == 200, let id = response.results.first?["id"] as? String {
                        acknowledged.withLock { $0.append(id) }
                    } else {
                        Thread.sleep(forTimeInterval: 0.02)
                    }
                }
            }.start()
        }
        Thread.sleep(forTimeInterval: 1)
        try cluster.stopServer()
        Thread.sleep(forTimeInterval: 1)
        #expect(try RawClient.request(port: engram.port, "GET", "/health").status == 503)
        try cluster.startServer()
        let beforeRestart = acknowledged.withLock { $0.count }
        Thread.sleep(forTimeInterval: 1.5)
        stop.store(true, ordering: .relaxed)
        group.wait()

        let seen = statuses.withLock { $0 }
        #expect(Set(seen.keys).isSubset(of: [200, 503]), "\(seen)")
        #expect((seen[503] ?? 0) > 0)
        let ids = acknowledged.withLock { $0 }
        #expect(ids.count > beforeRestart, "nothing succeeded after the restart")
        #expect(try RawClient.request(port: engram.port, "GET", "/health").status == 200)
        for id in ids {
            #expect(try RawClient.request(port: engram.port, "GET", "/memories/\(id)").status == 200, "lost \(id)")
        }
    }
}
