import EngramHTTP

/// How the `/mcp` endpoint is exposed (`engram serve --mcp-allowed-origins`, `ENGRAM_MCP_*`).
public struct MCPSettings: Sendable {
    /// Browser origins allowed to call `/mcp` besides loopback ones (`http://localhost:3000`, …);
    /// `*` allows every origin. Requests without an `Origin` header (every non-browser client) are
    /// always served.
    public var allowedOrigins: [String]
    /// The user a tool call acts for when neither its arguments nor the endpoint's URL name a scope.
    public var defaultUserID: String?
    /// Whether `/mcp` answers only requests whose `Host` is a loopback name: set for a keyless server
    /// bound to loopback, where a DNS-rebound page (whose requests carry the attacker's host name)
    /// would otherwise reach it without sending an `Origin` the check could refuse.
    public var requireLoopbackHost: Bool

    public init(allowedOrigins: [String] = [], defaultUserID: String? = nil, requireLoopbackHost: Bool = false) {
        self.allowedOrigins = allowedOrigins
        self.defaultUserID = defaultUserID
        self.requireLoopbackHost = requireLoopbackHost
    }

    /// Whether a browser page at `origin` may call the endpoint: loopback pages always (they run on
    /// the user's own machine), others only when listed. This is the specification's defence against
    /// DNS rebinding, where a hostile page's requests reach a local server under its own name.
    func allows(origin: String) -> Bool {
        if allowedOrigins.contains("*") { return true }
        let normalised = origin.lowercased()
        if allowedOrigins.contains(where: { $0.lowercased() == normalised }) { return true }
        return Self.isLoopback(origin: normalised)
    }

    /// Whether a `Host` header names this machine's loopback interface (with any port).
    static func isLoopback(host: String) -> Bool {
        isLoopback(origin: "http://" + host.lowercased())
    }

    static func isLoopback(origin: String) -> Bool {
        guard let scheme = ["http://", "https://"].first(where: origin.hasPrefix) else { return false }
        let authority = origin.dropFirst(scheme.count)
        let host: Substring
        let rest: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return false }
            host = authority[...close]
            rest = authority[authority.index(after: close)...]
        } else {
            let colon = authority.firstIndex(of: ":") ?? authority.endIndex
            host = authority[..<colon]
            rest = authority[colon...]
        }
        let loopbackIPv4 = host.hasPrefix("127.") && host.split(separator: ".", omittingEmptySubsequences: false).count == 4
            && host.allSatisfy { $0 == "." || ("0"..."9").contains($0) }
        guard host == "localhost" || host == "[::1]" || loopbackIPv4 else { return false }
        guard let port = rest.first == ":" ? rest.dropFirst() : nil else { return rest.isEmpty }
        return (1...5).contains(port.count) && port.allSatisfy { ("0"..."9").contains($0) }
    }
}

/// What an MCP client meets before authentication (reference/mcp.md "Pitfalls"): clients probe `GET`
/// and `DELETE /mcp` and the OAuth discovery documents before sending a key, and treat anything but a
/// clean 405 or JSON 404 as a broken server. So those answers come first, then the `Origin` check,
/// then `next` (the API key gate and the routes), with CORS headers for allowed browser pages.
struct MCPTransportGuard: HTTPResponder {
    static let paths: Set<String> = ["/mcp", "/mcp/"]

    let settings: MCPSettings
    let next: any HTTPResponder

    func respond(to request: HTTPRequest) -> HTTPResponse {
        if let early = answerBeforeAuthentication(request.head) { return early }
        var response = next.respond(to: request)
        if Self.paths.contains(request.head.path), let origin = request.head.headers["origin"] {
            for field in Self.corsHeaders(origin: origin) { response.headers.replace(name: field.name, value: field.value) }
        }
        return response
    }

    func preflight(_ head: HTTPRequestHead, requestID: String) -> HTTPResponse? {
        answerBeforeAuthentication(head) ?? next.preflight(head, requestID: requestID)
    }

    private func answerBeforeAuthentication(_ head: HTTPRequestHead) -> HTTPResponse? {
        if Self.isAuthorizationDiscovery(head.path) {
            return .error(.notFound, detail: "This server does not use OAuth: send an API key as 'Authorization: Bearer <key>'")
        }
        guard Self.paths.contains(head.path) else { return nil }
        if let origin = head.headers["origin"], !settings.allows(origin: origin) {
            return Self.rpcError(.forbidden, message: "Forbidden origin: \(origin)")
        }
        if settings.requireLoopbackHost, !MCPSettings.isLoopback(host: head.headers["host"] ?? "") {
            return Self.rpcError(.forbidden, message: "Forbidden host: a keyless server answers /mcp on localhost only")
        }
        switch head.method {
        case .post:
            return nil
        case .options:
            var headers = HTTPHeaders()
            if let origin = head.headers["origin"] { headers = Self.corsHeaders(origin: origin) }
            headers.add(name: "Allow", value: "POST, OPTIONS")
            return HTTPResponse(status: .noContent, headers: headers)
        default:
            // No server-initiated stream and no sessions to end: GET and DELETE are not offered.
            var response = Self.rpcError(.methodNotAllowed, message: "Method not allowed: this endpoint takes POST only")
            response.headers.add(name: "Allow", value: "POST")
            return response
        }
    }

    /// RFC 8414 / 9728 metadata and dynamic client registration, at the root or under a path.
    static func isAuthorizationDiscovery(_ path: String) -> Bool {
        path.contains("/.well-known/oauth-") || path.contains("/.well-known/openid-configuration") || path == "/register"
    }

    static func corsHeaders(origin: String) -> HTTPHeaders {
        [
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers":
                "Content-Type, Accept, Authorization, X-API-Key, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Session-Id, Last-Event-ID",
            "Access-Control-Expose-Headers": "Mcp-Session-Id, MCP-Protocol-Version",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        ]
    }

    private static func rpcError(_ status: HTTPStatus, message: String) -> HTTPResponse {
        let reply = JSONRPCReply(id: nil, outcome: .failure(.invalidRequest(message)))
        return .json(bytes: reply.bytes, status: status)
    }
}
