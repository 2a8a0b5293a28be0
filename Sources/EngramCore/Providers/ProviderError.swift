/// A failure of an LLM or embedding provider, answered with 502 and a stable `code`.
///
/// `message` is safe to show to clients and to log: it never carries keys, request bodies or the
/// provider's response body, only what went wrong and with which host.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// 401 or 403 from the provider: the key is missing, wrong or lacks access.
        case authFailed = "provider_auth_failed"
        /// 429 after the retries allowed.
        case rateLimited = "provider_rate_limited"
        /// No complete answer within the configured timeout.
        case timeout = "provider_timeout"
        /// Connection refused, DNS or TLS failure, 5xx after retries, or an answer that could not be
        /// used (malformed JSON, wrong shape) even after a retry.
        case unavailable = "provider_unavailable"
        /// Any other 4xx: the provider rejected the request (unknown model, context too long, ...).
        case badRequest = "provider_bad_request"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
