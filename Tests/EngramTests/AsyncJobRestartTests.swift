import EngramTestSupport
import Foundation
import Glibc
import Testing

/// An async add whose server is killed while the model is thinking runs again after a restart.
@Suite("Async jobs across a restart")
struct AsyncJobRestartTests {
    @Test("a job left RUNNING by SIGKILL is claimed again at start and succeeds")
    func survivesRestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-jobs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FakeProviderServer.run { fake in
            let path = FakeProviderServer.Path.openAIChat
            let answer = FakeProviderServer.Reply.openAIChat(content: #"{"operations": [{"op": "ADD", "text": "User likes tea."}]}"#)
            fake.setFallback(answer.delayed(by: .seconds(60)), on: path)
            let environment = [
                "ENGRAM_LLM_PROVIDER": "openai", "ENGRAM_LLM_MODEL": "test-model", "ENGRAM_LLM_BASE_URL": fake.openAIBaseURL,
                "ENGRAM_LLM_API_KEY": "sk-test", "ENGRAM_LLM_TIMEOUT": "120",
            ]
            let first = try EngramProcess.start(dataDirectory: data, logDirectory: directory, environment: environment)
            let body = #"{"messages": "I like tea.", "user_id": "alice", "async_mode": true}"#
            let queued = try RawClient.request(port: first.port, "POST", "/memories", body: body)
            #expect(queued.status == 202)
            let id = try #require(queued.object["event_id"] as? String)
            for _ in 0..<200 where fake.requests(on: path).isEmpty { Thread.sleep(forTimeInterval: 0.05) }
            #expect(try RawClient.request(port: first.port, "GET", "/events/\(id)").object["status"] as? String == "RUNNING")
            first.kill(SIGKILL)

            fake.setFallback(answer, on: path)
            let second = try EngramProcess.start(dataDirectory: data, logDirectory: directory, environment: environment)
            defer { second.kill(SIGTERM) }
            var event: [String: Any] = [:]
            for _ in 0..<200 {
                event = try RawClient.request(port: second.port, "GET", "/events/\(id)").object
                if event["status"] as? String == "SUCCEEDED" || event["status"] as? String == "FAILED" { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect(event["status"] as? String == "SUCCEEDED")
            #expect(event["attempts"] as? Int == 2)
            let listed = try RawClient.request(port: second.port, "GET", "/memories?user_id=alice").results
            #expect(listed.map { $0["memory"] as? String } == ["User likes tea."])
        }
    }
}
