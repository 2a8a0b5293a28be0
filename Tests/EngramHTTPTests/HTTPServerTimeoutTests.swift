import Foundation
import Testing
@testable import EngramHTTP

/// Each timeout with short configured values: a slow or stalled client is dropped and never pins a worker.
@Suite("HTTP server timeouts")
struct HTTPServerTimeoutTests {
    /// One worker only: if any stalled client held it, the final health check would hang.
    private func short(_ configuration: inout HTTPServer.Configuration) {
        configuration.workerCount = 1
        configuration.headerTimeout = .milliseconds(400)
        configuration.bodyIdleTimeout = .milliseconds(400)
        configuration.keepAliveTimeout = .milliseconds(400)
        configuration.sendTimeout = .milliseconds(400)
        configuration.lingerTimeout = .milliseconds(400)
    }

    private func expectStillServing(_ server: HTTPServer) throws {
        let client = try RawClient(port: server.port)
        try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse(timeout: .seconds(2)).status == 200)
    }

    @Test("drops a connection that never sends a request")
    func silentConnection() throws {
        try withTestServer(configure: short) { server in
            let client = try RawClient(port: server.port)
            #expect(client.closesWithin(.seconds(3)))
            try expectStillServing(server)
        }
    }

    @Test("answers 408 and closes when the header section is not complete in time")
    func partialHead() throws {
        try withTestServer(configure: short) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n")
            let response = try client.readResponse(timeout: .seconds(3))
            #expect(response.status == 408)
            #expect(client.closesWithin(.seconds(3)))
            try expectStillServing(server)
        }
    }

    @Test("drops a slow-header client even while bytes keep trickling in")
    func slowloris() throws {
        try withTestServer(configure: short) { server in
            let client = try RawClient(port: server.port)
            let started = ContinuousClock.now
            var closed = false
            for byte in Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + String(repeating: "a", count: 100)) {
                do { try client.send([byte.asciiValue ?? 0x61]) } catch { closed = true; break }
                if client.closesWithin(.milliseconds(50)) { closed = true; break }
            }
            #expect(closed)
            #expect(ContinuousClock.now - started < .seconds(3))
            try expectStillServing(server)
        }
    }

    @Test("drops a body that stalls")
    func stalledBody() throws {
        try withTestServer(configure: short) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            #expect(try client.readResponse(timeout: .seconds(3)).status == 408)
            #expect(client.closesWithin(.seconds(3)))
            try expectStillServing(server)
        }
    }

    @Test("keeps a slowly arriving body alive while each pause is short")
    func slowButSteadyBody() throws {
        try withTestServer(configure: short) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n")
            for byte in "abcd".utf8 {
                Thread.sleep(forTimeInterval: 0.15)
                try client.send([byte])
            }
            #expect(try client.readResponse().text == "abcd")
        }
    }

    @Test("closes an idle keep-alive connection")
    func keepAliveIdle() throws {
        try withTestServer(configure: short) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(client.closesWithin(.seconds(3)))
        }
    }

    @Test("drops a client that does not read its response, and frees the worker")
    func slowReader() throws {
        try withTestServer(configure: short) { server in
            let client = try RawClient(port: server.port, receiveBuffer: 4096)
            try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            Thread.sleep(forTimeInterval: 1.2)
            try expectStillServing(server)
            #expect(server.connectionCount <= 1)
        }
    }
}
