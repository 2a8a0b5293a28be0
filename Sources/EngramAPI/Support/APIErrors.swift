import EngramCore
import EngramHTTP

/// Maps engine errors to HTTP: what the client did wrong is 4xx with the engine's message; an
/// unavailable store is 503; nothing internal is ever shown.
extension MemoryError: HTTPResponseError {
    public var response: HTTPResponse {
        switch self {
        case .missingScope, .invalid, .invalidFilter: .error(.badRequest, detail: message)
        case .notFound, .eventNotFound, .relationNotFound, .entityNotFound: .error(.notFound, detail: message)
        case .storeUnavailable: .error(.serviceUnavailable, detail: message)
        case .embedderMismatch: .error(.internalServerError, detail: "Internal error")
        case .needsLLM: .error(.notImplemented, detail: message)
        }
    }
}

/// A provider failure: 502 `{"detail", "code", "request_id"}` (API.md).
extension ProviderError: HTTPResponseError {
    public var response: HTTPResponse { response(requestID: "") }

    public func response(requestID: String) -> HTTPResponse {
        .json(JSONValue.object([
            "detail": .string(message), "code": .string(code.rawValue), "request_id": .string(requestID),
        ]), status: .badGateway)
    }
}
