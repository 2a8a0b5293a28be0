import Foundation

extension HTTPResponse {
    /// A JSON response of an encodable value.
    public static func json(_ value: some Encodable, status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(value) else {
            return .error(.internalServerError, detail: "Internal error")
        }
        return json(bytes: Array(body), status: status, headers: headers)
    }

    /// A JSON response of already-encoded bytes.
    public static func json(bytes: [UInt8], status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replace(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: bytes)
    }

    /// The error shape of the API: `{"detail": "..."}`.
    public static func error(_ status: HTTPStatus, detail: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        json(ErrorBody(detail: detail), status: status, headers: headers)
    }

    private struct ErrorBody: Encodable {
        let detail: String
    }
}

extension HTTPRequest {
    /// Decodes the body as JSON; a malformed body is a 400 `HTTPError`.
    public func decode<T: Decodable>(_ type: T.Type) throws(HTTPError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw HTTPError(.badRequest, "Malformed JSON body")
        }
    }
}
