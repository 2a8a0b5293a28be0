import Crypto
import EngramHTTP
import Foundation

/// Requires the configured API key on every route but the open ones (API.md "Auth"): `X-API-Key: K`,
/// `Authorization: Token K` or `Authorization: Bearer K`, compared in constant time; otherwise 401
/// with `WWW-Authenticate`. Also guards `Expect: 100-continue`, so an unauthenticated body is never read.
struct APIKeyGate: HTTPResponder {
    /// Paths served without a key.
    static let openPaths: Set<String> = ["/health", "/docs", "/openapi.json", "/"]

    let next: Router
    /// SHA-256 of the key: comparing fixed-size digests keeps the comparison constant-time whatever
    /// the length of what the client sent.
    private let keyDigest: [UInt8]?

    init(apiKey: String?, next: Router) {
        self.next = next
        self.keyDigest = apiKey.map { Array(SHA256.hash(data: Data($0.utf8))) }
    }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        if let refusal = check(request.head) { return refusal }
        return next.respond(to: request)
    }

    func preflight(_ head: HTTPRequestHead, requestID: String) -> HTTPResponse? {
        check(head) ?? next.preflight(head, requestID: requestID)
    }

    private func check(_ head: HTTPRequestHead) -> HTTPResponse? {
        guard let keyDigest else { return nil }
        let path = head.path.count > 1 && head.path.hasSuffix("/") ? String(head.path.dropLast()) : head.path
        if Self.openPaths.contains(path) { return nil }
        guard let presented = Self.presentedKey(head.headers) else {
            return .error(.unauthorized, detail: "Missing API key", headers: ["WWW-Authenticate": "Bearer"])
        }
        let digest = SHA256.hash(data: Data(presented.utf8))
        guard Self.constantTimeEqual(Array(digest), keyDigest) else {
            return .error(.unauthorized, detail: "Invalid API key", headers: ["WWW-Authenticate": "Bearer"])
        }
        return nil
    }

    static func presentedKey(_ headers: HTTPHeaders) -> String? {
        if let key = headers["x-api-key"], !key.isEmpty { return key }
        guard let authorization = headers["authorization"] else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, ["token", "bearer"].contains(parts[0].lowercased()) else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
