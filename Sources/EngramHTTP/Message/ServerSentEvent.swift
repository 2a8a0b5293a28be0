/// One event of a `text/event-stream` (HTML Living Standard §9.2, "Server-sent events"): optional
/// `event` name and `data` lines, ended by a blank line.
public struct ServerSentEvent: Sendable, Equatable {
    /// The event type; nil for the default `message`.
    public var event: String?
    /// The payload; each line becomes its own `data:` field line.
    public var data: String

    /// Creates an event.
    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }

    /// The event on the wire. Line breaks inside `data` (CRLF, CR or LF) split it into several `data:`
    /// lines, which the client joins again with LF; a line break in `event` is replaced by a space, so
    /// no value can end the event early.
    public var bytes: [UInt8] {
        var text = ""
        if let event {
            text += "event: " + event.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : String($0) }.joined() + "\n"
        }
        for line in data.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            text += "data: " + line + "\n"
        }
        return Array((text + "\n").utf8)
    }
}

extension HTTPResponse {
    /// A `text/event-stream` response whose events `produce` writes (`writer.write(event.bytes)`);
    /// caches are told not to keep it.
    public static func eventStream(
        status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(),
        _ produce: @escaping @Sendable (any HTTPBodyWriter) throws -> Void
    ) -> HTTPResponse {
        var headers = headers
        headers.replace(name: "Content-Type", value: "text/event-stream")
        headers.replace(name: "Cache-Control", value: "no-cache")
        return HTTPResponse(status: status, headers: headers, stream: HTTPBodyStream(produce))
    }
}
