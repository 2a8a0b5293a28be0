import Synchronization

/// How many memories hold each search term in their text, kept between searches. Counting walks a
/// term's whole posting list in the keyword index, all projects and scopes included (the IDF of BM25
/// is over the whole table), so a common word costs about a millisecond per 40,000 memories holding it,
/// on every search, however small the scope searched. The counts are tagged with the database version
/// they were made at (the sum of the project generations, which every write to a memory bumps and
/// nothing lowers), read by each search in its own snapshot, and used only at exactly that version: a
/// search never sees a count its snapshot would not give. Any write makes every count stale; the next
/// search at the new version counts afresh. Bounded: when full, everything is dropped.
final class TermCounts: Sendable {
    private struct State {
        var version: Int64 = -1
        var counts: [String: Int] = [:]
    }

    private let capacity: Int
    private let state = Mutex(State())

    /// A cache of at most `capacity` terms.
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The counts of `terms` known at exactly `version` (nil for a term not known).
    func counts(of terms: [String], at version: Int64) -> [Int?] {
        state.withLock { state in
            guard state.version == version else { return Array(repeating: nil, count: terms.count) }
            return terms.map { state.counts[$0] }
        }
    }

    /// Records `counts` as made at `version`; counts of another version are dropped first. A search
    /// that read an older snapshot than the cache holds leaves the cache alone.
    func store(_ counts: [String: Int], at version: Int64) {
        guard capacity > 0 else { return }
        state.withLock { state in
            if version < state.version { return }
            if version > state.version || state.counts.count + counts.count > capacity {
                state.version = version
                state.counts = [:]
            }
            state.counts.merge(counts.prefix(capacity).map { ($0.key, $0.value) }) { _, new in new }
        }
    }
}
