/// Turns a response into bytes for the wire, adding the fields the server owns.
enum ResponseSerializer {
    /// How the end of a response body is marked (RFC 9112 §6.3).
    enum Framing: Equatable {
        /// `Content-Length` of a complete body.
        case length(Int)
        /// `Transfer-Encoding: chunked`, for a streamed body to an HTTP/1.1 client.
        case chunked
        /// Neither field: the body ends when the connection closes (a streamed body to an HTTP/1.0
        /// client, which cannot read chunks).
        case closeDelimited
    }

    /// Fields the server sets itself; a handler's copies are dropped.
    private static let serverOwned: Set<String> = ["date", "content-length", "connection", "transfer-encoding", "x-request-id"]

    /// Serializes a response with a complete body.
    /// - Parameters:
    ///   - omitBody: true for HEAD: same fields as GET, no content (RFC 9110 §9.3.2).
    ///   - keepAlive: whether the connection stays open; false adds `Connection: close`.
    ///   - version: the request's version; an HTTP/1.0 keep-alive gets `Connection: keep-alive`.
    static func serialize(
        _ response: HTTPResponse, requestID: String, date: String,
        omitBody: Bool, keepAlive: Bool, version: HTTPVersion
    ) -> [UInt8] {
        let body = response.bytes
        var bytes = head(
            response, framing: .length(body.count), requestID: requestID, date: date, keepAlive: keepAlive, version: version)
        if !omitBody, !response.status.forbidsContent {
            bytes.append(contentsOf: body)
        }
        return bytes
    }

    /// The status line and header section, ending in the blank line.
    static func head(
        _ response: HTTPResponse, framing: Framing, requestID: String, date: String, keepAlive: Bool, version: HTTPVersion
    ) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\n"
        head += "Date: \(date)\r\n"
        // RFC 9110 §8.6 and RFC 9112 §6.1: neither framing field on 1xx and 204.
        if !response.status.forbidsContent {
            switch framing {
            case .length(let count): head += "Content-Length: \(count)\r\n"
            case .chunked: head += "Transfer-Encoding: chunked\r\n"
            case .closeDelimited: break
            }
        }
        head += "X-Request-ID: \(requestID)\r\n"
        if !keepAlive {
            head += "Connection: close\r\n"
        } else if version == .http1_0 {
            head += "Connection: keep-alive\r\n"
        }
        for field in response.headers where !serverOwned.contains(field.key) {
            head += "\(field.name): \(sanitize(field.value))\r\n"
        }
        head += "\r\n"
        return Array(head.utf8)
    }

    /// One chunk of a chunked body: size in hex, CRLF, the bytes, CRLF (RFC 9112 §7.1). Never called
    /// with no bytes, which would be the last chunk.
    static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [0x0D, 0x0A]
    }

    /// The last chunk with no trailer fields, ending a chunked body (RFC 9112 §7.1).
    static let lastChunk = Array("0\r\n\r\n".utf8)

    /// A field value with CR, LF and NUL replaced by spaces, so no value can split the response.
    static func sanitize(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else { return value }
        return String(decoding: value.utf8.map { $0 == 0x0D || $0 == 0x0A || $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// The interim response sent before reading a body the client is waiting to send (RFC 9110 §10.1.1).
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
