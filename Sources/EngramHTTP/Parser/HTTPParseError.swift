/// Why a request could not be parsed, with the status to answer. The connection is closed after the
/// answer (RFC 9112 §2.2: a message that does not match the grammar is answered and the connection closed).
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status to respond with.
    public let status: HTTPStatus
    /// A short, client-safe explanation.
    public let reason: String

    init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status.code): \(reason)" }
}
