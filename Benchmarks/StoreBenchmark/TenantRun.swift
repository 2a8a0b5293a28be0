import EngramCore
import EngramPostgres
import Foundation

/// Many projects in one Postgres database, laid out as one table and hash-partitioned by project, on the
/// same memories: does one tenant's size slow another's searches? A large tenant holds 80 % of the
/// memories, a mid-size one 5 % (above the exact-search limit from 200,000 memories, so through HNSW),
/// and 30 small ones 0.5 % each (exact). Each layout gets its own database, loaded alike.
struct TenantRun {
    let texts: [String]
    let vectors: [[Float]]
    let queries: [String]
    let queryVectors: [[Float]]
    let options: BenchmarkOptions

    static let visible = Visibility(today: "2026-01-01")

    /// The project of memory `index`.
    static func project(_ index: Int) -> String {
        switch index % 100 {
        case ..<80: "large"
        case ..<85: "mid"
        default: "t\((index / 100) % 30)"
        }
    }

    /// Loads the memories into `url`'s database with `partitions` (unless searching only what an earlier
    /// run loaded) and measures each kind of tenant.
    func run(url: String, partitions: Int) throws -> [String] {
        var configuration = PostgresStoreConfiguration()
        configuration.partitions = partitions
        if let shape = options.loadIndex { configuration.vectorIndex = try BenchmarkOptions.index(shape) }
        let store = try PostgresMemoryStore(url: url, configuration: configuration)
        try store.prepare(embeddingModel: "sentence-transformers/all-MiniLM-L6-v2", dimension: vectors[0].count)
        let label = "postgres, \(partitions == 0 ? "one table" : "\(partitions) partitions")"
        var lines: [String] = []

        if !options.searchOnly { try load(store, label: label, into: &lines) }
        try store.analyze()
        try measure(store, label: label, into: &lines)
        return lines
    }

    private func load(_ store: PostgresMemoryStore, label: String, into lines: inout [String]) throws {
        let start = Date()
        var pending: [String: MemoryChanges] = [:]
        func flush(_ project: String) throws {
            guard let changes = pending.removeValue(forKey: project) else { return }
            try store.apply(changes)
        }
        for index in texts.indices {
            let project = Self.project(index)
            let time = Date(timeIntervalSince1970: 1_700_000_000 + Double(index))
            let memory = Memory(
                id: UUID().uuidString.lowercased(), text: texts[index], hash: "h\(index)", metadata: nil,
                scope: Scope(stored: "u\(index % 97)", agentID: nil, runID: nil), createdAt: time, updatedAt: time,
                project: project, embedding: vectors[index])
            pending[project, default: { var changes = MemoryChanges(); changes.project = project; return changes }()].inserts.append(memory)
            pending[project]?.history.append(HistoryEvent(
                id: UUID().uuidString.lowercased(), memoryID: memory.id, oldMemory: nil, newMemory: memory.text, event: .add,
                createdAt: time, isDeleted: false, actorID: nil, role: nil, scope: memory.scope, project: project))
            if pending[project]?.inserts.count == 500 { try flush(project) }
        }
        for project in Array(pending.keys) { try flush(project) }
        let seconds = Date().timeIntervalSince(start)
        lines.append("\(label): bulk load of \(texts.count) memories in 32 projects (500 a transaction): \(Int(Double(texts.count) / seconds)) memories/s")
    }

    private func measure(_ store: PostgresMemoryStore, label: String, into lines: inout [String]) throws {

        for (name, project) in [("small tenant (0.5%)", "t7"), ("mid tenant (5%)", "mid"), ("large tenant (80%)", "large")] {
            let semantic = try Measure.latencies(count: queries.count) { index in
                _ = try store.semanticSearch(queryVectors[index], project: project, filter: .all, visibility: Self.visible, limit: options.limit)
            }
            let keyword = try Measure.latencies(count: queries.count) { index in
                _ = try store.keywordSearch(queries[index], project: project, filter: .all, visibility: Self.visible, limit: options.limit)
            }
            let recall = try recallAt10(store, project: project)
            lines.append(
                "\(label): \(name): semantic p50 \(Measure.ms(semantic.p50)) p95 \(Measure.ms(semantic.p95)), recall@10 \(String(format: "%.3f", recall)); "
                    + "keyword p50 \(Measure.ms(keyword.p50)) p95 \(Measure.ms(keyword.p95)) (top \(options.limit))")
        }
    }


    /// The share of a top-10 search that belongs in the project's exact top 10 (ties at the 10th count).
    private func recallAt10(_ store: PostgresMemoryStore, project: String) throws -> Double {
        try Measure.recallAt10(
            queries: queryVectors.prefix(min(options.recallQueries, queryVectors.count)), vectors: vectors,
            members: texts.indices.filter { Self.project($0) == project }
        ) { query in
            try store.semanticSearch(query, project: project, filter: .all, visibility: Self.visible, limit: 10)
        }
    }
}
