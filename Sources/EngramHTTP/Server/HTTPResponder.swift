/// Something that answers requests: the router, or a test double. Called on worker threads, so it may
/// block on I/O; it must not throw, it maps its errors to responses itself.
public protocol HTTPResponder: Sendable {
    /// The response to a complete request.
    func respond(to request: HTTPRequest) -> HTTPResponse

    /// Called when a client sends `Expect: 100-continue`, before its body is read: nil to let the body
    /// come (the server sends 100 Continue), or the final response to send instead (for example 404,
    /// 405 or 401), after which the connection is closed without reading the body.
    func preflight(_ head: HTTPRequestHead, requestID: String) -> HTTPResponse?
}

extension HTTPResponder {
    /// By default every expectation is met.
    public func preflight(_ head: HTTPRequestHead, requestID: String) -> HTTPResponse? { nil }
}
