import Foundation
import EngramTestSupport
import Testing
@testable import EngramHTTP

/// Connection handling at scale and at shutdown.
@Suite("HTTP server connections")
struct HTTPServerConnectionTests {
    @Test("holds 1,000 idle keep-alive connections with 2 workers and serves each")
    func thousandIdleConnections() throws {
        let available = raiseDescriptorLimit()
        try #require(available >= 2_200, "needs 2,200 descriptors, has \(available)")
        // Timeouts far beyond the test's length: on a loaded machine opening 1,000 connections one by
        // one may take long, and no connection may be closed for idling meanwhile.
        try withTestServer(configure: {
            $0.workerCount = 2
            $0.keepAliveTimeout = .seconds(600)
            $0.headerTimeout = .seconds(600)
        }) { server in
            var clients: [RawClient] = []
            for _ in 0..<1_000 {
                let client = try RawClient(port: server.port)
                try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readResponse().status == 200)
                clients.append(client)
            }
            #expect(server.connectionCount == 1_000)
            // Every connection is still usable after all the others went idle.
            for client in clients {
                try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            }
            var ok = 0
            for client in clients where try client.readResponse().status == 200 { ok += 1 }
            #expect(ok == 1_000)
        }
    }

    @Test("on shutdown, finishes in-flight requests, closes idle connections and refuses new ones")
    func gracefulShutdown() throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.workerCount = 2
        configuration.accessLog = false
        let server = try HTTPServer(configuration: configuration, responder: TestRoutes.router(), logger: .init(label: "test"))
        server.start()
        let idle = try RawClient(port: server.port)
        try idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try idle.readResponse()
        let busy = try RawClient(port: server.port)
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)

        server.shutdown()
        let response = try busy.readResponse()
        #expect(response.text == "slow")
        #expect(response.header("connection") == "close")
        #expect(idle.closesWithin(.seconds(2)))
        server.waitUntilStopped()
        #expect(throws: (any Error).self) { try RawClient(port: server.port) }
    }

    @Test("stops within the grace period when a client stalls mid-request")
    func shutdownGracePeriod() throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.accessLog = false
        configuration.shutdownGracePeriod = .milliseconds(300)
        let server = try HTTPServer(configuration: configuration, responder: TestRoutes.router(), logger: .init(label: "test"))
        server.start()
        let stalled = try RawClient(port: server.port)
        try stalled.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
        Thread.sleep(forTimeInterval: 0.1)
        let started = ContinuousClock.now
        server.shutdown()
        server.waitUntilStopped()
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(stalled.closesWithin(.seconds(1)))
    }
}
