/// The parsed header section of a request: everything known before the body arrives.
public struct HTTPRequestHead: Sendable {
    /// How the body is delimited (RFC 9112 §6.3).
    public enum Framing: Sendable, Equatable {
        /// No body.
        case none
        /// A body of exactly this many octets.
        case length(Int)
        /// A chunked body.
        case chunked
    }

    public var method: HTTPMethod
    /// The request-target exactly as received.
    public var target: String
    /// The path part of the target, still percent-encoded; always starts with `/` (or is `*`).
    public var path: String
    /// The query part of the target without the `?`, still percent-encoded.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: Framing
    /// Whether the client sent `Expect: 100-continue` on an HTTP/1.1 request (RFC 9110 §10.1.1).
    public var expectsContinue: Bool
    /// Whether the connection may carry another request after this one (RFC 9112 §9.3).
    public var keepAlive: Bool
}

extension HTTPRequestHead {
    /// A head made in process rather than parsed (a request one responder hands another): HTTP/1.1,
    /// `target` split into path and query at its first `?`, a body of `bodyLength` octets.
    public init(method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(), bodyLength: Int = 0) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.init(
            method: method, target: target, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil,
            version: .http1_1, headers: headers, framing: bodyLength > 0 ? .length(bodyLength) : .none,
            expectsContinue: false, keepAlive: true)
    }
}
