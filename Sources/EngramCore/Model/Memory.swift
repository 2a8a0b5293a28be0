import Foundation

/// One remembered fact, with its scope, provenance and embedding.
public struct Memory: Sendable, Equatable {
    /// Whether a memory is current. Superseded memories were contradicted by later input: hidden from
    /// search and list unless asked for, still readable by id and in history.
    public enum State: String, Sendable, Codable {
        case active
        case superseded
    }

    /// A UUID string.
    public var id: String
    /// The fact itself.
    public var text: String
    /// md5 of `text`, hex, as mem0 computes it.
    public var hash: String
    /// Caller metadata, never holding the scope keys.
    public var metadata: [String: JSONValue]?
    public var scope: Scope
    /// Who said it (the message's `name`), for memories stored verbatim.
    public var actorID: String?
    /// The role of the message it came from, for memories stored verbatim.
    public var role: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// `YYYY-MM-DD`: after that day the memory is hidden from search and list unless `show_expired`.
    public var expirationDate: String?
    public var state: State
    /// The tenant; "default" until per-project keys exist.
    public var project: String
    /// The unit-length embedding of `text`.
    public var embedding: [Float]
    /// What the memory is about (mem0's categories: `food`, `travel`, …), lowercase, without repeats.
    public var categories: [String]

    /// Creates a memory.
    public init(
        id: String, text: String, hash: String, metadata: [String: JSONValue]?, scope: Scope,
        actorID: String? = nil, role: String? = nil, createdAt: Date, updatedAt: Date,
        expirationDate: String? = nil, state: State = .active, project: String = Memory.defaultProject,
        embedding: [Float], categories: [String] = []
    ) {
        self.categories = categories
        self.id = id
        self.text = text
        self.hash = hash
        self.metadata = metadata
        self.scope = scope
        self.actorID = actorID
        self.role = role
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expirationDate = expirationDate
        self.state = state
        self.project = project
        self.embedding = embedding
    }

    /// The project every memory belongs to until per-project keys exist.
    public static let defaultProject = "default"
}

/// A memory with the scores that ranked it.
public struct ScoredMemory: Sendable, Equatable {
    public var memory: Memory
    /// The final score in [0, 1].
    public var score: Double
    /// The semantic part: raw cosine similarity from a store, clamped to [0, 1] once fused.
    public var semanticScore: Double?
    /// The keyword part: raw BM25 relevance from a store, relative to the best match once fused.
    public var keywordScore: Double?
    /// The graph part (`GraphSearch`), once fused.
    public var graphScore: Double?
    /// The reranker's own score (its scale), when the search was reranked.
    public var rerankScore: Double?

    public init(
        memory: Memory, score: Double, semanticScore: Double? = nil, keywordScore: Double? = nil, graphScore: Double? = nil,
        rerankScore: Double? = nil
    ) {
        self.rerankScore = rerankScore
        self.memory = memory
        self.score = score
        self.semanticScore = semanticScore
        self.keywordScore = keywordScore
        self.graphScore = graphScore
    }
}

/// How a memory's categories are stored: a JSON array of strings (nil when there are none).
public enum CategoryList {
    public static func encode(_ categories: [String]) -> String? {
        guard !categories.isEmpty, let data = try? JSONEncoder().encode(categories) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode(_ text: String?) -> [String] {
        guard let text, let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return list
    }

    /// Lowercased, trimmed, without empties or repeats, in order.
    public static func normalised(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.compactMap { name in
            let name = name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard !name.isEmpty, name.utf8.count <= 64, seen.insert(name).inserted else { return nil }
            return name
        }
    }
}
