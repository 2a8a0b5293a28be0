import EngramAPI
import EngramHTTP
import Foundation
import Logging
import Testing

/// `GET /health` over real HTTP, through the same router `engram serve` uses.
@Suite("Health route")
struct HealthRoutesTests {
    @Test("GET /health answers {\"status\":\"ok\"} with a request id")
    func health() throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.accessLog = false
        let logger = Logger(label: "test")
        let server = try HTTPServer(configuration: configuration, responder: APIRoutes.router(logger: logger), logger: logger)
        server.start()
        defer {
            server.shutdown()
            server.waitUntilStopped()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "--silent", "--include", "--max-time", "5", "http://127.0.0.1:\(server.port)/health/"]
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
