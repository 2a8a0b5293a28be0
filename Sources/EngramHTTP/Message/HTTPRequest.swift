/// A complete request: head and body, plus what the server and router learn about it.
public struct HTTPRequest: Sendable {
    /// The parsed header section.
    public var head: HTTPRequestHead
    /// The body, de-chunked.
    public var body: [UInt8]
    /// The request id: the client's `X-Request-ID` when it is valid, otherwise a fresh one.
    public var id: String
    /// Values of the `{param}` segments of the matched route, percent-decoded.
    public var pathParameters: [String: String]
    /// What the responders in front of the router learnt about the request (such as who it acts as),
    /// by name.
    public var context: [String: String] = [:]

    /// Creates a request.
    public init(head: HTTPRequestHead, body: [UInt8] = [], id: String = "", pathParameters: [String: String] = [:]) {
        self.head = head
        self.body = body
        self.id = id
        self.pathParameters = pathParameters
    }

    public var method: HTTPMethod { head.method }
    public var path: String { head.path }
    public var query: String? { head.query }
    public var version: HTTPVersion { head.version }
    public var headers: HTTPHeaders { head.headers }
}

extension HTTPRequest {
    /// The query's name/value pairs in order, `+` read as space and percent-escapes decoded; a pair
    /// whose escapes are malformed is skipped.
    public var queryItems: [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusAsSpace: true) else { return nil }
            let raw = parts.count > 1 ? parts[1] : ""
            guard let value = PercentDecoding.decode(raw, plusAsSpace: true) else { return nil }
            return (name, value)
        }
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
