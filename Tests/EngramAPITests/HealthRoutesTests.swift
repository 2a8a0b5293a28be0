import Foundation
import Testing

/// `GET /health` with the real curl binary, through the responder `engram serve` uses.
@Suite("Health route")
struct HealthRoutesTests {
    @Test("GET /health answers {\"status\":\"ok\"} with a request id")
    func health() throws {
        try APIHarness.run { api in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["curl", "--silent", "--include", "--max-time", "5", "http://127.0.0.1:\(api.port)/health/"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(text.contains("Content-Type: application/json\r\n"))
            #expect(text.contains("X-Request-ID: "))
            #expect(text.hasSuffix("\r\n\r\n{\"status\":\"ok\"}"))
        }
    }
}
