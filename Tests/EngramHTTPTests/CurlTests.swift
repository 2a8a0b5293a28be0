import Foundation
import Testing
@testable import EngramHTTP

/// The server as the real `curl` binary sees it.
@Suite("HTTP server with curl")
struct CurlTests {
    /// Runs curl with `arguments`, returning its exit status, stdout and stderr.
    private func curl(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "--silent", "--show-error", "--max-time", "10"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    @Test("reuses one keep-alive connection for several requests")
    func keepAliveReuse() throws {
        try withTestServer { server in
            let url = "http://127.0.0.1:\(server.port)/health"
            let result = try curl(["--verbose", url, url, url])
            #expect(result.status == 0)
            #expect(result.out == String(repeating: #"{"status":"ok"}"#, count: 3))
            #expect(result.err.components(separatedBy: "Re-using existing connection").count - 1 == 2)
            #expect(!result.err.contains("Closing connection"))
        }
    }

    @Test("uploads a chunked body")
    func chunkedUpload() throws {
        try withTestServer { server in
            let payload = String(repeating: "memory ", count: 20_000)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("engram-chunked-\(UUID()).txt")
            try payload.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try curl([
                "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(file.path)",
                "http://127.0.0.1:\(server.port)/echo",
            ])
            #expect(result.status == 0)
            #expect(result.out == payload)
        }
    }

    @Test("waits for 100 Continue before sending the body")
    func expectContinue() throws {
        try withTestServer { server in
            let result = try curl([
                "--verbose", "-H", "Expect: 100-continue", "--expect100-timeout", "5",
                "--data-binary", "hello", "http://127.0.0.1:\(server.port)/echo",
            ])
            #expect(result.status == 0)
            #expect(result.out == "hello")
            #expect(result.err.contains("HTTP/1.1 100 Continue"))
        }
    }

    @Test("HEAD returns GET's headers without a body")
    func head() throws {
        try withTestServer { server in
            let result = try curl(["--head", "http://127.0.0.1:\(server.port)/health"])
            #expect(result.status == 0)
            #expect(result.out.hasPrefix("HTTP/1.1 200 OK"))
            #expect(result.out.contains("Content-Length: 15"))
            #expect(!result.out.contains("status"))
        }
    }
}
