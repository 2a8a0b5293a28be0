import Testing
@testable import EngramProviders

/// The event-stream decoder over byte strings, without sockets.
@Suite("Event stream decoder")
struct EventStreamDecoderTests {
    private typealias Event = EventStreamDecoder.Event

    private func decode(_ pieces: [String]) -> [Event] {
        var decoder = EventStreamDecoder()
        return pieces.flatMap { decoder.feed(Array($0.utf8)) }
    }

    @Test("dispatches an event at each blank line, with its name and data")
    func events() {
        #expect(decode(["event: start\ndata: {\"a\":1}\n\ndata: two\n\n"]) == [
            Event(name: "start", data: #"{"a":1}"#), Event(name: nil, data: "two"),
        ])
    }

    @Test("reads events split anywhere across pieces, one byte at a time included")
    func splitPieces() {
        let whole = "event: x\r\ndata: hello\r\ndata: world\r\n\r\n"
        #expect(decode(whole.map { String($0) }) == [Event(name: "x", data: "hello\nworld")])
        #expect(decode(["data: he", "llo\r", "\n\r", "\n"]) == [Event(name: nil, data: "hello")])
    }

    @Test("takes CR, LF and CRLF as line ends")
    func lineEnds() {
        #expect(decode(["data: a\r\rdata: b\n\ndata: c\r\n\r\n"]) == [
            Event(name: nil, data: "a"), Event(name: nil, data: "b"), Event(name: nil, data: "c"),
        ])
    }

    @Test("skips comments and unknown fields, and dispatches nothing without data")
    func commentsAndEmptyEvents() {
        #expect(decode([": keep-alive\n\nid: 7\nretry: 10\n\nevent: ping\n\ndata:no-space\n\n"]) == [
            Event(name: nil, data: "no-space"),
        ])
    }

    @Test("keeps an unfinished event until its blank line arrives")
    func unfinishedEvent() {
        var decoder = EventStreamDecoder()
        #expect(decoder.feed(Array("data: [DONE]\n".utf8)).isEmpty)
        #expect(decoder.feed(Array("\n".utf8)) == [Event(name: nil, data: "[DONE]")])
    }

    @Test("stops at an event larger than the limit")
    func oversizedEvent() {
        var decoder = EventStreamDecoder()
        _ = decoder.feed([UInt8](repeating: 0x61, count: EventStreamDecoder.maxEventBytes + 1))
        #expect(decoder.overflowed)
    }
}
