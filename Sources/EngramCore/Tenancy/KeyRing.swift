import Crypto
import Foundation

/// An API key of a project, as stored: never the key itself, only its SHA-256.
public struct APIKeyRecord: Sendable, Equatable, Codable {
    public var id: String
    public var project: String
    /// Whether the key may use server-wide routes (`/configure`, `/admin/*`, `/reset`).
    public var admin: Bool
    public var createdAt: Date
    /// The key's first characters, to tell keys apart in a listing.
    public var prefix: String

    enum CodingKeys: String, CodingKey {
        case id, project, admin, prefix
        case createdAt = "created_at"
    }
}

/// Who a request acts as: a project, with or without administrator rights.
public struct Principal: Sendable, Equatable {
    public var project: String
    public var admin: Bool
    /// The stored key's id; nil for the configured administrator key and keyless servers.
    public var keyID: String?

    public init(project: String, admin: Bool, keyID: String? = nil) {
        self.project = project
        self.admin = admin
        self.keyID = keyID
    }
}

/// The project keys in a store (store-wide settings `api_key/<sha256 hex>`, so every instance sharing
/// a Postgres store sees a new or revoked key on its next request).
public struct KeyRing: Sendable {
    static let settingPrefix = "api_key/"
    let store: any MemoryStore

    public init(store: any MemoryStore) { self.store = store }

    /// Creates a key of `project`: returns its record and the key, which is shown once and never stored.
    public func create(project: String, admin: Bool, now: Date = Date()) throws -> (record: APIKeyRecord, key: String) {
        let project = try Self.validProject(project)
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let key = "eng_" + Self.hex(bytes)
        let record = APIKeyRecord(
            id: UUID().uuidString.lowercased(), project: project, admin: admin, createdAt: now, prefix: String(key.prefix(10)))
        try store.setSetting(Self.settingPrefix + Self.digest(key), value: String(decoding: try Self.encoder.encode(record), as: UTF8.self))
        return (record, key)
    }

    /// Every key, oldest first.
    public func list() throws -> [APIKeyRecord] {
        try store.settings(prefix: Self.settingPrefix).compactMap { Self.decode($0.value) }.sorted { $0.createdAt < $1.createdAt }
    }

    /// Revokes the key with this id; false when there is none.
    public func revoke(id: String) throws -> Bool {
        for (name, value) in try store.settings(prefix: Self.settingPrefix) where Self.decode(value)?.id == id {
            try store.setSetting(name, value: nil)
            return true
        }
        return false
    }

    /// The key's record, nil when no stored key matches (the lookup is by digest: exact match only).
    public func record(forKey key: String) throws -> APIKeyRecord? {
        try store.setting(Self.settingPrefix + Self.digest(key)).flatMap(Self.decode)
    }

    /// Whether any key is stored.
    public func isEmpty() throws -> Bool { try store.settings(prefix: Self.settingPrefix).isEmpty }

    /// A project name: 1 to 64 characters of letters, digits, `_`, `-` and `.`.
    public static func validProject(_ name: String) throws(MemoryError) -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.count <= 64,
              name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)) })
        else { throw .invalid("A project name is 1 to 64 letters, digits, '_', '-' or '.'") }
        return name
    }

    static func digest(_ key: String) -> String { hex(Array(SHA256.hash(data: Data(key.utf8)))) }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    private static func decode(_ text: String) -> APIKeyRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(APIKeyRecord.self, from: Data(text.utf8))
    }
}

extension MemoryService {
    /// The project keys of this engine's store.
    public var keyRing: KeyRing { KeyRing(store: store) }
}
