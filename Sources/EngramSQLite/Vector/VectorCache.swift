import Synchronization

/// Candidate vectors kept in memory between searches, keyed by project, compiled filter, visibility,
/// dimension and the scope tokens the filter pins, each tagged with the version it was loaded at (the
/// counters of those scope ids, or of the project when none is pinned; the tokens in the key keep the
/// two kinds apart). A search reads the version in the same read transaction it would load from, and
/// uses an entry as it is only at that exact version, so it never sees rows its snapshot does not have
/// (nor misses rows it does). An entry of an earlier version whose changes since were all inserts is
/// handed out for extending with the rows stored after it. Bounded by a total number of floats; the
/// least recently used entries go first.
final class VectorCache: Sendable {
    /// What a cached set was loaded for.
    struct Key: Hashable, Sendable {
        var project: String
        var condition: SQLFragment
        var dimension: Int
        var scopeTokens: [String] = []
    }

    /// The counters a set was loaded at: all changes, and the inserts among them (sums over the pinned
    /// scope ids, or the project's).
    struct Version: Equatable, Sendable {
        var generation: Int64
        var inserted: Int64

        /// Whether every change between `self` and the later `current` was an insert.
        func onlyInserts(until current: Version) -> Bool {
            current.generation > generation && current.generation - generation == current.inserted - inserted
        }
    }

    /// What a lookup found.
    enum Lookup {
        /// The set at exactly the version asked for.
        case current(CandidateVectors)
        /// A set of an earlier version, after which memories were only inserted: it lacks exactly the
        /// matching memories whose `seq` is above its `maxSeq`.
        case extendable(CandidateVectors)
        case missing
    }

    private struct Entry {
        var version: Version
        var vectors: CandidateVectors
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var totalFloats = 0
        var clock: UInt64 = 0
        var misses = 0
        var extensions = 0
    }

    private let floatBudget: Int
    private let state = Mutex(State())

    /// A cache holding at most `floatBudget` floats in all.
    init(floatBudget: Int) {
        self.floatBudget = floatBudget
    }

    /// The set cached for `key` at `version`, or one it can be brought to by inserts alone.
    func lookup(_ key: Key, version: Version) -> Lookup {
        state.withLock { state in
            guard var entry = state.entries[key] else {
                state.misses += 1
                return .missing
            }
            let found: Lookup
            if entry.version == version {
                found = .current(entry.vectors)
            } else if entry.version.onlyInserts(until: version) {
                state.extensions += 1
                found = .extendable(entry.vectors)
            } else {
                state.misses += 1
                return .missing
            }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return found
        }
    }

    /// The set cached for `key` at exactly `version`.
    func vectors(for key: Key, version: Version) -> CandidateVectors? {
        if case .current(let vectors) = lookup(key, version: version) { return vectors }
        return nil
    }

    /// How many vectors the entry for `key` holds, whatever its generation (an estimate for planning;
    /// counts neither as a use nor as a miss).
    func count(for key: Key) -> Int? {
        state.withLock { $0.entries[key]?.vectors.count }
    }

    /// Keeps `vectors` for `key` unless a newer version is already cached or the set exceeds the budget
    /// on its own; evicts least recently used entries to make room.
    func store(_ vectors: CandidateVectors, for key: Key, version: Version) {
        guard vectors.floatCount <= floatBudget else { return }
        state.withLock { state in
            if let existing = state.entries[key] {
                guard existing.version.generation < version.generation else { return }
                state.entries[key] = nil
                state.totalFloats -= existing.vectors.floatCount
            }
            while state.totalFloats + vectors.floatCount > floatBudget,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries[oldest.key] = nil
                state.totalFloats -= oldest.value.vectors.floatCount
            }
            state.clock += 1
            state.entries[key] = Entry(version: version, vectors: vectors, lastUse: state.clock)
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

    /// Drops every entry (after the vectors were replaced by a reindex).
    func removeAllProjects() {
        state.withLock { state in
            state.entries.removeAll()
            state.totalFloats = 0
        }
    }

    /// How many sets are cached (for tests).
    var count: Int { state.withLock { $0.entries.count } }

    /// How many lookups found nothing usable (for tests).
    var missCount: Int { state.withLock { $0.misses } }

    /// How many cached sets carry an int8 copy (for tests).
    var quantizedCount: Int { state.withLock { $0.entries.values.filter { $0.vectors.isQuantized }.count } }

        /// How many lookups found a set to extend (for tests).
    var extensionCount: Int { state.withLock { $0.extensions } }
}
