/// An error that carries its own HTTP status and a client-safe message; handlers throw it and the router
/// renders it as `{"detail": "..."}`.
public protocol HTTPResponseError: Error {
    /// The response to send for this error.
    var response: HTTPResponse { get }

    /// The response to send for this error in answer to the request with id `requestID`; by default
    /// `response`. Errors whose body names the request (502s from providers) implement this.
    func response(requestID: String) -> HTTPResponse
}

extension HTTPResponseError {
    public func response(requestID: String) -> HTTPResponse { response }
}

/// A plain HTTP error: status, detail, optional extra header fields.
public struct HTTPError: HTTPResponseError, Equatable, Sendable {
    public let status: HTTPStatus
    public let detail: String
    private let extraHeaders: [String: String]

    /// Creates an error answered with `status` and `{"detail": detail}`.
    public init(_ status: HTTPStatus, _ detail: String, headers: [String: String] = [:]) {
        self.status = status
        self.detail = detail
        self.extraHeaders = headers
    }

    public var response: HTTPResponse {
        var fields = HTTPHeaders()
        for (name, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { fields.add(name: name, value: value) }
        return .error(status, detail: detail, headers: fields)
    }
}
