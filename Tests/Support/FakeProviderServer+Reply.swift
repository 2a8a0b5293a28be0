import EngramHTTP
import Foundation

extension FakeProviderServer {
    /// One canned answer: status, header fields, body, and an optional delay before it is sent; or a
    /// function that computes the answer from the request (`dynamic`).
    public struct Reply: Sendable {
        /// The status code.
        public var status: Int
        /// Header fields to send (the server adds `Date`, `Content-Length` and the like itself).
        public var headers: [(name: String, value: String)]
        /// The body.
        public var body: Data
        /// How long to wait before answering (cut short when the server stops).
        public var delay: Duration
        /// When set, the body is a `text/event-stream` of these events, each sent as it is due.
        public var events: [ServerSentEvent]?
        /// The pause before each event after the first.
        public var eventInterval: Duration = .zero
        /// Whether the event stream is cut after the last event (the connection closed without the end
        /// of the body), as when a provider fails mid-answer.
        public var breaksOff = false
        /// When set, the reply is computed from the request instead.
        let build: (@Sendable (RecordedRequest) -> Reply)?

        /// A reply with these parts.
        public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: Data = Data(), delay: Duration = .zero) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
            self.build = nil
        }

        private init(build: @escaping @Sendable (RecordedRequest) -> Reply) {
            self.status = 200
            self.headers = []
            self.body = Data()
            self.delay = .zero
            self.build = build
        }

        /// A reply computed from each request it answers.
        public static func dynamic(_ build: @escaping @Sendable (RecordedRequest) -> Reply) -> Reply {
            Reply(build: build)
        }

        /// A JSON reply of already-written JSON text.
        public static func json(_ text: String, status: Int = 200) -> Reply {
            Reply(status: status, headers: [("Content-Type", "application/json")], body: Data(text.utf8))
        }

        /// A JSON reply of a Foundation JSON value (`[String: Any]`, `[Any]`, strings, numbers, `NSNull`).
        public static func json(object: Any, status: Int = 200) -> Reply {
            let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
            return Reply(status: status, headers: [("Content-Type", "application/json")], body: body)
        }

        /// A `text/event-stream` of `events`, `interval` apart; `breaksOff` cuts the connection after them.
        public static func events(_ events: [ServerSentEvent], interval: Duration = .zero, breaksOff: Bool = false) -> Reply {
            var reply = Reply(status: 200, headers: [("Content-Type", "text/event-stream")])
            reply.events = events
            reply.eventInterval = interval
            reply.breaksOff = breaksOff
            return reply
        }

        /// A bare status with an optional text body.
        public static func status(_ code: Int, body: String = "") -> Reply {
            Reply(status: code, body: Data(body.utf8))
        }

        /// An error in OpenAI's shape: `{"error": {"message": ..., "type": ...}}`.
        public static func error(status: Int, message: String, type: String = "invalid_request_error") -> Reply {
            json(object: ["error": ["message": message, "type": type]], status: status)
        }

        /// 429 with `Retry-After` when given (seconds, or an HTTP date).
        public static func rateLimited(retryAfter: String? = nil) -> Reply {
            var reply = error(status: 429, message: "Rate limit reached", type: "rate_limit_exceeded")
            if let retryAfter { reply.headers.append(("Retry-After", retryAfter)) }
            return reply
        }

        /// This reply with one more header field.
        public func header(_ name: String, _ value: String) -> Reply {
            var reply = self
            reply.headers.append((name, value))
            return reply
        }

        /// This reply sent after `delay`.
        public func delayed(by delay: Duration) -> Reply {
            if let build {
                return .dynamic { request in build(request).delayed(by: delay) }
            }
            var reply = self
            reply.delay = delay
            return reply
        }

        /// The server response for a static reply; `wait` sleeps between events (cut short at stop).
        func response(wait: @escaping @Sendable (Duration) -> Void) -> HTTPResponse {
            var fields = HTTPHeaders()
            for field in headers { fields.add(name: field.name, value: field.value) }
            let status = HTTPStatus(code: status)
            guard let events else { return HTTPResponse(status: status, headers: fields, body: Array(body)) }
            let (interval, breaksOff) = (eventInterval, self.breaksOff)
            return .eventStream(status: status, headers: fields) { writer in
                for (index, event) in events.enumerated() {
                    if index > 0, interval > .zero { wait(interval) }
                    try writer.write(event.bytes)
                }
                if breaksOff { throw BrokenOff() }
            }
        }

        /// Thrown after the first event to cut a stream without its end.
        struct BrokenOff: Error {}
    }
}
