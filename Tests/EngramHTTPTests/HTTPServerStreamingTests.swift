import Dispatch
import EngramTestSupport
import Foundation
import Glibc
import Logging
import Synchronization
import Testing
@testable import EngramHTTP

/// Streamed responses over real sockets: chunked and close-delimited framing, HEAD, pipelining,
/// back-pressure from slow and vanished readers, refusals before the first byte, and shutdown mid-stream.
@Suite("HTTP server streaming")
struct HTTPServerStreamingTests {
    /// What the streaming routes' producers report back to a test.
    final class Probe: Sendable {
        /// Signalled by a gated producer's test to let the second chunk go.
        let gate = DispatchSemaphore(value: 0)
        /// Signalled when a producer returns or throws, with how it ended in `ending`.
        let ended = DispatchSemaphore(value: 0)
        let ending = Mutex<String?>(nil)
        let producerRuns = Atomic<Int>(0)

        func end(_ how: String) {
            ending.withLock { $0 = how }
            ended.signal()
        }
    }

    private func router(_ probe: Probe) -> Router {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var router = Router(logger: logger)
        router.add(.get, "/health") { _ in .json(["status": "ok"]) }
        router.add(.get, "/count") { request in
            let count = Int(request.queryValue("n") ?? "3") ?? 3
            return HTTPResponse(headers: ["Content-Type": "text/plain"], stream: HTTPBodyStream { writer in
                probe.producerRuns.add(1, ordering: .relaxed)
                for index in 0..<count { try writer.write(Array("line \(index)\n".utf8)) }
            })
        }
        router.add(.get, "/gated") { _ in
            HTTPResponse(stream: HTTPBodyStream { writer in
                try writer.write(Array("first".utf8))
                probe.gate.wait()
                try writer.write(Array("second".utf8))
            })
        }
        router.add(.get, "/endless") { _ in
            HTTPResponse(stream: HTTPBodyStream { writer in
                let block = [UInt8](repeating: 0x61, count: 16 * 1024)
                do {
                    while true {
                        try writer.write(block)
                        Thread.sleep(forTimeInterval: 0.005)
                    }
                } catch let error as HTTPBodyStreamClosed {
                    probe.end("\(error.reason)")
                    throw error
                }
            })
        }
        router.add(.get, "/refused") { _ in
            HTTPResponse(stream: HTTPBodyStream { _ in throw HTTPError(.tooManyRequests, "Slow down") })
        }
        router.add(.get, "/broken") { _ in
            HTTPResponse(stream: HTTPBodyStream { writer in
                try writer.write(Array("partial".utf8))
                throw HTTPError(.badGateway, "Upstream broke")
            })
        }
        router.add(.get, "/events") { _ in
            .eventStream { writer in
                try writer.write(ServerSentEvent(data: "one").bytes)
                try writer.write(ServerSentEvent(event: "done", data: "two\nlines").bytes)
            }
        }
        return router
    }

