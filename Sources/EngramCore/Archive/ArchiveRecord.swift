import Foundation

/// The JSON Lines format of `engram export` and `engram import`: a header line, then one object per
/// memory with its history and graph (docs/operations.md shows both). Import also reads what mem0
/// hands out (`get_all` results of the platform or the open-source library, platform exports): the same
/// field names for the memory itself, without history or graph.
public enum ArchiveRecord {
    public static let formatName = "engram-export"
    public static let formatVersion = 1

    /// The first line of an export.
    public static func header(embeddingModel: String?, dimension: Int?, at time: Date) -> JSONValue {
        .object([
            "format": .string(formatName), "version": .number(Double(formatVersion)),
            "engram_version": .string(EngramVersion.current),
            "embedding_model": embeddingModel.map(JSONValue.string) ?? .null,
            "dimension": dimension.map { .number(Double($0)) } ?? .null,
            "exported_at": .string(DateText.format(time)),
        ])
    }

    /// One memory's line; with `vector`, its embedding too (`embedding`: base64 of little-endian float32),
    /// which an import with the same embedding model keeps instead of embedding the text again.
    public static func line(memory: Memory, history: [HistoryEvent], graph: ArchivedGraph?, vector: Bool = false) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var object: [String: JSONValue] = [
            "id": .string(memory.id), "project": .string(memory.project), "memory": .string(memory.text),
            "hash": .string(memory.hash), "metadata": memory.metadata.map(JSONValue.object) ?? .null,
            "categories": .array(memory.categories.map(JSONValue.string)),
            "user_id": text(memory.scope.userID), "agent_id": text(memory.scope.agentID), "run_id": text(memory.scope.runID),
            "app_id": text(memory.scope.appID), "actor_id": text(memory.actorID), "role": text(memory.role),
            "created_at": .string(DateText.format(memory.createdAt)), "updated_at": .string(DateText.format(memory.updatedAt)),
            "expiration_date": text(memory.expirationDate), "state": .string(memory.state.rawValue),
            "history": .array(history.map { event in
                .object([
                    "id": .string(event.id), "event": .string(event.event.rawValue), "old_memory": text(event.oldMemory),
                    "new_memory": text(event.newMemory), "created_at": .string(DateText.format(event.createdAt)),
                    "is_deleted": .bool(event.isDeleted), "actor_id": text(event.actorID), "role": text(event.role),
                ])
            }),
        ]
        if vector, !memory.embedding.isEmpty { object["embedding"] = .string(encode(memory.embedding)) }
        if let graph, !graph.entities.isEmpty || !graph.relations.isEmpty {
            object["entities"] = .array(graph.entities.map { .object(["name": .string($0.name), "type": .string($0.type)]) })
            object["relations"] = .array(graph.relations.map { relation in
                .object([
                    "id": .string(relation.id),
                    "source": .object(["name": .string(relation.source), "type": .string(relation.sourceType)]),
                    "relationship": .string(relation.relationship),
                    "target": .object(["name": .string(relation.target), "type": .string(relation.targetType)]),
                    "fact": text(relation.fact), "valid_at": text(relation.validAt.map(DateText.format)),
                    "invalid_at": text(relation.invalidAt.map(DateText.format)),
                    "created_at": .string(DateText.format(relation.createdAt)),
                    "expired_at": text(relation.expiredAt.map(DateText.format)), "origin": .string(relation.origin.rawValue),
                ])
            })
        }
        return .object(object)
    }

    /// `vector` as base64 of its little-endian float32 bytes.
    static func encode(_ vector: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }

    /// `encode`'s form read back: finite values, not all zero.
    static func decodeVector(_ text: String) throws(ArchiveError) -> [Float] {
        guard let data = Data(base64Encoded: text), !data.isEmpty, data.count % 4 == 0 else {
            throw ArchiveError("'embedding' must be base64 of float32 values")
        }
        let vector = data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        guard vector.allSatisfy(\.isFinite) else { throw ArchiveError("'embedding' holds a value that is not a finite number") }
        // A zero vector has no direction: every cosine with it is undefined.
        guard vector.contains(where: { $0 != 0 }) else { throw ArchiveError("'embedding' is all zeros") }
        return vector
    }

    /// The embedding model and dimension an export's header names (nil for what it leaves out).
    public static func headerEmbedder(_ object: [String: JSONValue]) -> (model: String?, dimension: Int?) {
        (object["embedding_model"]?.stringValue, object["dimension"]?.numberValue.flatMap { Int(exactly: $0) })
    }

    /// Whether a line is an export's header (skipped on import; its format version is checked).
    public static func isHeader(_ object: [String: JSONValue]) throws(ArchiveError) -> Bool {
        guard object["format"]?.stringValue == formatName else { return false }
        guard let version = object["version"]?.numberValue, version == Double(formatVersion) else {
            throw ArchiveError("an export of format version \(object["version"]?.numberValue.map { String(Int($0)) } ?? "?"); this build reads version \(formatVersion)")
        }
        return true
    }

    /// A memory read from a line, before ids are settled and it is embedded.
    public struct Parsed: Sendable {
        public var id: String?
        public var project: String?
        public var text: String
        public var hash: String
        public var metadata: [String: JSONValue]?
        public var categories: [String]
        public var scope: Scope
        public var actorID: String?
        public var role: String?
        public var createdAt: Date
        public var updatedAt: Date
        public var expirationDate: String?
        public var state: Memory.State
        /// Nil when the line had none (mem0's shapes): an ADD at `createdAt` is written for it.
        public var history: [HistoryEvent]?
        public var entities: [EntityMention]
        public var relations: [GraphRelation]
        /// The embedding an export with vectors carried, kept when the export's model is the importer's.
        public var embedding: [Float]?
    }

    /// Reads one memory; `now` stands in for missing times.
    public static func parse(_ value: JSONValue, now: Date) throws(ArchiveError) -> Parsed {
        guard case .object(let object) = value else { throw ArchiveError("not a JSON object") }
        func string(_ key: String) throws(ArchiveError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw ArchiveError("'\(key)' must be a string")
            }
        }
        func time(_ key: String, in source: [String: JSONValue] = object, _ owner: String = "") throws(ArchiveError) -> Date? {
            switch source[key] {
            case nil, .null?: return nil
            case .string(let text)?:
                guard let date = DateText.dateTime(text) ?? DateText.dateTime(text + "Z") ?? DateText.parse(text) else {
                    throw ArchiveError("'\(owner)\(key)' is not an ISO-8601 time: \(text.prefix(40))")
                }
                return date
            default: throw ArchiveError("'\(owner)\(key)' must be a string")
            }
        }
        let (memory, plain) = (try string("memory"), try string("text"))
        guard let text = memory ?? plain else { throw ArchiveError("no 'memory' text") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ArchiveError("'memory' is empty") }
        guard !text.utf8.contains(0) else { throw ArchiveError("'memory' contains a NUL character") }
        let id = try string("id")
        if let id { try checkID(id, "id") }
        let scope: Scope
        let (user, agent, run, app) = (try string("user_id"), try string("agent_id"), try string("run_id"), try string("app_id"))
        do {
            scope = try Scope(userID: user, agentID: agent, runID: run, appID: app)
        } catch {
            throw ArchiveError(error.message)
        }
        var metadata: [String: JSONValue]?
        switch object["metadata"] {
        case nil, .null?: metadata = nil
        case .object(let members)?: metadata = MemoryService.cleanMetadata(members)
        default: throw ArchiveError("'metadata' must be an object")
        }
        var categories: [String] = []
        switch object["categories"] {
        case nil, .null?: break
        case .array(let items)?:
            for item in items {
                guard let name = item.stringValue?.trimmingCharacters(in: .whitespaces).lowercased(), !name.isEmpty else {
                    throw ArchiveError("'categories' must be a list of names")
                }
                if !categories.contains(name) { categories.append(name) }
            }
        default: throw ArchiveError("'categories' must be a list of names")
        }
        let created = try time("created_at") ?? now
        let updated = try time("updated_at") ?? created
        var state = Memory.State.active
        if let raw = try string("state") {
            guard let parsed = Memory.State(rawValue: raw) else { throw ArchiveError("'state' must be active or superseded") }
            state = parsed
        }
        let expiration = try string("expiration_date")
        if let expiration {
            guard expiration.utf8.count == 10, DateText.parse(expiration) != nil else {
                throw ArchiveError("'expiration_date' must be YYYY-MM-DD")
            }
        }
        var history: [HistoryEvent]?
        switch object["history"] {
        case nil, .null?: history = nil
        case .array(let items)?:
            history = []
            for (index, item) in items.enumerated() {
                guard case .object(let event) = item else { throw ArchiveError("history[\(index)] is not an object") }
                let owner = "history[\(index)]."
                func field(_ key: String) throws(ArchiveError) -> String? {
                    switch event[key] {
                    case nil, .null?: return nil
                    case .string(let text)?: return text
                    default: throw ArchiveError("'\(owner)\(key)' must be a string")
                    }
                }
                guard let kind = try field("event").flatMap(HistoryEvent.Kind.init(rawValue:)) else {
                    throw ArchiveError("'\(owner)event' must be ADD, UPDATE or DELETE")
                }
                let eventID = try field("id")
                if let eventID { try checkID(eventID, owner + "id") }
                var deleted = false
                switch event["is_deleted"] {
                case nil, .null?: deleted = kind == .delete
                case .bool(let flag)?: deleted = flag
                case .number(let number)?: deleted = number != 0
                default: throw ArchiveError("'\(owner)is_deleted' must be a boolean")
                }
                history?.append(HistoryEvent(
                    id: eventID ?? "", memoryID: id ?? "", oldMemory: try field("old_memory"), newMemory: try field("new_memory"),
                    event: kind, createdAt: try time("created_at", in: event, owner) ?? created, isDeleted: deleted,
                    actorID: try field("actor_id"), role: try field("role"), scope: scope))
            }
        default: throw ArchiveError("'history' must be a list")
        }
        let entities = try mentions(object["entities"], "entities")
        var relations: [GraphRelation] = []
        switch object["relations"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard case .object(let relation) = item else { throw ArchiveError("relations[\(index)] is not an object") }
                let owner = "relations[\(index)]."
                guard let source = try mentions(.array([relation["source"] ?? .null]), owner + "source").first,
                      let target = try mentions(.array([relation["target"] ?? .null]), owner + "target").first
                else { throw ArchiveError("'\(owner)source' and 'target' must be entities") }
                guard let relationship = relation["relationship"]?.stringValue, !relationship.isEmpty, relationship.utf8.count <= 200 else {
                    throw ArchiveError("'\(owner)relationship' must be a name")
                }
                guard let relationID = relation["id"]?.stringValue else { throw ArchiveError("'\(owner)id' is missing") }
                try checkID(relationID, owner + "id")
                let origin = relation["origin"]?.stringValue.flatMap(GraphRelation.Origin.init(rawValue:)) ?? .heuristic
                let fact: String?
                switch relation["fact"] {
                case nil, .null?: fact = nil
                case .string(let text)?: fact = text
                default: throw ArchiveError("'\(owner)fact' must be a string")
                }
                relations.append(GraphRelation(
                    id: relationID, source: source.name, sourceType: source.type, relationship: relationship, target: target.name,
                    targetType: target.type, fact: fact, validAt: try time("valid_at", in: relation, owner),
                    invalidAt: try time("invalid_at", in: relation, owner), createdAt: try time("created_at", in: relation, owner) ?? created,
                    expiredAt: try time("expired_at", in: relation, owner), memoryIDs: [], origin: origin, sourceID: "", targetID: ""))
            }
        default: throw ArchiveError("'relations' must be a list")
        }
        var embedding: [Float]?
        if let encoded = try string("embedding") { embedding = try decodeVector(encoded) }
        var project = try string("project")
        if let name = project {
            do {
                project = try KeyRing.validProject(name)
            } catch {
                throw ArchiveError("'project': \(error.message)")
            }
        }
        return Parsed(
            id: id, project: project, text: text, hash: MemoryService.hash(text), metadata: metadata, categories: categories,
            scope: scope, actorID: try string("actor_id"), role: try string("role"), createdAt: created, updatedAt: updated,
            expirationDate: expiration, state: state, history: history, entities: entities, relations: relations, embedding: embedding)
    }

    private static func mentions(_ value: JSONValue?, _ key: String) throws(ArchiveError) -> [EntityMention] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map { item throws(ArchiveError) in
                guard case .object(let entity) = item, let name = entity["name"]?.stringValue,
                      !name.trimmingCharacters(in: .whitespaces).isEmpty, name.utf8.count <= 500
                else { throw ArchiveError("'\(key)' must hold entities with a name") }
                return EntityMention(name: name, type: entity["type"]?.stringValue ?? "entity")
            }
        default: throw ArchiveError("'\(key)' must be a list")
        }
    }

    /// Ids are opaque, but bounded and printable.
    private static func checkID(_ id: String, _ key: String) throws(ArchiveError) {
        guard !id.isEmpty, id.utf8.count <= 200, !id.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 })
        else { throw ArchiveError("'\(key)' must be a non-empty id without spaces, at most 200 bytes") }
    }
}

/// Why a line of an import cannot be read.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
