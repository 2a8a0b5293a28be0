import EngramCore
import EngramPostgres
import EngramPostgresTestSupport
import Foundation

/// A fresh Postgres store on its own database of the shared test cluster.
func makePostgresStore(
    dimension: Int? = 8, configure: (inout PostgresStoreConfiguration) -> Void = { _ in }
) throws -> (store: PostgresMemoryStore, url: String) {
    let url = try EmbeddedPostgres.shared.makeDatabase()
    var configuration = PostgresStoreConfiguration()
    configure(&configuration)
    let store = try PostgresMemoryStore(url: url, configuration: configuration)
    if let dimension { try store.prepare(embeddingModel: "postgres-test", dimension: dimension) }
    return (store, url)
}

/// A memory for these tests.
func testMemory(_ text: String, user: String = "alice", at seconds: Double = 0, embedding: [Float]) -> Memory {
    let time = Date(timeIntervalSince1970: 1_760_000_000 + seconds)
    return Memory(
        id: UUID().uuidString.lowercased(), text: text, hash: "h", metadata: nil, scope: Scope(stored: user, agentID: nil, runID: nil),
        createdAt: time, updatedAt: time, embedding: embedding)
}

/// Memories and their ADD history rows as one change set.
func inserting(_ memories: [Memory]) -> MemoryChanges {
    var changes = MemoryChanges()
    changes.inserts = memories
    changes.history = memories.map { memory in
        HistoryEvent(
            id: UUID().uuidString.lowercased(), memoryID: memory.id, oldMemory: nil, newMemory: memory.text, event: .add,
            createdAt: memory.createdAt, isDeleted: false, actorID: nil, role: nil, scope: memory.scope, project: memory.project)
    }
    return changes
}

/// A seeded unit vector.
func unitVector(_ generator: inout SeededGenerator, dimension: Int) -> [Float] {
    let raw = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
    let norm = sqrt(raw.reduce(0) { $0 + $1 * $1 })
    return raw.map { $0 / norm }
}

/// SplitMix64, so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A deterministic embedder for service-level tests: words hashed into 64 buckets, normalised, so a
/// text is identical to itself and texts sharing words are similar.
struct WordHashEmbedder: Embedder {
    let modelID = "word-hash"
    let dimension = 64

    func embed(_ text: String) throws -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            let hash = word.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
            vector[Int(hash % UInt64(dimension))] += 1
        }
        let norm = sqrt(vector.reduce(0) { $0 + $1 * $1 })
        guard norm > 0 else { return [1] + [Float](repeating: 0, count: dimension - 1) }
        return vector.map { $0 / norm }
    }

    func embed(batch texts: [String]) throws -> [[Float]] { try texts.map(embed) }

    func tokenCount(of text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }
}
