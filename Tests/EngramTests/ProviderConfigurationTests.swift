import EngramTestSupport
import Foundation
import Glibc
import Testing

/// How an operator configures the LLM: a config file, environment variables, and `POST /configure`,
/// which persists across restarts.
@Suite("Provider configuration")
struct ProviderConfigurationTests {
    static let operations = FakeProviderServer.Reply.openAIChat(content: #"{"operations": [{"op": "ADD", "text": "User likes tea."}]}"#)

    @Test("a config file sets the LLM and the prompts; the environment overrides it; secrets stay hidden")
    func configFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-config-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FakeProviderServer.run { fake in
            fake.setFallback(Self.operations, on: FakeProviderServer.Path.openAIChat)
            let file = directory.appendingPathComponent("engram.yaml")
            try """
                llm:
                  provider: openai
                  config:
                    model: file-model
                    api_key: sk-from-file
                    base_url: \(fake.openAIBaseURL)
                custom_instructions: Keep only drinks.
                job_workers: 1
                """.write(to: file, atomically: true, encoding: .utf8)
            let engram = try EngramProcess.start(
                dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory,
                arguments: ["--config", file.path], environment: ["ENGRAM_LLM_MODEL": "env-model"])
            defer { engram.kill(SIGTERM) }
            let shown = try RawClient.request(port: engram.port, "GET", "/configure")
            #expect(!shown.text.contains("sk-from-file"))
            let llm = shown.object["llm"] as? [String: Any]
            #expect((llm?["config"] as? [String: Any])?["model"] as? String == "env-model")
            #expect(shown.object["custom_instructions"] as? String == "Keep only drinks.")
            let added = try RawClient.request(port: engram.port, "POST", "/memories", body: #"{"messages": "I like tea.", "user_id": "u"}"#)
            #expect(added.results.first?["memory"] as? String == "User likes tea.")
            let sent = try #require(fake.requests(on: FakeProviderServer.Path.openAIChat).first)
            #expect(sent.json["model"] as? String == "env-model")
            #expect(sent.text.contains("Keep only drinks."))
        }
    }

    @Test("a config file with an unknown key or a half-set environment refuses to start, saying why")
    func refusesBadConfiguration() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-config-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("bad.yaml")
        try "lmm:\n  provider: openai\n".write(to: file, atomically: true, encoding: .utf8)
        for (arguments, environment, expected) in [
            (["--config", file.path], [String: String](), "Unknown key 'lmm'"),
            ([], ["ENGRAM_LLM_MODEL": "x"], "ENGRAM_LLM_MODEL is set but ENGRAM_LLM_PROVIDER is not"),
            ([], ["ENGRAM_LLM_PROVIDER": "not-a-provider"], "not-a-provider"),
        ] {
            do {
                let engram = try EngramProcess.start(
                    dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory, arguments: arguments,
                    environment: environment)
                engram.kill(SIGTERM)
                Issue.record("started with \(arguments) \(environment)")
            } catch let error as EngramProcess.StartError {
                #expect(error.log.contains(expected), "\(error.log)")
            }
        }
    }

    @Test("an LLM set with POST /configure is used at once and again after a restart")
    func persistsAcrossRestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-config-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FakeProviderServer.run { fake in
            fake.setFallback(Self.operations, on: FakeProviderServer.Path.openAIChat)
            let first = try EngramProcess.start(dataDirectory: data, logDirectory: directory)
            let config = #"{"llm": {"provider": "openai", "config": {"model": "runtime-model", "api_key": "sk-runtime", "base_url": "\#(fake.openAIBaseURL)"}}}"#
            #expect(try RawClient.request(port: first.port, "POST", "/configure", body: config).status == 200)
            first.kill(SIGTERM)
            let second = try EngramProcess.start(dataDirectory: data, logDirectory: directory)
            defer { second.kill(SIGTERM) }
            let llm = try RawClient.request(port: second.port, "GET", "/configure").object["llm"] as? [String: Any]
            #expect((llm?["config"] as? [String: Any])?["model"] as? String == "runtime-model")
            let added = try RawClient.request(port: second.port, "POST", "/memories", body: #"{"messages": "I like tea.", "user_id": "u"}"#)
            #expect(added.results.first?["memory"] as? String == "User likes tea.")
            #expect(fake.requests(on: FakeProviderServer.Path.openAIChat).first?.header("Authorization") == "Bearer sk-runtime")
        }
    }
}
