import EngramCore
import EngramHTTP
import EngramTestSupport
import Foundation
import Testing
@testable import EngramProviders

/// Streamed answers through libcurl's write callback against the fake server.
@Suite("HTTP client streaming")
struct HTTPClientStreamTests {
    private let path = "/v1/stream"

    private func request(_ fake: FakeProviderServer) -> HTTPClientRequest {
        .postJSON(url: "\(fake.baseURL)\(path)", body: Data("{}".utf8))
    }

    @Test("hands the body over in pieces as they arrive, before the answer is complete")
    func piecesAsTheyArrive() throws {
        try FakeProviderServer.run { fake in
            let events = (0..<4).map { ServerSentEvent(data: "piece \($0)") }
            fake.setFallback(.events(events, interval: .milliseconds(150)), on: path)
            let clock = ContinuousClock()
            let started = clock.now
            var arrivals: [Duration] = []
            var received: [UInt8] = []
            let response = try TestClients.client().stream(request(fake)) { bytes in
                arrivals.append(clock.now - started)
                received += bytes
                return true
            }
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            #expect(String(decoding: received, as: UTF8.self) == events.map { String(decoding: $0.bytes, as: UTF8.self) }.joined())
            // The first event came long before the last was sent (450 ms after it).
            #expect(arrivals.count >= 4)
            #expect(try #require(arrivals.first) < .milliseconds(300))
        }
    }

    @Test("retries a 5xx before any byte and returns a rejection's whole body")
    func retriesAndRejections() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.status(503), .events([ServerSentEvent(data: "ok")]), on: path)
            var received = 0
            let response = try TestClients.client().stream(request(fake)) { bytes in
                received += bytes.count
                return true
            }
            #expect(response.status == 200)
            #expect(received > 0)
            #expect(fake.requests(on: path).count == 2)

            fake.enqueue(.error(status: 400, message: "bad model"), on: path)
            let rejected = try TestClients.client().stream(request(fake)) { _ in
                Issue.record("a rejection's body must not be streamed")
                return true
            }
            #expect(rejected.status == 400)
            #expect(String(decoding: rejected.body, as: UTF8.self).contains("bad model"))
        }
    }

    @Test("aborts when the consumer refuses, and fails when the stream breaks off")
    func abortAndBreak() throws {
        try FakeProviderServer.run { fake in
            let events = (0..<50).map { ServerSentEvent(data: "piece \($0)") }
            fake.enqueue(.events(events, interval: .milliseconds(20)), on: path)
            var calls = 0
            #expect(throws: ProviderError.self) {
                try TestClients.client().stream(request(fake)) { _ in
                    calls += 1
                    return false
                }
            }
            #expect(calls == 1)

            fake.enqueue(.events([ServerSentEvent(data: "partial")], breaksOff: true), on: path)
            do {
                _ = try TestClients.client().stream(request(fake)) { _ in true }
                Issue.record("a broken-off stream must fail")
            } catch let error as ProviderError {
                #expect(error.code == .unavailable)
                #expect(error.message.contains("broke off"))
            }
            // Not retried: the first piece had already been handed over.
            #expect(fake.requests(on: path).count == 2)
        }
    }
}
