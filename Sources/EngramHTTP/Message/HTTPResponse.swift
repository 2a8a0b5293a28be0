/// A response produced by a handler. The server adds `Date`, the framing fields (`Content-Length` or
/// `Transfer-Encoding`), `X-Request-ID` and `Connection` when it writes it.
public struct HTTPResponse: Sendable {
    /// What the response carries: bytes known up front, or a body produced while it is sent.
    public enum Body: Sendable {
        /// A complete body, sent with `Content-Length`.
        case bytes([UInt8])
        /// A body written piece by piece as it is produced, never buffered whole: chunked to HTTP/1.1
        /// clients, delimited by closing the connection for HTTP/1.0 ones.
        case stream(HTTPBodyStream)
    }

    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    /// Creates a response with a complete body.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    /// Creates a response whose body `stream` produces while it is sent.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), stream: HTTPBodyStream) {
        self.status = status
        self.headers = headers
        self.body = .stream(stream)
    }

    /// The complete body; empty for a streamed one.
    public var bytes: [UInt8] {
        if case .bytes(let bytes) = body { return bytes }
        return []
    }
}
