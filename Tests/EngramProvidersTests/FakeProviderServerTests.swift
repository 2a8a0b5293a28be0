import EngramProviders
import EngramTestSupport
import Foundation
import Testing

/// The test double itself: scripting order, recording, and stopping.
@Suite("Fake provider server")
struct FakeProviderServerTests {
    private typealias Reply = FakeProviderServer.Reply

    private func status(_ client: HTTPClient, _ url: String) throws -> Int {
        try client.exchange(HTTPClientRequest(url: url)).status
    }

    @Test("answers from the queue, then the fallback, and 404 elsewhere")
    func scriptOrder() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.status(201), .status(202), on: "/a")
            fake.setFallback(.status(204), on: "/a")
            let client = TestClients.client(maxRetries: 0)
            let statuses = try ["/a", "/a", "/a", "/a", "/b"].map { try status(client, fake.baseURL + $0) }
            #expect(statuses == [201, 202, 204, 204, 404])
            fake.setDefault(.status(418))
            #expect(try status(client, fake.baseURL + "/b") == 418)
            #expect(fake.requests.map(\.path) == ["/a", "/a", "/a", "/a", "/b", "/b"])
        }
    }

    @Test("computes dynamic replies from the request and records it")
    func dynamicReplies() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.dynamic { request in .json(object: ["echo": request.json["say"] ?? NSNull()]) }, on: "/echo")
            let response = try TestClients.client().send(.postJSON(url: fake.baseURL + "/echo?x=1", body: Data(#"{"say":"hi"}"#.utf8)))
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"echo":"hi"}"#)
            let recorded = try #require(fake.requests.first)
            #expect(recorded.query == "x=1")
            #expect(recorded.queryValue("x") == "1")
            #expect(try recorded.decode([String: String].self) == ["say": "hi"])
        }
    }

    @Test("stops promptly while a delayed reply is pending")
    func stopCutsDelay() throws {
        let fake = try FakeProviderServer()
        fake.setFallback(Reply.status(200).delayed(by: .seconds(30)), on: "/slow")
        let url = fake.baseURL + "/slow"
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? TestClients.client(timeout: .seconds(20), maxRetries: 0).exchange(HTTPClientRequest(url: url))
            finished.signal()
        }
        while fake.requests.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
        let clock = ContinuousClock()
        let start = clock.now
        fake.stop()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(clock.now - start < .seconds(3))
        fake.stop()
    }
}
