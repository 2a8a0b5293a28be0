import EngramCore
import Foundation

/// The protocol revisions the endpoint speaks and the names both eras put on the wire
/// (reference/mcp.md §1.1–1.3).
enum MCPProtocol {
    /// The stateless revision: no `initialize`; every request carries `_meta` and routing headers.
    static let modernVersion = "2026-07-28"
    /// Revisions negotiated with `initialize`, newest first; the first is offered to a client asking
    /// for one we do not know.
    static let handshakeVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// Every revision, for `-32022`'s `supported` list.
    static let allVersions = [modernVersion] + handshakeVersions

    static let versionHeader = "MCP-Protocol-Version"
    static let methodHeader = "Mcp-Method"
    static let nameHeader = "Mcp-Name"
    static let versionMetaKey = "io.modelcontextprotocol/protocolVersion"
    static let capabilitiesMetaKey = "io.modelcontextprotocol/clientCapabilities"
    static let serverInfoMetaKey = "io.modelcontextprotocol/serverInfo"

    /// The params member `Mcp-Name` mirrors, for the methods that carry one.
    static let nameBearingParams = ["tools/call": "name", "prompts/get": "name", "resources/read": "uri"]

    static let serverInfo: JSONValue = .object([
        "name": .string("engram"), "title": .string("Engram memory"), "version": .string(EngramVersion.current),
    ])

    /// Tells the model what the tools are for; sent by `initialize` and `server/discover`.
    static let instructions = """
        Engram is this user's long-term memory. Call search_memories before answering anything that may \
        depend on what you were told in earlier conversations (their preferences, plans, people, projects, \
        past decisions), using a short query about the topic. Call add_memory when the user shares a lasting \
        fact, preference or decision, or asks you to remember something; do not store small talk or \
        things only true for this moment. Memories belong to a scope (user_id, agent_id, run_id): the server \
        URL may already set it, so pass these only to reach a different scope. Use update_memory or \
        delete_memory when the user corrects or withdraws something you remembered.
        """

    /// The value of a routing header, with the `=?base64?…?=` form for values that are not header-safe
    /// decoded; nil when the header is absent or its encoded form is malformed.
    static func decodedHeader(_ value: String?) -> String? {
        guard let value else { return nil }
        guard value.hasPrefix("=?base64?"), value.hasSuffix("?="), value.count >= 11 else { return value }
        let payload = String(value.dropFirst(9).dropLast(2))
        guard let data = Data(base64Encoded: payload), data.base64EncodedString() == payload,
              let text = String(data: data, encoding: .utf8)
        else { return nil }
        return text
    }
}

/// Which generation of the protocol one request belongs to.
enum MCPEra: Sendable, Equatable {
    /// `initialize` and the requests after it (2024-11-05 … 2025-11-25).
    case handshake
    /// A self-describing 2026-07-28 request.
    case modern

    /// The era of a request: `initialize` is the handshake; otherwise a request is modern when its
    /// `_meta` names a protocol version.
    static func of(method: String, params: [String: JSONValue]?) -> MCPEra {
        if method == "initialize" { return .handshake }
        guard case .object(let meta)? = params?["_meta"], meta[MCPProtocol.versionMetaKey] != nil else { return .handshake }
        return .modern
    }

    /// The HTTP status a JSON-RPC error is sent with. A modern client reads the status (mcp 2.x
    /// maps the spec's codes to 400 and 404); handshake-era clients expect method errors inside a
    /// 200 and must never see 404, which they take for an expired session.
    func status(of failure: JSONRPCFailure) -> Int {
        switch self {
        case .handshake:
            return [JSONRPCFailure.parseErrorCode, JSONRPCFailure.invalidRequestCode].contains(failure.code) ? 400 : 200
        case .modern:
            switch failure.code {
            case JSONRPCFailure.methodNotFoundCode: return 404
            case JSONRPCFailure.parseErrorCode, JSONRPCFailure.invalidRequestCode, JSONRPCFailure.invalidParamsCode,
                 JSONRPCFailure.headerMismatchCode, -32021, JSONRPCFailure.unsupportedVersionCode:
                return 400
            default: return 200
            }
        }
    }
}
