import EngramCore
import Foundation
import Synchronization

/// One store's measurements at one size: bulk load, concurrent single adds, search latencies and
/// recall@10 against exact search.
struct StoreRun {
    let name: String
    let store: any MemoryStore
    let texts: [String]
    let vectors: [[Float]]
    let queries: [String]
    let queryVectors: [[Float]]
    let options: BenchmarkOptions

    static let visible = Visibility(today: "2026-01-01")

    /// The user of memory `index`: one in five belongs to `big`, the rest spread over 97 users.
    static func user(_ index: Int) -> String { index % 5 == 0 ? "big" : "u\(index % 97)" }

    func memory(_ index: Int) -> Memory {
        let time = Date(timeIntervalSince1970: 1_700_000_000 + Double(index))
        return Memory(
            id: UUID().uuidString.lowercased(), text: texts[index], hash: "h\(index)", metadata: ["n": .number(Double(index))],
            scope: Scope(stored: Self.user(index), agentID: nil, runID: nil), createdAt: time, updatedAt: time,
            embedding: vectors[index])
    }

    func changes(_ range: Range<Int>) -> MemoryChanges {
        var changes = MemoryChanges()
        for index in range {
            let memory = memory(index)
            changes.inserts.append(memory)
            changes.history.append(HistoryEvent(
                id: UUID().uuidString.lowercased(), memoryID: memory.id, oldMemory: nil, newMemory: memory.text, event: .add,
                createdAt: memory.createdAt, isDeleted: false, actorID: nil, role: nil, scope: memory.scope))
        }
        return changes
    }

    /// Runs every measurement and returns the report lines.
    func run() throws -> [String] {
        try store.prepare(embeddingModel: "sentence-transformers/all-MiniLM-L6-v2", dimension: vectors[0].count)
        // Searches alone, on what an earlier run loaded (an A/B of an index swapped in between).
        if options.searchOnly { return try searchReport(store, label: name, keyword: true) }
        let size = texts.count
        let measured = min(options.adds, size / 2)
        var lines: [String] = []

        let loadStart = Date()
        for offset in stride(from: 0, to: size - measured, by: 500) {
            try store.apply(changes(offset..<min(offset + 500, size - measured)))
        }
        let loadSeconds = Date().timeIntervalSince(loadStart)
        lines.append("\(name): bulk load of \(size - measured) memories (500 a transaction): \(format(Double(size - measured) / loadSeconds)) memories/s")

        let next = Atomic<Int>(size - measured)
        let failures = Atomic<Int>(0)
        let addStart = Date()
        let group = DispatchGroup()
        for _ in 0..<options.writers {
            group.enter()
            Thread {
                defer { group.leave() }
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < size else { return }
                    do { try store.apply(changes(index..<index + 1)) } catch { failures.add(1, ordering: .relaxed) }
                }
            }.start()
        }
        group.wait()
        let addRate = Double(measured) / Date().timeIntervalSince(addStart)
        lines.append("\(name): \(measured) single-memory adds from \(options.writers) threads on top of \(size - measured): \(format(addRate)) adds/s (\(failures.load(ordering: .relaxed)) failed)")

        return lines + (try searchReport(store, label: name, keyword: true))
    }

    /// Search latencies (semantic, and keyword when asked) in three scopes, and recall@10, on `store`
    /// (this run's store, or another handle on the same data with other search settings).
    func searchReport(_ store: any MemoryStore, label name: String, keyword: Bool) throws -> [String] {
        var lines: [String] = []
        let small = Filter.compare(.field(.userID), .eq, .string("u7"))
        let big = Filter.compare(.field(.userID), .eq, .string("big"))
        for (label, filter) in [("one user (~0.8%)", small), ("one user (20%)", big), ("whole project", Filter.all)] {
            let semantic = try Measure.latencies(count: queries.count) { index in
                _ = try store.semanticSearch(queryVectors[index], project: "default", filter: filter, visibility: Self.visible, limit: options.limit)
            }
            var line = "\(name): \(label): semantic p50 \(Measure.ms(semantic.p50)) p95 \(Measure.ms(semantic.p95))"
            if keyword {
                let keyword = try Measure.latencies(count: queries.count) { index in
                    _ = try store.keywordSearch(queries[index], project: "default", filter: filter, visibility: Self.visible, limit: options.limit)
                }
                line += "; keyword p50 \(Measure.ms(keyword.p50)) p95 \(Measure.ms(keyword.p95))"
            }
            lines.append(line + " (top \(options.limit))")
        }
        for (label, filter, member) in [("whole project", Filter.all, { (_: Int) in true }), ("one user (20%)", big, { Self.user($0) == "big" })] {
            let recall = try recallAt10(store, filter: filter, member: member, limit: 10)
            // The engine asks for max(4 × top_k, 60) candidates and keeps the best: the top 10 of those.
            let engine = try recallAt10(store, filter: filter, member: member, limit: options.limit)
            lines.append("\(name): recall@10 against exact search, \(label): \(String(format: "%.3f", recall)) (of a top-\(options.limit) search: \(String(format: "%.3f", engine)))")
        }
        return lines
    }


    /// The share of the store's top 10 that belongs in the exact top 10: a hit counts when its cosine is
    /// at least the exact 10th best (texts repeat in the corpus, so equal scores are interchangeable).
    private func recallAt10(_ store: any MemoryStore, filter: Filter, member: (Int) -> Bool, limit: Int) throws -> Double {
        try Measure.recallAt10(
            queries: queryVectors.prefix(min(options.recallQueries, queryVectors.count)), vectors: vectors,
            members: (0..<texts.count).filter(member)
        ) { query in
            try store.semanticSearch(query, project: "default", filter: filter, visibility: Self.visible, limit: limit)
        }
    }

    private func format(_ rate: Double) -> String { String(format: "%.0f", rate) }
}
