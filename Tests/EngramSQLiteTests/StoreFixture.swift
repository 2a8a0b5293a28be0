import EngramCore
import Foundation
@testable import EngramSQLite

/// A store on a fresh SQLite file in its own temporary directory, removed afterwards.
struct StoreFixture {
    let directory: URL
    var path: String { directory.appendingPathComponent("engram.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Runs `body` with a store on a new file, then deletes the directory.
    static func run<T>(_ body: (SQLiteMemoryStore, StoreFixture) throws -> T) throws -> T {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        return try body(try fixture.open(), fixture)
    }

    func open(_ configuration: SQLiteStoreConfiguration = SQLiteStoreConfiguration()) throws -> SQLiteMemoryStore {
        try SQLiteMemoryStore(path: path, configuration: configuration)
    }
}

/// Test data builders.
enum Sample {
    static let base = StoredTime.normalised(Date(timeIntervalSince1970: 1_760_000_000.123456))
    static let today = "2026-01-01"
    static let visible = Visibility(today: today)

    /// A time `seconds` after `base`, as the store reads it back.
    static func time(_ seconds: Double) -> Date { StoredTime.normalised(base.addingTimeInterval(seconds)) }

    static func memory(
        _ text: String, id: String = UUID().uuidString.lowercased(), user: String? = "alice", agent: String? = nil,
        run: String? = nil, metadata: [String: JSONValue]? = nil, at seconds: Double = 0, expires: String? = nil,
        state: Memory.State = .active, project: String = Memory.defaultProject, actor: String? = nil, role: String? = nil,
        embedding: [Float]? = nil
    ) -> Memory {
        Memory(
            id: id, text: text, hash: "h\(seed(text))", metadata: metadata,
            scope: Scope(stored: user, agentID: agent, runID: run), actorID: actor, role: role,
            createdAt: time(seconds), updatedAt: time(seconds), expirationDate: expires, state: state, project: project,
            embedding: embedding ?? unitVector(seed: seed(text), dimension: 8)
        )
    }

    /// A stable seed from text (FNV-1a), unlike `hashValue`.
    static func seed(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    static func event(
        for memory: Memory, _ kind: HistoryEvent.Kind, at seconds: Double, old: String? = nil, new: String? = nil
    ) -> HistoryEvent {
        HistoryEvent(
            id: UUID().uuidString.lowercased(), memoryID: memory.id, oldMemory: old, newMemory: new, event: kind,
            createdAt: time(seconds), isDeleted: kind == .delete, actorID: memory.actorID, role: memory.role,
            scope: memory.scope, project: memory.project
        )
    }

    static func inserting(_ memories: [Memory]) -> MemoryChanges {
        var changes = MemoryChanges()
        changes.inserts = memories
        changes.history = memories.map { event(for: $0, .add, at: 0, new: $0.text) }
        return changes
    }

    /// A deterministic pseudo-random unit vector.
    static func unitVector(seed: UInt64, dimension: Int) -> [Float] {
        var generator = SplitMix(state: seed &+ 0x9E37_79B9)
        return unitVector(using: &generator, dimension: dimension)
    }

    static func unitVector(using generator: inout SplitMix, dimension: Int) -> [Float] {
        let raw = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
        let norm = sqrt(raw.reduce(0) { $0 + $1 * $1 })
        return raw.map { $0 / norm }
    }

    /// Parses a JSON filter as the API does.
    static func filter(_ json: String) throws -> Filter {
        try FilterParser.parse(JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))
    }
}

/// A small seeded generator, so failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
