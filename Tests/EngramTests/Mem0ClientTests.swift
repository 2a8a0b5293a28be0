import Foundation
import Glibc
import Testing

/// mem0's official Python SDKs, unchanged, against a real `engram serve`: mem0ai 2.2.1 (`MemoryClient` and
/// `AsyncMemoryClient`), the legacy mem0ai 1.0.11 `MemoryClient`, and project isolation over plain HTTP.
/// Each test starts its own server with an admin key (project "default"), creates a key of project "alpha"
/// and one of project "beta" with `engram keys create`, runs one script of Tests/Clients and stops the server.
/// The scripts run in the virtual environments `scripts/client-venvs.sh` sets up; without them the tests skip.
@Suite("mem0 SDKs against engram serve", .serialized)
struct Mem0ClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let clientPython = root.appendingPathComponent(".venv-mem0-client/bin/python")
    static let legacyPython = root.appendingPathComponent(".venv-mem0-legacy/bin/python")
    static let clientReady = FileManager.default.isExecutableFile(atPath: clientPython.path)
    static let legacyReady = FileManager.default.isExecutableFile(atPath: legacyPython.path)
    static let clientNote: Comment = "the .venv-mem0-client virtualenv (mem0ai 2.2.1) is missing: run scripts/client-venvs.sh"
    static let legacyNote: Comment = "the .venv-mem0-legacy virtualenv (mem0ai 1.0.11) is missing: run scripts/client-venvs.sh"

    @Test("mem0ai 2.2.1 MemoryClient and AsyncMemoryClient: every platform method", .enabled(if: clientReady, clientNote))
    func platformClient() throws {
        try run(script: "mem0_platform_client.py", python: Self.clientPython)
    }

    @Test("mem0ai 1.0.11 MemoryClient: add, search, get_all, get, update, history, delete", .enabled(if: legacyReady, legacyNote))
    func legacyClient() throws {
        try run(script: "mem0_legacy_client.py", python: Self.legacyPython)
    }

    @Test("projects are isolated; admin routes need an admin key; a revoked key is refused at once", .enabled(if: clientReady, clientNote))
    func isolation() throws {
        try run(script: "isolation.py", python: Self.clientPython)
    }

    // ------------------------------------------------------------------------------------------------

    private func run(script: String, python: URL) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-mem0-sdk-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        let adminKey = "admin-" + UUID().uuidString.lowercased()
        let server = try EngramProcess.start(
            dataDirectory: data, logDirectory: directory, environment: ["ENGRAM_API_KEY": adminKey])
        defer { server.kill(SIGTERM) }

        let alpha = try Self.createKey(project: "alpha", dataDirectory: data)
        let beta = try Self.createKey(project: "beta", dataDirectory: data)
        let result = try Self.execute(
            python, [Self.root.appendingPathComponent("Tests/Clients/\(script)").path],
            environment: [
                "ENGRAM_URL": "http://127.0.0.1:\(server.port)", "ENGRAM_KEY_ALPHA": alpha, "ENGRAM_KEY_BETA": beta,
                "ENGRAM_ADMIN_KEY": adminKey, "MEM0_TELEMETRY": "False", "PYTHONUNBUFFERED": "1",
            ],
            timeout: 900)
        let log = (try? String(contentsOf: logFile(in: directory), encoding: .utf8)) ?? ""
        #expect(
            result.status == 0,
            "\(script) exited \(result.status)\n--- stdout\n\(result.stdout)\n--- stderr\n\(result.stderr)\n--- server log (tail)\n\(log.suffix(4000))")
    }

    /// `engram keys create --project NAME` on the server's store: the key alone on one line of stdout.
    static func createKey(project: String, dataDirectory: URL) throws -> String {
        let result = try Self.execute(
            ServeCommandTests.binary, ["keys", "create", "--project", project, "--data-dir", dataDirectory.path],
            environment: [:], timeout: 60)
        let lines = result.stdout.split(whereSeparator: \.isNewline).map(String.init)
        guard result.status == 0, lines.count == 1, let key = lines.first, !key.isEmpty, !key.contains(" ") else {
            throw KeyError(description: "engram keys create --project \(project) exited \(result.status): "
                + "stdout \(result.stdout.debugDescription), stderr \(result.stderr.debugDescription)")
        }
        return key
    }

    private func logFile(in directory: URL) -> URL {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return directory.appendingPathComponent(names.first { $0.hasPrefix("engram-") && $0.hasSuffix(".log") } ?? "none")
    }

    struct KeyError: Error, CustomStringConvertible { let description: String }

    /// Runs a program to its end (killed after `timeout` seconds), its output in files so that neither pipe
    /// can fill up and block it.
    static func execute(_ program: URL, _ arguments: [String], environment: [String: String], timeout: TimeInterval)
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-exec-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            process.terminate()
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        var stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        if timedOut { stderr += "\n[killed after \(Int(timeout)) s]" }
        return (process.terminationStatus, stdout, stderr)
    }
}
