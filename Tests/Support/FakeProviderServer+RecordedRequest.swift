import EngramHTTP
import Foundation

extension FakeProviderServer {
    /// A request as the fake server received it.
    public struct RecordedRequest: Sendable {
        /// The method, e.g. `POST`.
        public var method: String
        /// The path without the query, still percent-encoded.
        public var path: String
        /// The query without `?`, if any.
        public var query: String?
        /// Header fields as received (names in the client's spelling).
        public var headers: [(name: String, value: String)]
        /// The body, de-chunked.
        public var body: Data
        /// Connections open on the server when this request arrived (this one included).
        public var openConnections: Int

        init(_ request: HTTPRequest, openConnections: Int) {
            method = request.method.rawValue
            path = request.path
            query = request.query
            headers = request.headers.map { ($0.name, $0.value) }
            body = Data(request.body)
            self.openConnections = openConnections
        }

        /// The value of the first header field with this name (ASCII case-insensitive).
        public func header(_ name: String) -> String? {
            let wanted = name.lowercased()
            return headers.first { $0.name.lowercased() == wanted }?.value
        }

        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body parsed as a JSON object (Foundation types: `String`, `NSNumber`, `[Any]`,
        /// `[String: Any]`); empty when it is not one.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }

        /// The body decoded as `type`.
        public func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(type, from: body)
        }

        /// The value of a query parameter (not percent-decoded).
        public func queryValue(_ name: String) -> String? {
            guard let query else { return nil }
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
            }
            return nil
        }
    }
}
