import EngramCore
import Foundation

extension HTTPClientResponse {
    /// The body of a relayed call that succeeded; for any other status, throws the provider's rejection.
    func relayedBody(from host: String) throws(ProviderRejection) -> Data {
        guard isSuccess else { throw ProviderRejection(status: status, body: body, host: host) }
        return body
    }
}

extension ProviderRejection {
    /// The rejection a relayed call met: status `status` with error body `body`. OpenAI's
    /// `{"error": {"message", "type", "code"}}` and Anthropic's `{"type": "error", "error": {"type",
    /// "message"}}` are read alike. The message of a 401 or 403 is replaced: it is about Engram's own
    /// provider key (and may quote part of it), not the client's.
    init(status: Int, body: Data, host: String) {
        let details = (try? JSONDecoder().decode(ErrorBody.self, from: body))?.error
        let message: String
        switch status {
        case 401, 403:
            message = "\(host) refused the credentials Engram is configured with (HTTP \(status))"
        default:
            message = details?.message.flatMap { $0.isEmpty ? nil : $0 } ?? "\(host) rejected the request (HTTP \(status))"
        }
        self.init(status: status, message: message, type: details?.type, code: details?.code?.text)
    }

    private struct ErrorBody: Decodable {
        var error: Details?
    }

    private struct Details: Decodable {
        var message: String?
        var type: String?
        var code: Code?
    }

    /// OpenAI sends `code` as a string, some compatible servers as a number.
    private struct Code: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            text = try (try? container.decode(String.self)) ?? String(container.decode(Int.self))
        }
    }
}
