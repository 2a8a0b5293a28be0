import EngramCore
import EngramHTTP
import Foundation

/// `POST /mcp`: the Model Context Protocol over Streamable HTTP, sessionless and in both eras
/// (docs/mcp.md). A handshake-era client (`initialize`, 2024-11-05 … 2025-11-25) and a 2026-07-28
/// client (`server/discover`, `_meta` and routing headers on every request) are told apart per
/// request; no session id is issued and any sent is ignored, so a restarted server loses nothing.
/// Tools run as requests to `rest`, the REST API's router, as the caller's principal.
struct MCPEndpoint: Sendable {
    let rest: Router
    let settings: MCPSettings

    func respond(to request: HTTPRequest) -> HTTPResponse {
        if let type = request.headers["content-type"],
           type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() != "application/json" {
            return Self.reply(JSONRPCReply(id: nil, outcome: .failure(.invalidRequest("Content-Type must be application/json"))), status: 400)
        }
        let message: JSONRPCMessage
        switch JSONRPCMessage.decode(request.body) {
        case .failure(let rejection):
            return Self.reply(JSONRPCReply(id: rejection.id, outcome: .failure(rejection.failure)), status: 400)
        case .success(let decoded):
            message = decoded
        }
        guard case .request(let id, let method, let params) = message else {
            // Notifications and responses get no answer (both eras).
            return HTTPResponse(status: .accepted)
        }
        let era = MCPEra.of(method: method, params: params)
        let refusal = era == .modern
            ? Self.modernRefusal(method: method, params: params ?? [:], headers: request.headers)
            : Self.handshakeRefusal(method: method, headers: request.headers)
        if let refusal {
            // A request the transport rules refuse is a 400 in both eras.
            return Self.reply(JSONRPCReply(id: id, outcome: .failure(refusal)), status: 400)
        }
        var outcome = dispatch(method: method, params: params ?? [:], era: era, request: request)
        if era == .modern, case .success(let result) = outcome { outcome = .success(Self.modernResult(result)) }
        let reply = JSONRPCReply(id: id, outcome: outcome)
        let status = if case .failure(let failure) = outcome { era.status(of: failure) } else { 200 }
        return Self.reply(reply, status: status, eventStream: status == 200 && Self.wantsEventStream(request.headers))
    }

    // MARK: Methods

    private func dispatch(method: String, params: [String: JSONValue], era: MCPEra, request: HTTPRequest) -> Result<JSONValue, JSONRPCFailure> {
        let listCaching: [String: JSONValue] = era == .modern ? ["ttlMs": .number(300_000), "cacheScope": .string("public")] : [:]
        switch (method, era) {
        case ("initialize", .handshake):
            let asked = params["protocolVersion"]?.stringValue
            let version = asked.flatMap { MCPProtocol.handshakeVersions.contains($0) ? $0 : nil } ?? MCPProtocol.handshakeVersions[0]
            return .success(.object([
                "protocolVersion": .string(version),
                "capabilities": .object(["tools": .object(["listChanged": .bool(false)])]),
                "serverInfo": MCPProtocol.serverInfo,
                "instructions": .string(MCPProtocol.instructions),
            ]))
        case ("server/discover", .modern):
            return .success(.object([
                "supportedVersions": .array(MCPProtocol.allVersions.map(JSONValue.string)),
                "capabilities": .object(["tools": .object([:])]),
                "instructions": .string(MCPProtocol.instructions),
                "ttlMs": .number(0), "cacheScope": .string("public"),
            ]))
        case ("ping", .handshake):
            return .success(.object([:]))
        case ("tools/list", _):
            return .success(.object(listCaching.merging(["tools": MCPToolCatalogue.definitions]) { $1 }))
        case ("resources/list", _):
            return .success(.object(listCaching.merging(["resources": .array([])]) { $1 }))
        case ("resources/templates/list", _):
            return .success(.object(listCaching.merging(["resourceTemplates": .array([])]) { $1 }))
        case ("prompts/list", _):
            return .success(.object(listCaching.merging(["prompts": .array([])]) { $1 }))
        case ("tools/call", _):
            return callTool(params: params, request: request)
        default:
            return .failure(.methodNotFound(method))
        }
    }

