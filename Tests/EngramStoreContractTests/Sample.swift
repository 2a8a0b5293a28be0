import EngramCore
import Foundation

/// Test data builders shared by the contract tests.
enum Sample {
    static let base = normalised(Date(timeIntervalSince1970: 1_760_000_000.123456))
    static let today = "2026-01-01"
    static let visible = Visibility(today: today)

    /// A date rounded to the microsecond, as both stores read it back.
    static func normalised(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
    }

    /// A time `seconds` after `base`, as the stores read it back.
    static func time(_ seconds: Double) -> Date { normalised(base.addingTimeInterval(seconds)) }

    /// A time in the text form filters compare with: `2026-04-14T10:22:33.123456+00:00`.
    static func filterText(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = Date(timeIntervalSince1970: TimeInterval(micros / 1_000_000))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: seconds)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, Int(micros % 1_000_000))
    }

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

    static func job(_ id: String = UUID().uuidString.lowercased(), project: String = Memory.defaultProject, at seconds: Double = 0) -> AddJob {
        AddJob(id: id, project: project, payload: #"{"messages": "hi"}"#, createdAt: time(seconds))
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
