import EngramCore
import Foundation

/// A JSON-RPC 2.0 request id: a string or an integer (MCP never allows null), echoed with its type.
enum JSONRPCID: Sendable, Hashable, Codable {
    case integer(Int64)
    case string(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}

/// A JSON-RPC error object: the code, a message for people, optional data.
struct JSONRPCFailure: Error, Sendable, Equatable {
    let code: Int
    let message: String
    var data: JSONValue?

    static let parseErrorCode = -32700
    static let invalidRequestCode = -32600
    static let methodNotFoundCode = -32601
    static let invalidParamsCode = -32602
    static let internalErrorCode = -32603
    /// 2026-07-28: a routing header is missing or disagrees with the body.
    static let headerMismatchCode = -32020
    /// 2026-07-28: the requested protocol version is not one the server speaks.
    static let unsupportedVersionCode = -32022

    static func parseError(_ message: String) -> JSONRPCFailure { JSONRPCFailure(code: parseErrorCode, message: message) }
    static func invalidRequest(_ message: String) -> JSONRPCFailure { JSONRPCFailure(code: invalidRequestCode, message: message) }
    static func invalidParams(_ message: String) -> JSONRPCFailure { JSONRPCFailure(code: invalidParamsCode, message: message) }
    static func headerMismatch(_ message: String) -> JSONRPCFailure { JSONRPCFailure(code: headerMismatchCode, message: message) }
    static func methodNotFound(_ method: String) -> JSONRPCFailure {
        JSONRPCFailure(code: methodNotFoundCode, message: "Method not found: \(method)")
    }
}

/// One decoded message posted to the endpoint.
enum JSONRPCMessage: Sendable {
    /// A call that wants an answer.
    case request(id: JSONRPCID, method: String, params: [String: JSONValue]?)
    /// A call that wants none (`notifications/initialized`, `notifications/cancelled`, ...).
    case notification(method: String)
    /// The client answering a server request (the server never sends any, but it is accepted).
    case response

    /// The body decoded, or the failure to answer with (its id when one could be read).
    static func decode(_ body: [UInt8]) -> Result<JSONRPCMessage, JSONRPCRejection> {
        guard let value = JSONValue.parse(body) else {
            return .failure(JSONRPCRejection(id: nil, failure: .parseError("Parse error: the body is not valid JSON")))
        }
        guard case .object(let members) = value else {
            if case .array = value {
                return .failure(JSONRPCRejection(id: nil, failure: .invalidRequest("Batches are not supported: send one JSON-RPC message per request")))
            }
            return .failure(JSONRPCRejection(id: nil, failure: .invalidRequest("A JSON-RPC message must be an object")))
        }
        var id: JSONRPCID?
        switch members["id"] {
        case .none, .some(.null):
            id = nil
        case .some(.string(let text)):
            id = .string(text)
        case .some(.number(let number)) where number.rounded() == number:
            // Beyond 2^53 a Double drops digits: read such an id again from the text.
            id = abs(number) < 9.007_199_254_740_992e15
                ? .integer(Int64(number)) : (try? JSONDecoder().decode(IDProbe.self, from: Data(body)))?.id
            if id == nil { return .failure(JSONRPCRejection(id: nil, failure: .invalidRequest("The id does not fit a 64-bit integer"))) }
        case .some:
            return .failure(JSONRPCRejection(id: nil, failure: .invalidRequest("The id must be a string or an integer")))
        }
        guard members["jsonrpc"] == .string("2.0") else {
            return .failure(JSONRPCRejection(id: id, failure: .invalidRequest("jsonrpc must be \"2.0\"")))
        }
        guard let methodValue = members["method"] else {
            if id != nil, members["result"] != nil || members["error"] != nil { return .success(.response) }
            return .failure(JSONRPCRejection(id: id, failure: .invalidRequest("A request needs a method")))
        }
        guard case .string(let method) = methodValue, !method.isEmpty else {
            return .failure(JSONRPCRejection(id: id, failure: .invalidRequest("The method must be a non-empty string")))
        }
        if members["id"] == .null {
            return .failure(JSONRPCRejection(id: nil, failure: .invalidRequest("The id must not be null")))
        }
        var params: [String: JSONValue]?
        switch members["params"] {
        case .none, .some(.null): params = nil
        case .some(.object(let object)): params = object
        case .some: return .failure(JSONRPCRejection(id: id, failure: .invalidParams("params must be an object")))
        }
        guard let id else { return .success(.notification(method: method)) }
        return .success(.request(id: id, method: method, params: params))
    }

    private struct IDProbe: Decodable {
        let id: JSONRPCID
    }
}

/// A message refused before it reached a method: answered at HTTP 400 in either era.
struct JSONRPCRejection: Error, Sendable {
    let id: JSONRPCID?
    let failure: JSONRPCFailure
}

/// A reply on the wire: `{"jsonrpc": "2.0", "id": …, "result": …}` or `{…, "error": {code, message, data?}}`;
/// an error whose request id could not be read carries `"id": null`.
struct JSONRPCReply {
    let id: JSONRPCID?
    let outcome: Result<JSONValue, JSONRPCFailure>

    /// The reply as compact JSON with sorted keys (the id written from its exact integer).
    var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        func writeID() {
            output.append(contentsOf: #""id":"#.utf8)
            switch id {
            case .integer(let value)?: output.append(contentsOf: String(value).utf8)
            case .string(let value)?: JSONValue.writeString(value, to: &output)
            case nil: output.append(contentsOf: "null".utf8)
            }
            output.append(contentsOf: #","jsonrpc":"2.0""#.utf8)
        }
        output.append(UInt8(ascii: "{"))
        switch outcome {
        case .success(let result):
            writeID()
            output.append(contentsOf: #","result":"#.utf8)
            result.write(to: &output)
        case .failure(let failure):
            var error: [String: JSONValue] = ["code": .number(Double(failure.code)), "message": .string(failure.message)]
            if let data = failure.data { error["data"] = data }
            output.append(contentsOf: #""error":"#.utf8)
            JSONValue.object(error).write(to: &output)
            output.append(UInt8(ascii: ","))
            writeID()
        }
        output.append(UInt8(ascii: "}"))
        return output
    }
}