    @Test("sends a streamed body as chunks while it is produced, not after")
    func chunkedWhileProduced() throws {
        let probe = Probe()
        try withTestServer(responder: router(probe)) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readHead()
            #expect(head.status == 200)
            #expect(head.header("transfer-encoding") == "chunked")
            #expect(head.header("content-length") == nil)
            // The producer is blocked on the gate: the first chunk must already be here.
            #expect(try client.readChunk() == Array("first".utf8))
            probe.gate.signal()
            #expect(try client.readChunk() == Array("second".utf8))
            #expect(try client.readChunk() == nil)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test("sends HTTP/1.0 clients a close-delimited body, then closes")
    func closeDelimitedForHTTP10() throws {
        try withTestServer(responder: router(Probe())) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /count?n=3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("transfer-encoding") == nil)
            #expect(response.header("content-length") == nil)
            #expect(response.header("connection") == "close")
            #expect(response.text == "line 0\nline 1\nline 2\n")
        }
    }

    @Test("answers HEAD with the stream's fields and no body, without running the producer")
    func headHasNoBody() throws {
        let probe = Probe()
        try withTestServer(responder: router(probe)) { server in
            let client = try RawClient(port: server.port)
            try client.send("HEAD /count HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readResponse(head: true)
            #expect(head.status == 200)
            #expect(head.header("content-type") == "text/plain")
            // A body would be read here instead of the next status line.
            #expect(try client.readResponse().text == #"{"status":"ok"}"#)
            #expect(probe.producerRuns.load(ordering: .relaxed) == 0)
        }
    }

    @Test("answers pipelined requests after a streamed response, in order")
    func pipeliningAfterStream() throws {
        try withTestServer(responder: router(Probe())) { server in
            let client = try RawClient(port: server.port)
            try client.send(
                "GET /count?n=2 HTTP/1.1\r\nHost: x\r\n\r\nGET /events HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /count?n=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "line 0\nline 1\n")
            let events = try client.readResponse()
            #expect(events.header("content-type") == "text/event-stream")
            #expect(events.header("cache-control") == "no-cache")
            #expect(events.text == "data: one\n\nevent: done\ndata: two\ndata: lines\n\n")
            #expect(try client.readResponse().text == "line 0\n")
            #expect(try client.readResponse().text == #"{"status":"ok"}"#)
        }
    }

    @Test("serves a stream to a client that sends its request one byte at a time")
    func byteAtATimeClient() throws {
        try withTestServer(responder: router(Probe())) { server in
            let client = try RawClient(port: server.port)
            for byte in Array("GET /count?n=4 HTTP/1.1\r\nHost: x\r\n\r\n".utf8) {
                try client.send([byte])
                Thread.sleep(forTimeInterval: 0.001)
            }
            #expect(try client.readResponse().text == "line 0\nline 1\nline 2\nline 3\n")
        }
    }

    @Test("answers the error a producer throws before its first byte, and keeps the connection")
    func refusalBeforeFirstByte() throws {
        try withTestServer(responder: router(Probe())) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /refused HTTP/1.1\r\nHost: x\r\n\r\n")
            let refused = try client.readResponse()
            #expect(refused.status == 429)
            #expect(refused.header("content-length") == String(refused.body.count))
            #expect(refused.text == #"{"detail":"Slow down"}"#)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test("ends the connection without the last chunk when a producer fails mid-stream")
    func failureMidStream() throws {
        try withTestServer(responder: router(Probe())) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /broken HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readHead().status == 200)
            #expect(try client.readChunk() == Array("partial".utf8))
            #expect(throws: RawClient.ClientError.self) { try client.readChunk() }
        }
    }

    /// One worker only: if a stalled stream held it, the health check would hang.
    private func oneWorker(_ configuration: inout HTTPServer.Configuration) {
        configuration.workerCount = 1
        configuration.sendTimeout = .milliseconds(400)
    }

    @Test("drops a client that stops reading a stream within the send timeout and frees the worker")
    func slowReader() throws {
        let probe = Probe()
        try withTestServer(configure: oneWorker, responder: router(probe)) { server in
            let client = try RawClient(port: server.port, receiveBuffer: 4096)
            try client.send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(probe.ended.wait(timeout: .now() + 5) == .success)
            #expect(probe.ending.withLock { $0 } == "clientGone")
            let health = try RawClient(port: server.port)
            try health.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try health.readResponse(timeout: .seconds(2)).status == 200)
        }
    }

    @Test("stops producing when the client disconnects mid-stream")
    func clientDisconnects() throws {
        let probe = Probe()
        try withTestServer(configure: oneWorker, responder: router(probe)) { server in
            var client: RawClient? = try RawClient(port: server.port)
            try client?.send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client?.readHead()
            _ = try client?.readChunk()
            client = nil
            #expect(probe.ended.wait(timeout: .now() + 5) == .success)
            #expect(probe.ending.withLock { $0 } == "clientGone")
            let health = try RawClient(port: server.port)
            try health.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try health.readResponse(timeout: .seconds(2)).status == 200)
        }
    }

    @Test("on shutdown, lets a stream run for the grace period, then cuts it and stops")
    func shutdownMidStream() throws {
        let probe = Probe()
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.workerCount = 2
        configuration.accessLog = false
        configuration.shutdownGracePeriod = .milliseconds(500)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = try HTTPServer(configuration: configuration, responder: router(probe), logger: logger)
        server.start()
        let client = try RawClient(port: server.port)
        try client.send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readHead()
        _ = try client.readChunk()
        let started = ContinuousClock.now
        server.shutdown()
        // The client keeps reading: the stream goes on until the grace period is over.
        var received = 0
        var cut = false
        while !cut {
            do {
                guard let chunk = try client.readChunk(timeout: .seconds(3)) else { break }
                received += chunk.count
            } catch {
                cut = true
            }
        }
        server.waitUntilStopped()
        let elapsed = ContinuousClock.now - started
        #expect(cut, "the stream ended with a last chunk instead of being cut")
        #expect(received > 0)
        #expect(elapsed >= .milliseconds(400) && elapsed < .seconds(3))
        #expect(probe.ending.withLock { $0 } == "serverStopping")
    }
}