    /// A tool call: protocol faults (no such tool, arguments not an object) are JSON-RPC errors; a
    /// call that cannot be carried out (bad arguments, a refused or failed request) is an `isError`
    /// result the model can read and act on, carrying no `structuredContent`.
    private func callTool(params: [String: JSONValue], request: HTTPRequest) -> Result<JSONValue, JSONRPCFailure> {
        guard case .string(let name)? = params["name"] else { return .failure(.invalidParams("tools/call needs params.name, a string")) }
        guard let tool = MCPToolCatalogue.byName[name] else { return .failure(.invalidParams("Unknown tool: \(name)")) }
        let arguments: [String: JSONValue]
        switch params["arguments"] {
        case .none, .some(.null): arguments = [:]
        case .some(.object(let object)): arguments = object
        case .some: return .failure(.invalidParams("params.arguments must be an object"))
        }
        do {
            try tool.check(arguments)
            let call = try tool.request(MCPToolArguments(values: arguments, fallbackScope: fallbackScope(request)))
            let structured = try tool.render(try perform(call, for: request))
            return .success(.object([
                "content": .array([.object(["type": .string("text"), "text": .string(Self.compact(structured))])]),
                "structuredContent": structured,
                "isError": .bool(false),
            ]))
        } catch {
            return .success(.object([
                "content": .array([.object(["type": .string("text"), "text": .string(error.message)])]),
                "isError": .bool(true),
            ]))
        }
    }

    /// The scope the endpoint's URL names (`/mcp?user_id=alice&agent_id=cursor`), else the configured
    /// default user.
    private func fallbackScope(_ request: HTTPRequest) -> [String: String] {
        var scope: [String: String] = [:]
        for name in MCPToolArguments.scopeNames {
            if let value = request.queryValue(name), !value.isEmpty { scope[name] = value }
        }
        if scope.isEmpty, let user = settings.defaultUserID, !user.isEmpty { scope["user_id"] = user }
        return scope
    }

    /// Runs `call` through the REST router as the principal of `request`; the JSON of a 2xx answer,
    /// else a failure quoting the API's own explanation.
    private func perform(_ call: MCPRESTCall, for request: HTTPRequest) throws(MCPToolFailure) -> JSONValue {
        var target = call.path
        if !call.query.isEmpty {
            target += "?" + call.query.map { MCPToolCatalogue.segment($0.name) + "=" + MCPToolCatalogue.segment($0.value) }
                .joined(separator: "&")
        }
        let body = call.body?.jsonBytes ?? []
        var headers = HTTPHeaders()
        if !body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
        var inner = HTTPRequest(
            head: HTTPRequestHead(method: call.method, target: target, headers: headers, bodyLength: body.count),
            body: body, id: request.id)
        inner.context = request.context
        let response = rest.respond(to: inner)
        let answer = JSONValue.parse(response.bytes)
        guard (200..<300).contains(response.status.code) else {
            throw MCPToolFailure("Engram refused the call (HTTP \(response.status.code)): \(Self.detail(answer))")
        }
        guard let answer else { throw MCPToolFailure("Engram's answer could not be read") }
        return answer
    }

    /// The API's `detail`: a sentence, or a list of validation problems.
    private static func detail(_ answer: JSONValue?) -> String {
        switch answer?.objectValue?["detail"] {
        case .string(let text)?:
            return text
        case .array(let issues)?:
            return issues.map(problem).joined(separator: "; ")
        default:
            return "no explanation given"
        }
    }

    /// One validation problem as `field: message`, the request part (`body`, `query`) left out.
    private static func problem(_ issue: JSONValue) -> String {
        let object = issue.objectValue ?? [:]
        var parts: [String] = []
        if case .array(let location)? = object["loc"] {
            for part in location {
                if let name = part.stringValue, name != "body", name != "query" { parts.append(name) }
                if let index = part.numberValue { parts.append(String(Int(index))) }
            }
        }
        let message = object["msg"]?.stringValue ?? "invalid"
        return parts.isEmpty ? message : parts.joined(separator: ".") + ": " + message
    }

    // MARK: Era rules

