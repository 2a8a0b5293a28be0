import EngramTestSupport
import Foundation
import Glibc
import Testing

/// The web console at `/ui/`: its files and headers over a real socket, and the console itself in
/// Debian's headless Chromium driven by Selenium (Tests/Clients/console_check.py), on a server with an
/// API key and on a keyless loopback one. Screenshots go to `.build/console-artifacts/`.
@Suite("web console", .serialized)
struct ConsoleTests {
    static let python = Mem0ClientTests.root.appendingPathComponent(".venv-console/bin/python")
    static let ready = FileManager.default.isExecutableFile(atPath: python.path)
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
    static let note: Comment = "the .venv-console virtualenv (selenium) or Debian's chromium-driver is missing: run scripts/client-venvs.sh"
    static let artifacts = Mem0ClientTests.root.appendingPathComponent(".build/console-artifacts")

    @Test("the console's files load without a key, with a strict CSP; / sends browsers to it and API clients to /docs")
    func filesAndHeaders() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-console-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try EngramProcess.start(
            dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory,
            environment: ["ENGRAM_API_KEY": "console-admin-key"])
        defer { server.kill(SIGTERM) }

        for (path, type) in [("/ui/", "text/html"), ("/ui", "text/html"), ("/ui/console.js", "text/javascript"),
                             ("/ui/console.css", "text/css"), ("/ui/favicon.svg", "image/svg+xml"), ("/favicon.ico", "image/svg+xml")] {
            let response = try RawClient.request(port: server.port, "GET", path)
            #expect(response.status == 200, "\(path)")
            #expect(response.header("content-type")?.hasPrefix(type) == true, "\(path)")
            #expect(!response.body.isEmpty, "\(path)")
            let policy = response.header("content-security-policy") ?? ""
            #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "\(path): \(policy)")
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(response.header("x-content-type-options") == "nosniff")
            #expect(response.header("referrer-policy") == "no-referrer")
        }
        // Revalidation: the same file answers 304 with no body.
        let page = try RawClient.request(port: server.port, "GET", "/ui/")
        let etag = try #require(page.header("etag"))
        let again = try RawClient.request(port: server.port, "GET", "/ui/", headers: ["If-None-Match": etag])
        #expect(again.status == 304 && again.body.isEmpty)
        let head = try RawClient.request(port: server.port, "HEAD", "/ui/console.js")
        #expect(head.status == 200 && head.body.isEmpty)

        // The page is the only thing open: the API behind it still needs the key.
        #expect(try RawClient.request(port: server.port, "GET", "/entities").status == 401)
        #expect(try RawClient.request(port: server.port, "GET", "/ui/other.js").status == 401)
        #expect(try RawClient.request(port: server.port, "POST", "/ui/", body: "{}").status == 405)

        let browser = try RawClient.request(port: server.port, "GET", "/", headers: ["Accept": "text/html,application/xhtml+xml,*/*;q=0.8"])
        #expect(browser.status == 307 && browser.header("location") == "/ui/")
        let client = try RawClient.request(port: server.port, "GET", "/", headers: ["Accept": "*/*"])
        #expect(client.status == 307 && client.header("location") == "/docs")
    }

    @Test("in Chromium, with an API key: sign in, deep link, add, search, edit, history, delete, pagination, hostile text shown as text",
          .enabled(if: ready, note))
    func withKey() throws {
        try run(mode: "key", key: "admin-" + UUID().uuidString.lowercased())
    }

    @Test("in Chromium, on a keyless loopback server: no sign-in, the same flows", .enabled(if: ready, note))
    func keyless() throws {
        try run(mode: "keyless", key: nil)
    }

    private func run(mode: String, key: String?) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-console-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try EngramProcess.start(
            dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory,
            environment: key.map { ["ENGRAM_API_KEY": $0] } ?? [:])
        defer { server.kill(SIGTERM) }
        let output = Self.artifacts.appendingPathComponent(mode)
        try? FileManager.default.removeItem(at: output)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var arguments = [
            Mem0ClientTests.root.appendingPathComponent("Tests/Clients/console_check.py").path,
            "--base", "http://127.0.0.1:\(server.port)", "--artifacts", output.path,
        ]
        if let key { arguments += ["--key", key] }
        let result = try Mem0ClientTests.execute(Self.python, arguments, environment: ["PYTHONUNBUFFERED": "1"], timeout: 300)
        let log = (try? String(contentsOf: server.log, encoding: .utf8)) ?? ""
        #expect(
            result.status == 0,
            "console_check.py (\(mode)) exited \(result.status)\n--- stdout\n\(result.stdout)\n--- stderr\n\(result.stderr)\n--- server log (tail)\n\(log.suffix(4000))")
    }
}
