import EngramHTTP
import EngramTestSupport
import Foundation
import Glibc
import Testing

/// The official OpenAI Python SDK (latest, in `.venv-openai`), unchanged, against `engram serve`'s chat
/// proxy in front of the fake provider speaking OpenAI or Anthropic, and without an LLM. Each test starts
/// its own server with an API key, runs Tests/Clients/openai_proxy_client.py and stops the server; the
/// fake records what the proxy sent, so the memories' arrival in the system message is checked here.
@Suite("OpenAI SDK against the chat proxy", .serialized)
struct OpenAIClientTests {
    static let python = Mem0ClientTests.root.appendingPathComponent(".venv-openai/bin/python")
    static let ready = FileManager.default.isExecutableFile(atPath: python.path)
    static let note: Comment = "the .venv-openai virtualenv (openai, latest) is missing: run scripts/client-venvs.sh"
    static let answer = ["Green ", "tea ", "it is."]
    static let fact = "User's favourite drink is green tea."

    /// The last user message's text of a request the fake received (both providers' shapes).
    static func lastUserText(_ request: FakeProviderServer.RecordedRequest) -> String {
        let messages = request.json["messages"] as? [[String: Any]] ?? []
        return messages.last { $0["role"] as? String == "user" }?["content"] as? String ?? ""
    }

    /// The inference pipeline's calls carry its answer format; the proxied ones do not.
    static func isInference(_ request: FakeProviderServer.RecordedRequest) -> Bool { request.text.contains("operations") }

    static func openAIReplies(_ request: FakeProviderServer.RecordedRequest) -> FakeProviderServer.Reply {
        if isInference(request) { return .openAIChat(content: #"{"operations": [{"op": "ADD", "text": "\#(fact)"}]}"#) }
        let text = lastUserText(request)
        if text.contains("rate limit") { return .rateLimited() }
        if text.contains("server error") { return .error(status: 500, message: "The fake failed", type: "server_error") }
        if text.contains("break") {
            var broken = FakeProviderServer.Reply.openAIChatStream(["Green "])
            broken.events = broken.events.map { Array($0.prefix(2)) }
            broken.breaksOff = true
            return broken
        }
        let streamed = request.json["stream"] as? Bool == true
        return streamed ? .openAIChatStream(answer, interval: .milliseconds(20)) : .openAIChat(content: answer.joined())
    }

    static func anthropicReplies(_ request: FakeProviderServer.RecordedRequest) -> FakeProviderServer.Reply {
        if isInference(request) { return .anthropicMessage(text: #"{"operations": [{"op": "ADD", "text": "\#(fact)"}]}"#) }
        return request.json["stream"] as? Bool == true ? .anthropicStream(answer) : .anthropicMessage(text: answer.joined())
    }

    @Test("OpenAI provider: completions streamed and not, memories in, exchange remembered, errors mapped", .enabled(if: ready, note))
    func openAIProvider() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.dynamic(Self.openAIReplies), on: FakeProviderServer.Path.openAIChat)
            try run(mode: "openai", llm: ("openai", fake.openAIBaseURL))
            let proxied = fake.requests(on: FakeProviderServer.Path.openAIChat).filter { !Self.isInference($0) }
            try expectMemoriesShown(proxied)
            #expect(proxied.allSatisfy { $0.json["model"] as? String == "fake-model" && $0.json["user_id"] == nil })
        }
    }

    @Test("Anthropic provider: OpenAI's shapes adapted both ways, streamed and not", .enabled(if: ready, note))
    func anthropicProvider() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.dynamic(Self.anthropicReplies), on: FakeProviderServer.Path.anthropicMessages)
            try run(mode: "anthropic", llm: ("anthropic", fake.baseURL))
            let proxied = fake.requests(on: FakeProviderServer.Path.anthropicMessages).filter { !Self.isInference($0) }
            try expectMemoriesShown(proxied, systemField: true)
            #expect(proxied.contains { $0.json["stream"] as? Bool == true })
        }
    }

    @Test("no LLM configured: 501 with a detail", .enabled(if: ready, note))
    func withoutLLM() throws {
        try run(mode: "no-llm", llm: nil)
    }

    /// Every proxied call for alice showed her seeded memory in the system message.
    private func expectMemoriesShown(_ proxied: [FakeProviderServer.RecordedRequest], systemField: Bool = false) throws {
        let alice = proxied.filter { Self.lastUserText($0).contains("tea") }
        #expect(alice.count >= 3)
        for request in alice {
            let system = systemField
                ? request.json["system"] as? String
                : (request.json["messages"] as? [[String: Any]])?.first { $0["role"] as? String == "system" }?["content"] as? String
            #expect(system?.contains("Alice loves green tea.") == true, "\(request.text)")
        }
    }

    private func run(mode: String, llm: (provider: String, baseURL: String)?) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-openai-sdk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = "admin-" + UUID().uuidString.lowercased()
        var arguments: [String] = []
        if let llm {
            let config = directory.appendingPathComponent("engram.yaml")
            try """
                llm:
                  provider: \(llm.provider)
                  config:
                    model: fake-model
                    api_key: provider-key
                    base_url: \(llm.baseURL)
                    max_retries: 0
                job_workers: 1
                """.write(to: config, atomically: true, encoding: .utf8)
            arguments = ["--config", config.path]
        }
        let server = try EngramProcess.start(
            dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory, arguments: arguments,
            environment: ["ENGRAM_API_KEY": key])
        defer { server.kill(SIGTERM) }
        let result = try Mem0ClientTests.execute(
            Self.python, [Mem0ClientTests.root.appendingPathComponent("Tests/Clients/openai_proxy_client.py").path],
            environment: ["ENGRAM_URL": "http://127.0.0.1:\(server.port)", "ENGRAM_KEY": key, "MODE": mode, "PYTHONUNBUFFERED": "1"],
            timeout: 300)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let log = names.first { $0.hasPrefix("engram-") && $0.hasSuffix(".log") }
            .flatMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) } ?? ""
        #expect(
            result.status == 0,
            "openai_proxy_client.py (\(mode)) exited \(result.status)\n--- stdout\n\(result.stdout)\n--- stderr\n\(result.stderr)\n--- server log (tail)\n\(log.suffix(4000))")
    }
}