    /// Why a handshake-era request cannot be served: a version header naming a revision we do not
    /// speak, or the modern revision without the `_meta` it requires.
    private static func handshakeRefusal(method: String, headers: HTTPHeaders) -> JSONRPCFailure? {
        guard method != "initialize", let version = headers[MCPProtocol.versionHeader] else { return nil }
        if version == MCPProtocol.modernVersion {
            return .invalidParams("A \(version) request must carry params._meta with '\(MCPProtocol.versionMetaKey)' and '\(MCPProtocol.capabilitiesMetaKey)'")
        }
        guard MCPProtocol.handshakeVersions.contains(version) else {
            return .invalidRequest("Unsupported \(MCPProtocol.versionHeader): \(version); this server speaks \(MCPProtocol.allVersions.joined(separator: ", "))")
        }
        return nil
    }

    /// Why a 2026-07-28 request cannot be served, checked in the specification's order: the `_meta`
    /// envelope, then the routing headers against the body, then the version.
    private static func modernRefusal(method: String, params: [String: JSONValue], headers: HTTPHeaders) -> JSONRPCFailure? {
        guard case .object(let meta)? = params["_meta"] else {
            return .invalidParams("params._meta must be an object with '\(MCPProtocol.versionMetaKey)' and '\(MCPProtocol.capabilitiesMetaKey)'")
        }
        let missing = [MCPProtocol.versionMetaKey, MCPProtocol.capabilitiesMetaKey].filter { meta[$0] == nil }
        if !missing.isEmpty { return .invalidParams("params._meta lacks \(missing.joined(separator: " and "))") }
        let version = meta[MCPProtocol.versionMetaKey]
        guard let header = headers[MCPProtocol.versionHeader], version == .string(header) else {
            return .headerMismatch("The \(MCPProtocol.versionHeader) header must equal params._meta's protocol version")
        }
        guard headers[MCPProtocol.methodHeader] == method else {
            return .headerMismatch("The \(MCPProtocol.methodHeader) header must equal the request's method")
        }
        if let key = MCPProtocol.nameBearingParams[method], case .string(let name)? = params[key],
           MCPProtocol.decodedHeader(headers[MCPProtocol.nameHeader]) != name {
            return .headerMismatch("The \(MCPProtocol.nameHeader) header must equal params.\(key)")
        }
        guard case .string(let requested)? = version else { return .invalidParams("The protocol version must be a string") }
        guard requested == MCPProtocol.modernVersion else {
            var failure = JSONRPCFailure(code: JSONRPCFailure.unsupportedVersionCode, message: "Unsupported protocol version: \(requested)")
            failure.data = .object([
                "supported": .array(MCPProtocol.allVersions.map(JSONValue.string)), "requested": .string(requested),
            ])
            return failure
        }
        return nil
    }

    /// A 2026-07-28 result: marked complete and signed with the server's identity.
    private static func modernResult(_ result: JSONValue) -> JSONValue {
        guard case .object(var members) = result else { return result }
        members["resultType"] = .string("complete")
        var meta = members["_meta"]?.objectValue ?? [:]
        meta[MCPProtocol.serverInfoMetaKey] = MCPProtocol.serverInfo
        members["_meta"] = .object(meta)
        return .object(members)
    }

    // MARK: Framing

    /// Whether the client takes only `text/event-stream` (some proxies and SDKs): then the answer is
    /// one event on a stream; otherwise plain JSON.
    static func wantsEventStream(_ headers: HTTPHeaders) -> Bool {
        let types = headers.values(for: "accept").flatMap { $0.split(separator: ",") }.map { range in
            (range.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        }
        let json = types.contains { ["application/json", "application/*", "*/*"].contains($0) }
        return !json && types.contains("text/event-stream")
    }

    private static func reply(_ reply: JSONRPCReply, status: Int, eventStream: Bool = false) -> HTTPResponse {
        let status = HTTPStatus(code: status)
        guard eventStream else {
            var headers = HTTPHeaders()
            headers.add(name: "Cache-Control", value: "no-store")
            return .json(bytes: reply.bytes, status: status, headers: headers)
        }
        let event = ServerSentEvent(event: "message", data: String(decoding: reply.bytes, as: UTF8.self))
        return HTTPResponse(status: status, headers: [
            "Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no",
        ], body: event.bytes)
    }

    static func compact(_ value: JSONValue) -> String { String(decoding: value.jsonBytes, as: UTF8.self) }
}
