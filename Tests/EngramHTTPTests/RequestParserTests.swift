import Testing
@testable import EngramHTTP

/// Every row of the HTTP/1.1 checklist (reference/swift-server-notes.md §6), each input fed whole and
/// one byte at a time.
@Suite("Request parser")
struct RequestParserTests {
    static let accepted: [ParserCase] = [
        ParserCase("simple GET", "GET /health HTTP/1.1\r\nHost: a\r\n\r\n"),
        ParserCase("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n"),
        ParserCase("empty Host value is valid", "GET / HTTP/1.1\r\nHost:\r\n\r\n"),
        ParserCase("Host with port and IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"),
        ParserCase("POST with Content-Length body", "POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"),
        ParserCase("identical duplicate Content-Length lines", "POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi"),
        ParserCase("identical Content-Length list", "POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\nhi"),
        ParserCase("leading zeros in Content-Length", "POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 002\r\n\r\nhi"),
        ParserCase("chunked body", "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        ParserCase("chunked is case-insensitive", "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n"),
        ParserCase("chunk extension ignored", "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n"),
        ParserCase("whitespace before chunk extension", "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ;x\r\nhello\r\n0\r\n\r\n"),
        ParserCase("uppercase hex chunk size", "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n"),
        ParserCase("trailers parsed and dropped", "POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nChecksum: abc\r\n\r\n"),
        ParserCase("one empty line before request line", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ParserCase("absolute-form target", "GET http://example.com/health?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        ParserCase("asterisk-form for OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
        ParserCase("obs-text in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u{e9}\r\n\r\n"),
        ParserCase("tab around value", "GET / HTTP/1.1\r\nHost: a\r\nX-A:\tb\t\r\n\r\n"),
        ParserCase("Expect 100-continue", "POST /m HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx"),
        ParserCase("HTTP/1.0 ignores unknown Expect", "POST /m HTTP/1.0\r\nExpect: fancy\r\nContent-Length: 1\r\n\r\nx"),
    ]

    static let rejected: [ParserCase] = [
        // §6.1 #1, #2: bytes, CRLF only.
        ParserCase("bare CR in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
        ParserCase("bare CR in a header value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400),
        ParserCase("bare LF line ending", "GET / HTTP/1.1\nHost: a\n\n", 400),
        ParserCase("bare LF after headers", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400),
        ParserCase("header block ended by CR then other byte", "GET / HTTP/1.1\r\nHost: a\r\n\rX", 400),
        // #3: whitespace between start line and first header.
        ParserCase("space before first header", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
        // #4, #7: malformed request lines.
        ParserCase("two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("space inside target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("missing version", "GET /\r\nHost: a\r\n\r\n", 400),
        ParserCase("fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("control byte in target", "GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("non-ASCII in target", "GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("relative target", "GET health HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("asterisk target for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("NUL in method", "G\u{0}T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("separator in method", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("too many empty lines first", String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        // Versions: §2.3 grammar, RFC 9110 §15.6.6.
        ParserCase("HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ParserCase("HTTP/3.0 request line", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
        ParserCase("HTTP/1.2 is not served", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        ParserCase("version with two minor digits", "GET / HTTP/1.32\r\nHost: a\r\n\r\n", 400),
        ParserCase("version without minor", "GET / HTTP/1.\r\nHost: a\r\n\r\n", 400),
        ParserCase("version HTTP/2", "GET / HTTP/2\r\nHost: a\r\n\r\n", 400),
        ParserCase("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ParserCase("version with trailing garbage", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400),
        // #5: methods.
        ParserCase("unknown method", "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
        ParserCase("lowercase method is another method", "get / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
        ParserCase("CONNECT is not implemented", "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 501),
        // #6: Host.
        ParserCase("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400),
        ParserCase("two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ParserCase("two Host lines in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400),
        ParserCase("invalid Host value", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ParserCase("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400),
        // #8: field names.
        ParserCase("space before colon", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 0\r\n\r\n", 400),
        ParserCase("tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400),
        ParserCase("empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400),
        ParserCase("field line without colon", "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400),
        ParserCase("non-ASCII field name (long s)", "POST / HTTP/1.1\r\nHost: a\r\nTran\u{17F}fer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        // #9: obs-fold.
        ParserCase("obs-fold continuation", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400),
        ParserCase("obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400),
        // #10, #11: TE with CL, TE in 1.0.
        ParserCase("Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ParserCase("Transfer-Encoding then Content-Length, mixed case", "POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: CHUNKED\r\ncontent-length: 3\r\n\r\n0\r\n\r\n", 400),
        ParserCase("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        // #12: transfer codings.
        ParserCase("unknown transfer coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ParserCase("gzip then chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
        ParserCase("chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
        ParserCase("chunked twice in a list", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
        ParserCase("chunked on two lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ParserCase("empty list element before chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n", 400),
        ParserCase("chunkedchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunkedchunked\r\n\r\n0\r\n\r\n", 501),
        ParserCase("Kelvin sign in chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun\u{212A}ed\r\n\r\n0\r\n\r\n", 400),
        ParserCase("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400),
        // #13: Content-Length.
        ParserCase("plus sign in Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +2\r\n\r\nhi", 400),
        ParserCase("negative Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ParserCase("hex Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x2\r\n\r\nhi", 400),
        ParserCase("space inside Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\nhi", 400),
        ParserCase("underscore in Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1_2\r\n\r\nhi", 400),
        ParserCase("empty Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400),
        ParserCase("differing Content-Length lines", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nhi", 400),
        ParserCase("differing Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\nhi", 400),
        ParserCase("overflowing Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        // #16: chunk sizes.
        ParserCase("plus sign in chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n+1\r\nx\r\n0\r\n\r\n", 400),
        ParserCase("minus zero chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-0\r\n\r\n", 400),
        ParserCase("0x prefix in chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\nx\r\n0\r\n\r\n", 400),
        ParserCase("space before chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n 1\r\nx\r\n0\r\n\r\n", 400),
        ParserCase("space after chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n", 400),
        ParserCase("empty chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\nx\r\n0\r\n\r\n", 400),
        ParserCase("17 hex digits", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n0\r\n\r\n", 400),
        ParserCase("chunk data longer than its size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n", 400),
        ParserCase("chunk data ended by bare LF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\n0\r\n\r\n", 400),
        ParserCase("chunk size line ended by bare LF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n", 400),
        // #17: chunk extensions.
        ParserCase("control byte in chunk extension", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a\u{1}b\r\nx\r\n0\r\n\r\n", 400),
        ParserCase("bare CR in chunk extension", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a\rb\r\nx\r\n0\r\n\r\n", 400),
        ParserCase("chunk extension over the cap", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 4100) + "\r\nx\r\n0\r\n\r\n", 400),
        // #18: trailers follow the header rules.
        ParserCase("malformed trailer", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", 400),
        ParserCase("obs-fold in trailer", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n c\r\n\r\n", 400),
        // RFC 9110 §5.5: NUL, CR, LF and controls in values.
        ParserCase("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", 400),
        ParserCase("DEL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}b\r\n\r\n", 400),
        ParserCase("escape in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1B}b\r\n\r\n", 400),
        // RFC 9110 §10.1.1: unknown expectation.
        ParserCase("unknown expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: fancy\r\nContent-Length: 1\r\n\r\nx", 417),
        // Limits (defaults).
        ParserCase("request line over 8 KiB", "GET /" + String(repeating: "a", count: 8 * 1024) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        ParserCase("header line over 8 KiB", "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 8 * 1024) + "\r\n\r\n", 431),
        ParserCase("more than 100 fields", "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-A: b\r\n", count: 100) + "\r\n", 431),
        ParserCase("header section over 64 KiB", "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-A: " + String(repeating: "b", count: 8000) + "\r\n", count: 9) + "\r\n", 431),
        ParserCase("Content-Length over the body limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8388609\r\n\r\n", 413),
        ParserCase("chunk over the body limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n800001\r\n", 413),
        ParserCase("16 hex digit chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", 413),
    ]

    @Test("accepts a valid request", arguments: accepted)
    func acceptsValidRequest(_ testCase: ParserCase) {
        let whole = ParserHarness.whole(testCase.bytes)
        let fragmented = ParserHarness.byteAtATime(testCase.bytes)
        #expect(whole.outcome == .complete(consumed: testCase.bytes.count))
        #expect(fragmented.outcome == .complete(consumed: testCase.bytes.count))
        #expect(whole.request?.body == fragmented.request?.body)
    }

    @Test("rejects an invalid request with the right status", arguments: rejected)
    func rejectsInvalidRequest(_ testCase: ParserCase) throws {
        let status = try #require(testCase.expectedStatus)
        #expect(ParserHarness.whole(testCase.bytes).outcome == .error(status))
        #expect(ParserHarness.byteAtATime(testCase.bytes).outcome == .error(status))
    }
}
