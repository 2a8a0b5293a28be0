import Crypto
import EngramCore
import EngramHTTP
import Foundation
import Synchronization

/// Authenticates every route but the open ones (API.md "Auth"): `X-API-Key: K`, `Authorization: Token
/// K` or `Authorization: Bearer K`. The configured administrator key (compared in constant time) acts
/// for the `default` project; a stored project key (`KeyRing`, looked up by its SHA-256 on every
/// request, so a revoked key fails at once) acts for its project. Anything else is 401 with
/// `WWW-Authenticate`. With no key configured and none stored, every request is the `default`
/// project's administrator (a loopback development server). Also guards `Expect: 100-continue`, so an
/// unauthenticated body is never read.
///
/// The principal travels to the routes in `HTTPRequest.context` (`Principal(request)`).
struct APIKeyGate: HTTPResponder {
    /// Paths served without a key.
    static let openPaths: Set<String> = Set(["/health", "/docs", "/openapi.json", "/"]).union(ConsoleRoutes.openPaths)

    let next: Router
    let keyRing: KeyRing?
    /// Whether the store held no key, as last read: on a server without an administrator key, read
    /// again at most once a second (a key created meanwhile is required from then on; a revoked or
    /// unknown key is refused at once either way, as every presented key is looked up).
    private let noStoredKeys = NoStoredKeys()
    /// SHA-256 of the administrator key: comparing fixed-size digests keeps the comparison
    /// constant-time whatever the length of what the client sent.
    private let keyDigest: [UInt8]?

    /// Paths open on this server besides `openPaths` (`/metrics` with `--metrics-public`).
    let extraOpenPaths: Set<String>

    init(apiKey: String?, keyRing: KeyRing?, next: Router, openPaths: Set<String> = []) {
        self.next = next
        self.extraOpenPaths = openPaths
        self.keyRing = keyRing
        self.keyDigest = apiKey.map { Array(SHA256.hash(data: Data($0.utf8))) }
    }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        switch authenticate(request.head) {
        case .refused(let response):
            return response
        case .open:
            return next.respond(to: request)
        case .principal(let principal):
            var request = request
            principal.store(in: &request.context)
            return next.respond(to: request)
        }
    }

    func preflight(_ head: HTTPRequestHead, requestID: String) -> HTTPResponse? {
        if case .refused(let response) = authenticate(head) { return response }
        return next.preflight(head, requestID: requestID)
    }

    enum Outcome {
        case open
        case principal(Principal)
        case refused(HTTPResponse)
    }

    private func authenticate(_ head: HTTPRequestHead) -> Outcome {
        let path = head.path.count > 1 && head.path.hasSuffix("/") ? String(head.path.dropLast()) : head.path
        let open = Self.openPaths.contains(path) || extraOpenPaths.contains(path)
        let presented = Self.presentedKey(head.headers)
        if let presented, let keyDigest {
            let digest = SHA256.hash(data: Data(presented.utf8))
            if Self.constantTimeEqual(Array(digest), keyDigest) {
                return .principal(Principal(project: Memory.defaultProject, admin: true))
            }
        }
        do {
            if let presented, let keyRing, let record = try keyRing.record(forKey: presented) {
                return .principal(Principal(project: record.project, admin: record.admin, keyID: record.id))
            }
            if keyDigest == nil, try noStoredKeys.value(keyRing) {
                return .principal(Principal(project: Memory.defaultProject, admin: true))
            }
        } catch {
            if open { return .open }
            return .refused(.error(.serviceUnavailable, detail: "The key store is unavailable"))
        }
        if open { return .open }
        let detail = presented == nil ? "Missing API key" : "Invalid API key"
        return .refused(.error(.unauthorized, detail: detail, headers: ["WWW-Authenticate": "Bearer"]))
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

extension Principal {
    private static let projectKey = "engram.project"
    private static let adminKey = "engram.admin"
    private static let keyIDKey = "engram.key_id"

    /// Who `request` acts as, as the gate found; the `default` project's administrator when no gate ran.
    init(_ request: HTTPRequest) {
        self.init(
            project: request.context[Self.projectKey] ?? Memory.defaultProject,
            admin: request.context[Self.adminKey].map { $0 == "1" } ?? true,
            keyID: request.context[Self.keyIDKey])
    }

    func store(in context: inout [String: String]) {
        context[Self.projectKey] = project
        context[Self.adminKey] = admin ? "1" : "0"
        context[Self.keyIDKey] = keyID
    }
}

extension MemoryService {
    /// The handle of the project `request` acts for.
    func serving(_ request: HTTPRequest) -> MemoryService { inProject(Principal(request).project) }
}

/// 403 unless `request` carries an administrator key.
func requireAdmin(_ request: HTTPRequest) throws {
    guard Principal(request).admin else {
        throw HTTPError(.forbidden, "This route needs an administrator key")
    }
}

/// A once-a-second reading of whether the store holds no project key.
private final class NoStoredKeys: Sendable {
    private let last = Mutex<(empty: Bool, at: ContinuousClock.Instant)?>(nil)

    func value(_ keyRing: KeyRing?) throws -> Bool {
        guard let keyRing else { return true }
        let now = ContinuousClock.now
        if let last = last.withLock({ $0 }), now - last.at < .seconds(1) { return last.empty }
        let empty = try keyRing.isEmpty()
        last.withLock { $0 = (empty, now) }
        return empty
    }
}
