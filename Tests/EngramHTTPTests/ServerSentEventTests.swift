import Testing
@testable import EngramHTTP

/// Server-sent events on the wire, without sockets.
@Suite("Server-sent events")
struct ServerSentEventTests {
    private func wire(_ event: ServerSentEvent) -> String { String(decoding: event.bytes, as: UTF8.self) }

    @Test("writes data lines and the blank line that ends the event")
    func plain() {
        #expect(wire(ServerSentEvent(data: #"{"a":1}"#)) == "data: {\"a\":1}\n\n")
        #expect(wire(ServerSentEvent(data: "")) == "data: \n\n")
    }

    @Test("splits data at every kind of line break, so none can end the event early")
    func lineBreaks() {
        #expect(wire(ServerSentEvent(data: "a\nb\r\nc\rd")) == "data: a\ndata: b\ndata: c\ndata: d\n\n")
    }

    @Test("names the event, with line breaks in the name replaced")
    func named() {
        #expect(wire(ServerSentEvent(event: "done", data: "x")) == "event: done\ndata: x\n\n")
        #expect(wire(ServerSentEvent(event: "a\nb", data: "x")) == "event: a b\ndata: x\n\n")
    }

    @Test("marks an event stream as such and uncacheable")
    func response() {
        let response = HTTPResponse.eventStream { _ in }
        #expect(response.headers["content-type"] == "text/event-stream")
        #expect(response.headers["cache-control"] == "no-cache")
        guard case .stream = response.body else {
            Issue.record("an event stream must be streamed")
            return
        }
    }
}
