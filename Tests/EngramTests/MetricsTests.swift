import EngramTestSupport
import Foundation
import Glibc
import Testing

/// `GET /metrics` read by the Prometheus client's own parser, who may scrape it, and JSON logs.
@Suite("metrics and logs")
struct MetricsTests {
    static let python = Mem0ClientTests.root.appendingPathComponent(".venv-metrics/bin/python")
    static let note: Comment = "the .venv-metrics virtualenv (prometheus_client 0.21.1) is missing: run scripts/client-venvs.sh"

    /// The samples of one scrape, parsed by prometheus_client.
    struct Scrape {
        /// (sample name, labels, value)
        var samples: [(name: String, labels: [String: String], value: Double)]

        func values(_ name: String, _ labels: [String: String] = [:]) -> [Double] {
            samples.filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }.map(\.value)
        }

        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? { values(name, labels).first }
    }

    static func scrape(port: Int, headers: [String: String] = [:]) throws -> Scrape {
        let response = try RawClient.request(port: port, "GET", "/metrics", headers: headers)
        #expect(response.status == 200)
        #expect(response.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let process = Process()
        process.executableURL = python
        process.arguments = [Mem0ClientTests.root.appendingPathComponent("Tests/Clients/metrics_check.py").path]
        let (input, output, errors) = (Pipe(), Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(response.body))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "prometheus_client refused the scrape: \(problem)")
        let families = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        var samples: [(String, [String: String], Double)] = []
        for (_, family) in families {
            for sample in family["samples"] as? [[Any]] ?? [] {
                guard sample.count == 3, let name = sample[0] as? String, let labels = sample[1] as? [String: String],
                      let value = (sample[2] as? NSNumber)?.doubleValue
                else { continue }
                samples.append((name, labels, value))
            }
        }
        return Scrape(samples: samples)
    }

    @Test("a scrape parses, counts requests by route template and answers the engine's, the store's and the process's metrics",
          .enabled(if: FileManager.default.isExecutableFile(atPath: python.path), note))
    func scrapeParses() throws {
        try FakeProviderServer.run { fake in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-metrics-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            fake.setFallback(
                .openAIChat(content: #"{"operations": [{"op": "ADD", "text": "Lives in Lisbon"}]}"#, promptTokens: 40, completionTokens: 9),
                on: "/v1/chat/completions")
            let server = try EngramProcess.start(
                dataDirectory: directory, logDirectory: directory,
                environment: ["ENGRAM_LLM_PROVIDER": "openai", "ENGRAM_LLM_MODEL": "gpt-4.1-mini", "ENGRAM_LLM_BASE_URL": fake.openAIBaseURL,
                              "ENGRAM_LLM_API_KEY": "sk-test"])
            defer { server.kill(SIGTERM) }
            let add = try RawClient.request(port: server.port, "POST", "/memories", body: #"{"messages": "I live in Lisbon", "user_id": "ines"}"#)
            #expect(add.status == 200)
            let verbatim = try RawClient.request(
                port: server.port, "POST", "/memories", body: #"{"messages": "Ines has a dog", "user_id": "ines", "infer": false}"#)
            let id = try #require(verbatim.results.first?["id"] as? String)
            #expect(try RawClient.request(port: server.port, "GET", "/memories/\(id)").status == 200)
            #expect(try RawClient.request(port: server.port, "GET", "/memories/\(UUID())").status == 404)
            #expect(try RawClient.request(port: server.port, "GET", "/no/such/path").status == 404)
            let search = try RawClient.request(port: server.port, "POST", "/search", body: #"{"query": "where does ines live", "user_id": "ines"}"#)
            #expect(search.status == 200)

            let scrape = try Self.scrape(port: server.port)
            #expect(scrape.value("engram_http_requests_total", ["route": "/memories/{memory_id}", "method": "GET", "status": "200"]) == 1)
            #expect(scrape.value("engram_http_requests_total", ["route": "/memories/{memory_id}", "method": "GET", "status": "404"]) == 1)
            #expect(scrape.value("engram_http_requests_total", ["route": "unmatched", "method": "GET", "status": "404"]) == 1)
            #expect(!scrape.samples.contains { $0.labels["route"]?.contains(id) == true }, "a raw path became a label")
            #expect(scrape.value("engram_http_request_duration_seconds_count", ["route": "/search"]) == 1)
            #expect(scrape.value("engram_http_request_duration_seconds_bucket", ["route": "/search", "le": "+Inf"]) == 1)
            for phase in ["embed", "vector", "keyword", "fuse", "read"] {
                #expect(scrape.value("engram_search_duration_seconds_count", ["phase": phase]).map { $0 >= 1 } == true, "\(phase)")
            }
            #expect(scrape.values("engram_embedding_duration_seconds_count").reduce(0, +) >= 3)
            #expect(scrape.value("engram_llm_requests_total", ["provider": "openai", "outcome": "ok"]) == 1)
            #expect(scrape.value("engram_llm_tokens_total", ["direction": "prompt"]) == 40)
            #expect(scrape.value("engram_llm_tokens_total", ["direction": "completion"]) == 9)
            #expect(scrape.value("engram_llm_request_duration_seconds_count", ["provider": "openai"]) == 1)
            #expect(scrape.value("engram_memories", ["project": "default"]) == 2)
            #expect(scrape.value("engram_jobs", ["status": "PENDING"]) == 0)
            #expect((scrape.value("engram_store_bytes") ?? 0) > 0)
            #expect(scrape.value("engram_store_up") == 1)
            #expect((scrape.value("process_resident_memory_bytes") ?? 0) > 10_000_000)
            #expect((scrape.value("process_open_fds") ?? 0) > 3)
            #expect((scrape.value("process_threads") ?? 0) > 2)
            #expect(scrape.value("process_cpu_seconds_total") != nil)
            let started = try #require(scrape.value("process_start_time_seconds"))
            #expect(abs(started - Date().timeIntervalSince1970) < 600)
            // A delete lowers the gauge, from the store's counters.
            #expect(try RawClient.request(port: server.port, "DELETE", "/memories/\(id)").status == 200)
            #expect(try Self.scrape(port: server.port).value("engram_memories", ["project": "default"]) == 1)
        }
    }

    @Test("/metrics needs the administrator key when keys are configured, unless --metrics-public",
          .enabled(if: FileManager.default.isExecutableFile(atPath: python.path), note))
    func access() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-metrics-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let projectKey = try Mem0ClientTests.createKey(project: "beta", dataDirectory: directory)
        let admin = "admin-key-for-metrics"
        do {
            let server = try EngramProcess.start(dataDirectory: directory, logDirectory: directory, arguments: ["--api-key", admin])
            defer { server.kill(SIGTERM) }
            #expect(try RawClient.request(port: server.port, "GET", "/metrics").status == 401)
            #expect(try RawClient.request(port: server.port, "GET", "/metrics", headers: ["X-API-Key": projectKey]).status == 403)
            _ = try Self.scrape(port: server.port, headers: ["Authorization": "Bearer \(admin)"])
        }
        let open = try EngramProcess.start(
            dataDirectory: directory, logDirectory: directory, arguments: ["--api-key", admin, "--metrics-public"])
        defer { open.kill(SIGTERM) }
        let scrape = try Self.scrape(port: open.port)
        #expect(scrape.value("engram_store_up") == 1)
        #expect(try RawClient.request(port: open.port, "GET", "/metrics", headers: ["X-API-Key": projectKey]).status == 200)
        #expect(try RawClient.request(port: open.port, "GET", "/memories?user_id=x").status == 401, "only /metrics is open")
    }

    @Test("--log-format json writes one JSON object per line, with the request id")
    func jsonLogs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-logs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try EngramProcess.start(
            dataDirectory: directory, logDirectory: directory, environment: ["ENGRAM_LOG_FORMAT": "json"])
        _ = try RawClient.request(port: server.port, "GET", "/health", headers: ["X-Request-ID": "trace-\"quoted\"-42"])
        _ = try RawClient.request(port: server.port, "GET", "/health", headers: ["X-Request-ID": "plain-id-43"])
        server.kill(SIGTERM)
        let lines = try String(contentsOf: server.log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 4)
        var sawRequest = false
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["time"] is String && object["level"] is String && object["logger"] is String && object["message"] is String)
            if object["request_id"] as? String == "plain-id-43" {
                sawRequest = true
                #expect((object["message"] as? String)?.contains("/health") == true)
            }
        }
        #expect(sawRequest, "no access-log line carries the request id")
        let refused = try AdminCommandsTests.engram(["serve", "--port", "0", "--log-format", "xml", "--data-dir", directory.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("ENGRAM_LOG_FORMAT must be text or json"))
    }
}
