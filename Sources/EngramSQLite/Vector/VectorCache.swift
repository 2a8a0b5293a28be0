import Synchronization

/// Candidate vectors kept in memory between searches, keyed by project, compiled filter, visibility,
/// dimension and the scope tokens the filter pins, each tagged with the generation it was loaded at (of
/// those scope ids, or of the project when none is pinned; the tokens in the key keep the two kinds of
/// generation apart). A search reads the generation in the same read transaction it would load from, and
/// uses an entry only at that exact generation, so it never sees rows its snapshot does not have (nor
/// misses rows it does). Bounded by a total number of
/// floats; the least recently used entries go first.
final class VectorCache: Sendable {
    /// What a cached set was loaded for.
    struct Key: Hashable, Sendable {
        var project: String
        var condition: SQLFragment
        var dimension: Int
        var scopeTokens: [String] = []
    }

    private struct Entry {
        var generation: Int64
        var vectors: CandidateVectors
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var totalFloats = 0
        var clock: UInt64 = 0
        var misses = 0
    }

    private let floatBudget: Int
    private let state = Mutex(State())

    /// A cache holding at most `floatBudget` floats in all.
    init(floatBudget: Int) {
        self.floatBudget = floatBudget
    }

    /// The set cached for `key` at exactly `generation`.
    func vectors(for key: Key, generation: Int64) -> CandidateVectors? {
        state.withLock { state in
            guard var entry = state.entries[key], entry.generation == generation else {
                state.misses += 1
                return nil
            }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.vectors
        }
    }

    /// How many vectors the entry for `key` holds, whatever its generation (an estimate for planning;
    /// counts neither as a use nor as a miss).
    func count(for key: Key) -> Int? {
        state.withLock { $0.entries[key]?.vectors.seqs.count }
    }

    /// Keeps `vectors` for `key` unless a newer generation is already cached or the set exceeds the
    /// budget on its own; evicts least recently used entries to make room.
    func store(_ vectors: CandidateVectors, for key: Key, generation: Int64) {
        guard vectors.floatCount <= floatBudget else { return }
        state.withLock { state in
            if let existing = state.entries[key] {
                guard existing.generation < generation else { return }
                state.entries[key] = nil
                state.totalFloats -= existing.vectors.floatCount
            }
            while state.totalFloats + vectors.floatCount > floatBudget,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries[oldest.key] = nil
                state.totalFloats -= oldest.value.vectors.floatCount
            }
            state.clock += 1
            state.entries[key] = Entry(generation: generation, vectors: vectors, lastUse: state.clock)
            state.totalFloats += vectors.floatCount
        }
    }

    /// Drops every entry of `project` (after a reset, to free memory early; correctness does not need it).
    func removeAll(project: String) {
        state.withLock { state in
            for (key, entry) in state.entries where key.project == project {
                state.entries[key] = nil
                state.totalFloats -= entry.vectors.floatCount
            }
        }
    }

    /// How many sets are cached (for tests).
    var count: Int { state.withLock { $0.entries.count } }

    /// How many lookups found nothing usable (for tests).
    var missCount: Int { state.withLock { $0.misses } }
}
