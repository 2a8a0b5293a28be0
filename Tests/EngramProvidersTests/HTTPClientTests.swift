import EngramCore
import EngramTestSupport
import Foundation
import Synchronization
import Testing
@testable import EngramProviders

/// The libcurl client against a real HTTP server on 127.0.0.1: retries, status mapping, timeouts,
/// refused connections, connection reuse and limits.
@Suite("HTTP client")
struct HTTPClientTests {
    private let path = "/v1/thing"

    private func get(_ fake: FakeProviderServer, query: String = "") -> HTTPClientRequest {
        HTTPClientRequest(url: "\(fake.baseURL)\(path)\(query)")
    }

    @Test("sends the method, headers and body, and no Expect field")
    func requestShape() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.json(#"{"ok":true}"#), on: path)
            let body = Data(String(repeating: "x", count: 5000).utf8)
            let request = HTTPClientRequest.postJSON(url: "\(fake.baseURL)\(path)", headers: [("X-Custom", "yes")], body: body)
            let response = try TestClients.client().send(request)
            #expect(response.status == 200)
            #expect(response.body == Data(#"{"ok":true}"#.utf8))
            #expect(response.header("content-type") == "application/json")
            let received = try #require(fake.requests.first)
            #expect(received.method == "POST")
            #expect(received.body == body)
            #expect(received.header("X-Custom") == "yes")
            #expect(received.header("Content-Type") == "application/json")
            #expect(received.header("Expect") == nil)
        }
    }

    @Test("retries a 500 and returns the success that follows")
    func retriesServerError() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.status(500), .status(503), .json("{}"), on: path)
            let response = try TestClients.client().send(get(fake))
            #expect(response.status == 200)
            #expect(response.attempts == 3)
            #expect(fake.requests.count == 3)
        }
    }

    @Test("waits as long as Retry-After asks before retrying a 429")
    func honoursRetryAfter() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.rateLimited(retryAfter: "1"), .json("{}"), on: path)
            let clock = ContinuousClock()
            let start = clock.now
            let response = try TestClients.client().send(get(fake))
            let elapsed = clock.now - start
            #expect(response.status == 200)
            #expect(elapsed >= .milliseconds(950))
            #expect(elapsed < .seconds(3))
        }
    }

    @Test("reports rate limiting when every attempt gets 429")
    func rateLimitedForever() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.rateLimited(), on: path)
            let error = #expect(throws: ProviderError.self) { try TestClients.client(maxRetries: 2).send(get(fake)) }
            #expect(error?.code == .rateLimited)
            #expect(fake.requests.count == 3)
        }
    }

    @Test("gives up at once when Retry-After reaches past the deadline")
    func retryAfterPastDeadline() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.rateLimited(retryAfter: "10"), on: path)
            let clock = ContinuousClock()
            let start = clock.now
            let error = #expect(throws: ProviderError.self) { try TestClients.client(timeout: .seconds(2)).send(get(fake)) }
            #expect(error?.code == .rateLimited)
            #expect(clock.now - start < .seconds(1))
            #expect(fake.requests.count == 1)
        }
    }

    @Test("maps 401 and 403 to an auth failure without retrying", arguments: [401, 403])
    func authFailure(status: Int) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.error(status: status, message: "Incorrect API key provided"), on: path)
            let error = #expect(throws: ProviderError.self) { try TestClients.client().send(get(fake)) }
            #expect(error?.code == .authFailed)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("maps another 4xx to a bad request naming host and status, not the body")
    func badRequest() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.error(status: 400, message: "echo of the prompt: my-private-text"), on: path)
            let error = #expect(throws: ProviderError.self) { try TestClients.client().send(get(fake)) }
            #expect(error?.code == .badRequest)
            #expect(error?.message.contains("127.0.0.1:\(fake.port)") == true)
            #expect(error?.message.contains("400") == true)
            #expect(error?.message.contains("my-private-text") == false)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("maps 5xx after the retries to unavailable")
    func serverErrorForever() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.status(502), on: path)
            let error = #expect(throws: ProviderError.self) { try TestClients.client(maxRetries: 1).send(get(fake)) }
            #expect(error?.code == .unavailable)
            #expect(fake.requests.count == 2)
        }
    }

    @Test("times out when the answer takes longer than the timeout")
    func timeout() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(Reply.json("{}").delayed(by: .seconds(5)), on: path)
            let clock = ContinuousClock()
            let start = clock.now
            let error = #expect(throws: ProviderError.self) { try TestClients.client(timeout: .milliseconds(500)).send(get(fake)) }
            #expect(error?.code == .timeout)
            #expect(clock.now - start < .seconds(2))
        }
    }

    @Test("reports a refused connection as unavailable, after retrying it")
    func refused() throws {
        try FakeProviderServer.withRefusedPort { port in
            let logs = LogCapture()
            let client = TestClients.client(maxRetries: 1, logger: logs.logger)
            let error = #expect(throws: ProviderError.self) { try client.send(HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/x")) }
            #expect(error?.code == .unavailable)
            #expect(error?.message == "Could not connect to 127.0.0.1:\(port)")
            #expect(logs.all.contains { $0.contains("attempt=2") })
        }
    }

    @Test("reuses one kept-alive connection for sequential requests")
    func connectionReuse() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.json("{}"), on: path)
            let client = TestClients.client()
            let opened = try (0..<4).map { _ in try client.send(get(fake)).newConnections }
            #expect(opened == [1, 0, 0, 0])
            #expect(fake.requests.map(\.openConnections) == [1, 1, 1, 1])
        }
    }

    @Test("serves many threads at once, each on a handle of its own")
    func concurrentCalls() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.json("{}"), on: path)
            let client = TestClients.client()
            let request = get(fake)
            let failures = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                for _ in 0..<5 where (try? client.send(request))?.status != 200 {
                    failures.withLock { $0 += 1 }
                }
            }
            #expect(failures.withLock { $0 } == 0)
            #expect(fake.requests.count == 40)
        }
    }

    @Test("refuses a response larger than the limit")
    func responseLimit() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.status(200, body: String(repeating: "a", count: 4000)), on: path)
            let error = #expect(throws: ProviderError.self) { try TestClients.client(maxResponseBytes: 1000).send(get(fake)) }
            #expect(error?.code == .unavailable)
            let small = try TestClients.client(maxResponseBytes: 4000).send(get(fake))
            #expect(small.body.count == 4000)
        }
    }

    @Test("refuses a header value holding a line break, sending nothing")
    func headerInjection() throws {
        try FakeProviderServer.run { fake in
            let request = HTTPClientRequest(url: "\(fake.baseURL)\(path)", headers: [("Authorization", "Bearer key\r\nX-Evil: 1")])
            let error = #expect(throws: ProviderError.self) { try TestClients.client().send(request) }
            #expect(error?.code == .badRequest)
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("logs method, host, path, status and attempt, never keys, bodies or queries")
    func logsWithoutSecrets() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.status(500), .json(#"{"answer":"RESPONSE-SECRET"}"#), .error(status: 401, message: "bad key"), on: path)
            let logs = LogCapture()
            let client = TestClients.client(maxRetries: 1, logger: logs.logger)
            let request = HTTPClientRequest.postJSON(
                url: "\(fake.baseURL)\(path)?key=QUERY-SECRET", headers: [("Authorization", "Bearer sk-KEY-SECRET")],
                body: Data(#"{"prompt":"BODY-SECRET"}"#.utf8))
            _ = try client.send(request)
            _ = try? client.send(request)
            let text = logs.text
            #expect(text.contains("method=POST"))
            #expect(text.contains("host=127.0.0.1:\(fake.port)"))
            #expect(text.contains("path=\(path)"))
            #expect(text.contains("status=500"))
            #expect(text.contains("status=401"))
            #expect(text.contains("attempt=2"))
            #expect(text.contains("elapsed_ms="))
            for secret in ["KEY-SECRET", "BODY-SECRET", "RESPONSE-SECRET", "QUERY-SECRET", "bad key"] {
                #expect(!text.contains(secret), "log output contains \(secret)")
            }
        }
    }
}

private typealias Reply = FakeProviderServer.Reply
