import EngramTestSupport
import Foundation
import Glibc
import Testing

/// The official MCP Python SDK, unchanged, against `engram serve`: mcp 2.3.0 in each of its connection
/// modes (legacy, auto, 2026-07-28) and mcp 1.30.0 (the last 1.x, legacy only), each in its git-ignored
/// virtualenv (scripts/client-venvs.sh). Each test starts its own server with an administrator key, runs
/// Tests/Clients/mcp_client.py and stops the server.
@Suite("MCP Python SDK against /mcp", .serialized)
struct MCPClientTests {
    static let modern = Mem0ClientTests.root.appendingPathComponent(".venv-mcp-2/bin/python")
    static let legacy = Mem0ClientTests.root.appendingPathComponent(".venv-mcp-1/bin/python")
    static let note: Comment = "the .venv-mcp-2 / .venv-mcp-1 virtualenvs are missing: run scripts/client-venvs.sh"

    @Test("mcp 2.3.0: legacy, auto and 2026-07-28 modes", .enabled(if: FileManager.default.isExecutableFile(atPath: modern.path), note))
    func currentClient() throws {
        try run(python: Self.modern)
    }

    @Test("mcp 1.30.0: streamablehttp_client and ClientSession", .enabled(if: FileManager.default.isExecutableFile(atPath: legacy.path), note))
    func legacyClient() throws {
        try run(python: Self.legacy)
    }

    private func run(python: URL) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-mcp-sdk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = "admin-" + UUID().uuidString.lowercased()
        let server = try EngramProcess.start(
            dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory, arguments: [],
            environment: ["ENGRAM_API_KEY": key])
        defer { server.kill(SIGTERM) }
        let result = try Mem0ClientTests.execute(
            python, [Mem0ClientTests.root.appendingPathComponent("Tests/Clients/mcp_client.py").path],
            environment: ["ENGRAM_URL": "http://127.0.0.1:\(server.port)", "ENGRAM_KEY": key, "PYTHONUNBUFFERED": "1"],
            timeout: 300)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let log = names.first { $0.hasPrefix("engram-") && $0.hasSuffix(".log") }
            .flatMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) } ?? ""
        #expect(
            result.status == 0,
            "mcp_client.py (\(python.path)) exited \(result.status)\n--- stdout\n\(result.stdout)\n--- stderr\n\(result.stderr)\n--- server log (tail)\n\(log.suffix(4000))")
    }
}
