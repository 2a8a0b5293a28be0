import Foundation

/// The final answer to an `HTTPClientRequest`, after any retries.
public struct HTTPClientResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The header fields of the final response (names as received).
    public var headers: [(name: String, value: String)]
    /// The body, decoded from any content encoding.
    public var body: Data
    /// How many attempts were made, this one included.
    public var attempts: Int
    /// How many new connections libcurl opened over all attempts (`CURLINFO_NUM_CONNECTS`): 0 when every
    /// attempt reused a kept-alive connection.
    public var newConnections: Int

    /// Creates a response.
    public init(
        status: Int, headers: [(name: String, value: String)] = [], body: Data = Data(), attempts: Int = 1,
        newConnections: Int = 0
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
        self.newConnections = newConnections
    }

    /// The value of the first header field with this name (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
