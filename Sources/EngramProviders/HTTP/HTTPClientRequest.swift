import Foundation

/// One outbound HTTP request: method, absolute URL, header fields and an optional body.
///
/// Header values may hold secrets (`Authorization`, `x-api-key`); `HTTPClient` never logs them, nor
/// the body.
public struct HTTPClientRequest: Sendable {
    /// The request method, e.g. `GET` or `POST`.
    public var method: String
    /// An absolute `http:` or `https:` URL.
    public var url: String
    /// Header fields in the order they are sent.
    public var headers: [(name: String, value: String)]
    /// The body; nil sends none.
    public var body: Data?
    /// libcurl `CURLOPT_RESOLVE` entries (`host:port:address,...`): connect to these addresses instead of
    /// resolving the host (webhook deliveries pinned to vetted addresses). Empty resolves normally.
    public var resolve: [String] = []

    /// Creates a request.
    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// A `POST` of a JSON body with `Content-Type` JSON and `Accept` JSON (or `accept`, such as
    /// `text/event-stream` for a streamed answer), plus `headers`.
    public static func postJSON(
        url: String, headers: [(name: String, value: String)] = [], body: Data, accept: String = "application/json"
    ) -> HTTPClientRequest {
        HTTPClientRequest(
            method: "POST", url: url, headers: [("Content-Type", "application/json"), ("Accept", accept)] + headers, body: body)
    }
}
