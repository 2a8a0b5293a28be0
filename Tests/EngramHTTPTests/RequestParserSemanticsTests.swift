import Testing
@testable import EngramHTTP

/// What the parser hands over: bodies, framing, persistence, pipelining and limits enforced early.
@Suite("Request parser semantics")
struct RequestParserSemanticsTests {
    private func parsed(_ text: String) throws -> HTTPRequest {
        let whole = ParserHarness.whole(text)
        let fragmented = ParserHarness.byteAtATime(Array(text.utf8))
        #expect(whole.outcome == fragmented.outcome)
        return try #require(whole.request)
    }

    @Test("splits the target into path and query")
    func splitsTarget() throws {
        let request = try parsed("GET /memories/a%20b/?user_id=alice&x=1+2 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(request.method == .get)
        #expect(request.path == "/memories/a%20b/")
        #expect(request.query == "user_id=alice&x=1+2")
        #expect(request.queryValue("user_id") == "alice")
        #expect(request.queryValue("x") == "1 2")
    }

    @Test("reads the path of an absolute-form target")
    func absoluteForm() throws {
        let request = try parsed("GET HTTP://example.com:8080/health?a=b HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
        #expect(request.path == "/health")
        #expect(request.query == "a=b")
        #expect(try parsed("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").path == "/")
    }

    @Test("looks up fields with ASCII case folding and trims only SP and HTAB")
    func fields() throws {
        let request = try parsed("GET / HTTP/1.1\r\nHost: a\r\nX-Thing: \t one two \t\r\nx-thing: three\r\n\r\n")
        #expect(request.headers["x-THING"] == "one two")
        #expect(request.headers.values(for: "X-Thing") == ["one two", "three"])
    }

    @Test("returns the Content-Length body")
    func fixedBody() throws {
        let request = try parsed("POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(request.body == Array("hello world".utf8))
        #expect(request.head.framing == .length(11))
    }

    @Test("de-chunks a chunked body and drops extensions and trailers")
    func chunkedBody() throws {
        let request = try parsed(
            "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
        #expect(request.body == Array("hello world".utf8))
        #expect(request.headers["x-trailer"] == nil)
    }

    @Test("decides persistence per RFC 9112 §9.3")
    func persistence() throws {
        #expect(try parsed("GET / HTTP/1.1\r\nHost: a\r\n\r\n").head.keepAlive)
        #expect(try !parsed("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").head.keepAlive)
        #expect(try !parsed("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n").head.keepAlive)
        #expect(try !parsed("GET / HTTP/1.0\r\n\r\n").head.keepAlive)
        #expect(try parsed("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head.keepAlive)
    }

    @Test("flags Expect: 100-continue on HTTP/1.1 only")
    func expectContinue() throws {
        #expect(try parsed("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx").head.expectsContinue)
        #expect(try !parsed("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx").head.expectsContinue)
    }

    @Test("exposes the head while the body is awaited, for 100-continue")
    func pendingHead() {
        var parser = RequestParser()
        let head = Array("POST /m HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n".utf8)
        guard case .needMore = parser.parse(head) else {
            Issue.record("expected needMore")
            return
        }
        #expect(parser.pendingHead?.expectsContinue == true)
        #expect(parser.pendingHead?.path == "/m")
        guard case .complete(let request, let consumed) = parser.parse(head + Array("body".utf8)) else {
            Issue.record("expected complete")
            return
        }
        #expect(request.body == Array("body".utf8))
        #expect(consumed == head.count + 4)
        #expect(parser.pendingHead == nil)
        #expect(parser.isAtRequestStart)
    }

    @Test("leaves pipelined bytes for the next request, even after Content-Length: 0")
    func pipelining() {
        let first = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
        let second = "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"
        var buffer = Array((first + second).utf8)
        var parser = RequestParser()
        var paths: [String] = []
        while case .complete(let request, let consumed) = parser.parse(buffer) {
            paths.append(request.path)
            buffer.removeFirst(consumed)
            if buffer.isEmpty { break }
        }
        #expect(paths == ["/a", "/b"])
        #expect(buffer.isEmpty)
    }

    @Test("waits for more bytes on an incomplete request")
    func incomplete() {
        for text in ["GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel",
                     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"] {
            #expect(ParserHarness.whole(text).outcome == .needMore, "\(text.debugDescription)")
        }
    }

    @Test("refuses an over-long line before its end arrives")
    func limitsApplyBeforeLineEnd() {
        let requestLine = Array(("GET /" + String(repeating: "a", count: 9000)).utf8)
        #expect(ParserHarness.byteAtATime(requestLine).outcome == .error(414))
        let header = Array(("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 9000)).utf8)
        #expect(ParserHarness.byteAtATime(header).outcome == .error(431))
    }

    @Test("refuses an oversized body from Content-Length alone, before any body byte")
    func bodyLimitBeforeBody() {
        var limits = ParserLimits()
        limits.maxBodySize = 10
        let head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"
        #expect(ParserHarness.whole(head, limits: limits).outcome == .error(413))
        #expect(ParserHarness.whole("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits).outcome
            == .complete(consumed: 58))
    }

    @Test("counts a chunked body against the limit as it arrives")
    func chunkedLimit() {
        var limits = ParserLimits()
        limits.maxBodySize = 10
        let base = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(ParserHarness.whole(base + "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", limits: limits).request?.body.count == 10)
        #expect(ParserHarness.byteAtATime(Array((base + "5\r\nhello\r\n6\r\n").utf8), limits: limits).outcome == .error(413))
    }

    @Test("applies configured header limits to trailers too")
    func trailerLimits() {
        var limits = ParserLimits()
        limits.maxHeaderCount = 3
        let base = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        #expect(ParserHarness.whole(base + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits).outcome != .error(431))
        #expect(ParserHarness.byteAtATime(Array((base + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n").utf8), limits: limits).outcome == .error(431))
    }
}
