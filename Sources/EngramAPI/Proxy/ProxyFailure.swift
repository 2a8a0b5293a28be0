import EngramCore
import EngramHTTP
import Foundation

/// A failed relayed call in OpenAI's error shape, `{"error": {"message", "type", "code"}}`, so OpenAI
/// clients raise their matching error class: a provider's rejection keeps its status; a provider that
/// gave no usable answer is 502 (504 for a timeout); a request the provider cannot take is 400.
struct ProxyFailure: HTTPResponseError {
    let status: HTTPStatus
    let message: String
    let type: String
    let code: String?

    init(_ error: any Error) {
        switch error {
        case let rejection as ProviderRejection:
            let code = (400..<600).contains(rejection.status) ? rejection.status : 502
            status = HTTPStatus(code: code)
            message = rejection.message
            type = rejection.type ?? Self.type(for: code)
            self.code = rejection.code
        case let failure as ProviderError:
            let code = switch failure.code {
            case .badRequest: 400
            case .rateLimited: 429
            case .timeout: 504
            default: 502
            }
            status = HTTPStatus(code: code)
            message = failure.message
            type = Self.type(for: code)
            self.code = failure.code.rawValue
        default:
            status = .internalServerError
            message = "Internal error"
            type = Self.type(for: 500)
            code = nil
        }
    }

    /// The error object as JSON text: the body of the response, or the data of a stream's error event.
    var json: String {
        let object: JSONValue = .object([
            "error": .object(["message": .string(message), "type": .string(type), "code": code.map(JSONValue.string) ?? .null]),
        ])
        return String(decoding: (try? JSONEncoder().encode(object)) ?? Data(), as: UTF8.self)
    }

    var response: HTTPResponse { .json(bytes: Array(json.utf8), status: status) }

    /// OpenAI's error type for a status when the provider named none.
    private static func type(for status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 429: "rate_limit_error"
        case 400..<500: "invalid_request_error"
        default: "api_error"
        }
    }
}
