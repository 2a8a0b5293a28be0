import Foundation
import Glibc
import Testing

/// The `engram` executable as an operator runs it.
@Suite("engram serve")
struct ServeCommandTests {
    /// The built `engram` binary, next to the test bundle.
    static var binary: URL {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [here, here.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("engram")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/engram")
    }

    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test("prints its version and help")
    func versionAndHelp() throws {
        let version = try run(["--version"])
        #expect(version.status == 0)
        #expect(version.output.hasPrefix("engram 0.1.0"))
        let help = try run(["serve", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("--data-dir"))
        #expect(help.output.contains("--port"))
    }

    @Test("refuses a bad port with a clear message")
    func badPort() throws {
        let result = try run(["serve", "--port", "70000"])
        #expect(result.status != 0)
        #expect(result.output.contains("--port must be between 0 and 65535"))
    }

    @Test("refuses unknown embedder kernels, naming the known ones")
    func badKernels() throws {
        let result = try run(["serve", "--port", "0", "--embed-kernels", "avx1024"])
        #expect(result.status != 0)
        #expect(result.output.contains("Unknown embed kernels 'avx1024'"))
        #expect(result.output.contains("avx512-bf16"))
    }

    @Test("refuses an MCP origin that is not scheme://host[:port]")
    func badMCPOrigin() throws {
        for origin in ["app.example.com", "https://app.example.com/path", "ftp://files.example.com"] {
            let result = try run(["serve", "--port", "0", "--mcp-allowed-origins", "http://localhost:3000,\(origin)"])
            #expect(result.status != 0)
            #expect(result.output.contains("'\(origin)' is not an origin"), "\(result.output)")
        }
    }

    @Test("refuses a reranker it cannot build, and a search-context setting that is not on or off")
    func badReranker() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-serve-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let serve = ["serve", "--port", "0", "--data-dir", directory.path]
        let cases: [([String: String], String)] = [
            (["ENGRAM_RERANKER_PROVIDER": "local"], "needs the folder of a cross-encoder"),
            (["ENGRAM_RERANKER_PROVIDER": "local", "ENGRAM_RERANKER_MODEL": "/nonexistent/cross-encoder"], "/nonexistent/cross-encoder"),
            (["ENGRAM_RERANKER_PROVIDER": "rankomatic"], "Unknown reranker provider 'rankomatic'"),
            (["ENGRAM_RERANKER_PROVIDER": "cohere", "COHERE_API_KEY": ""], "reranker.config.api_key"),
            (["ENGRAM_RERANKER_MODEL": "rerank-v3.5"], "ENGRAM_RERANKER_MODEL is set but ENGRAM_RERANKER_PROVIDER is not"),
            (["ENGRAM_SEARCH_CONTEXT": "maybe"], "ENGRAM_SEARCH_CONTEXT must be on or off"),
        ]
        for (environment, message) in cases {
            let result = try run(serve, environment: environment)
            #expect(result.status != 0, "\(environment)")
            #expect(result.output.contains(message), "\(environment): \(result.output)")
        }
    }

    @Test("refuses to start without the embedding model, naming `make model`")
    func missingModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-serve-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try run([
            "serve", "--port", "0", "--data-dir", directory.path, "--model-dir", "/nonexistent/engram-model",
        ])
        #expect(result.status != 0)
        #expect(result.output.contains("make model"))
        #expect(result.output.contains("/nonexistent/engram-model"))
    }

    @Test("refuses a non-loopback address without an API key, before binding anything")
    func refusesOpenBind() throws {
        for host in ["0.0.0.0", "::", "192.0.2.10"] {
            let refused = try run(["serve", "--host", host, "--port", "0"])
            #expect(refused.status != 0)
            #expect(refused.output.contains("without an API key"))
        }
        // Any 127.x address is loopback and needs no key.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-loopback-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try EngramProcess.start(
            dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory, arguments: ["--host", "127.0.0.2"])
        server.kill(SIGTERM)
        #expect(server.process.terminationStatus == 0)
    }

    @Test("serves, logs each request, then exits 0 on SIGTERM")
    func servesAndStopsOnSignal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-serve-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("stderr.log")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)

        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", directory.appendingPathComponent("data").path]
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var port: Int?
        for _ in 0..<100 where port == nil {
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        let boundPort = try #require(port)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("data").path))

        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "--silent", "--max-time", "5", "http://127.0.0.1:\(boundPort)/health"]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let body = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        #expect(body == #"{"status":"ok"}"#)

        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("GET /health 200"))
        #expect(text.contains("Engram stopped"))
        // The embedder's default: half the cores, at least one.
        let embedThreads = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        #expect(text.contains(", \(embedThreads) threads;"), "\(text)")
    }
}
