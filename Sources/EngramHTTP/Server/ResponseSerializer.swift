/// Turns a response into bytes for the wire, adding the fields the server owns.
enum ResponseSerializer {
    /// Fields the server sets itself; a handler's copies are dropped.
    private static let serverOwned: Set<String> = ["date", "content-length", "connection", "transfer-encoding", "x-request-id"]

    /// Serializes `response`.
    /// - Parameters:
    ///   - omitBody: true for HEAD: same fields as GET, no content (RFC 9110 §9.3.2).
    ///   - keepAlive: whether the connection stays open; false adds `Connection: close`.
    ///   - version: the request's version; an HTTP/1.0 keep-alive gets `Connection: keep-alive`.
    static func serialize(
        _ response: HTTPResponse, requestID: String, date: String,
        omitBody: Bool, keepAlive: Bool, version: HTTPVersion
    ) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\n"
        head += "Date: \(date)\r\n"
        // RFC 9110 §8.6: no Content-Length on 1xx and 204.
        if !response.status.forbidsContent {
            head += "Content-Length: \(response.body.count)\r\n"
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
        var bytes = Array(head.utf8)
        if !omitBody, !response.status.forbidsContent {
            bytes.append(contentsOf: response.body)
        }
        return bytes
    }

    /// A field value with CR, LF and NUL replaced by spaces, so no value can split the response.
    static func sanitize(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else { return value }
        return String(decoding: value.utf8.map { $0 == 0x0D || $0 == 0x0A || $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// The interim response sent before reading a body the client is waiting to send (RFC 9110 §10.1.1).
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
