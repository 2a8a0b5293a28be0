import EngramTestSupport
import Foundation
import Glibc
import Testing

/// A webhook delivery under way when its server is killed is sent again after a restart.
@Suite("Webhooks across a restart")
struct WebhookRestartTests {
    @Test("a delivery left RUNNING by SIGKILL is sent again at start, with the same delivery id")
    func survivesRestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-webhooks-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FakeProviderServer.run { receiver in
            // The first attempt hangs until the server is killed.
            receiver.setFallback(FakeProviderServer.Reply.status(200).delayed(by: .seconds(60)), on: "/hook")
            let environment = ["ENGRAM_ALLOW_PRIVATE_WEBHOOKS": "true"]
            let first = try EngramProcess.start(dataDirectory: data, logDirectory: directory, environment: environment)
            let created = try RawClient.request(
                port: first.port, "POST", "/api/v1/webhooks/projects/default/",
                body: #"{"url": "\#(receiver.baseURL)/hook", "name": "logger", "event_types": ["memory_add"]}"#)
            #expect(created.status == 201)
            let hook = try #require(created.object["webhook_id"] as? String)
            let body = #"{"messages": "I like tea.", "user_id": "alice", "infer": false}"#
            #expect(try RawClient.request(port: first.port, "POST", "/memories", body: body).status == 200)
            for _ in 0..<200 where receiver.requests(on: "/hook").isEmpty { Thread.sleep(forTimeInterval: 0.05) }
            #expect(receiver.requests(on: "/hook").count == 1)
            first.kill(SIGKILL)

            receiver.setFallback(.status(200), on: "/hook")
            let second = try EngramProcess.start(dataDirectory: data, logDirectory: directory, environment: environment)
            defer { second.kill(SIGTERM) }
            var deliveries: [[String: Any]] = []
            for _ in 0..<200 {
                deliveries = try RawClient.request(port: second.port, "GET", "/api/v1/webhooks/\(hook)/deliveries").json
                    as? [[String: Any]] ?? []
                if deliveries.first?["status"] as? String == "DELIVERED" { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect(deliveries.first?["status"] as? String == "DELIVERED")
            #expect(deliveries.first?["attempts"] as? Int == 2)
            let received = receiver.requests(on: "/hook")
            #expect(received.count == 2)
            #expect(received.first?.header("X-Engram-Delivery") == received.last?.header("X-Engram-Delivery"))
            #expect(received.last?.json["event"] as? String == "memory_add")
        }
    }
}
