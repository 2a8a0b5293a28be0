import EngramCore
import EngramEmbedding
import EngramPostgres
import EngramSQLite
import Foundation

// `make bench-postgres`: the SQLite and Postgres stores side by side on real MiniLM embeddings.
do {
    let options = try BenchmarkOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    let embedder = try LocalEmbedder(configuration: .init(modelDirectory: options.modelDirectory, threads: ProcessInfo.processInfo.activeProcessorCount))
    let cache = EmbeddingCache(directory: URL(fileURLWithPath: options.workDirectory), embedder: embedder)
    let queries: [String]
    let allTexts: [String]
    var sizes = options.sizes
    if let path = options.locomoPath {
        (allTexts, queries) = try Corpus.locomo(path: path)
        sizes = [allTexts.count]
        print("LoCoMo: \(allTexts.count) turns, \(queries.count) questions; Postgres searches all go through the HNSW index")
    } else {
        queries = Corpus.queries(count: options.queries)
        // The corpus of a smaller size is a prefix of a larger one's (same seed): embed the largest once.
        allTexts = Corpus.texts(count: options.sizes.max() ?? 0)
    }
    let queryVectors = try cache.vectors(for: queries, name: options.locomoPath == nil ? "queries" : "locomo-questions")
    let allVectors = try cache.vectors(for: allTexts, name: options.locomoPath == nil ? "memories-v2" : "locomo-turns")
    // LoCoMo's scopes are small enough for the exact path; the point there is the index's recall.
    let exactSearchLimit = options.locomoPath == nil ? PostgresStoreConfiguration().exactSearchLimit : 0
    if !options.tenantLayouts.isEmpty, let template = options.postgresURL {
        for size in sizes {
            print("== \(size) memories in 32 projects")
            let run = TenantRun(
                texts: Array(allTexts.prefix(size)), vectors: Array(allVectors.prefix(size)), queries: queries, queryVectors: queryVectors,
                options: options)
            for partitions in options.tenantLayouts {
                let url = template.replacingOccurrences(of: "%d", with: "tenants_\(size)_\(partitions)")
                for line in try run.run(url: url, partitions: partitions) { print(line) }
            }
        }
        exit(0)
    }
    for size in sizes {
        print("== \(size) memories")
        let databaseSuffix = options.locomoPath == nil ? String(size) : "locomo"
        let texts = Array(allTexts.prefix(size))
        let vectors = Array(allVectors.prefix(size))
        for name in options.stores {
            let store: any MemoryStore
            switch name {
            case "sqlite":
                let path = "\(options.workDirectory)/sqlite-\(size).sqlite"
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                store = try SQLiteMemoryStore(path: path)
            case "postgres":
                guard let template = options.postgresURL else { continue }
                var configuration = PostgresStoreConfiguration()
                configuration.exactSearchLimit = exactSearchLimit
                if let shape = options.loadIndex { configuration.vectorIndex = try BenchmarkOptions.index(shape) }
                store = try PostgresMemoryStore(url: template.replacingOccurrences(of: "%d", with: databaseSuffix), configuration: configuration)
            default:
                throw BenchmarkOptions.UsageError(message: "unknown store \(name)")
            }
            let run = StoreRun(
                name: name == "postgres" ? options.label : name, store: store, texts: texts, vectors: vectors, queries: queries, queryVectors: queryVectors, options: options)
            for line in try run.run() { print(line) }
            // The HNSW search breadth trades latency for recall: the same data read with other settings.
            // The index's shape trades build time and size for recall: rebuilt on the same data.
            if name == "postgres", !options.searchOnly, let template = options.postgresURL {
                let url = template.replacingOccurrences(of: "%d", with: databaseSuffix)
                let built = (store as? PostgresMemoryStore)?.vectorIndexStatus.built ?? .pgvectorDefaults
                let bytes = try (store as? PostgresMemoryStore)?.vectorIndexBytes() ?? 0
                print("postgres: index \(built) (built while loading): \(bytes / 1_048_576) MiB")
                try measureEfSearch(run, url: url, index: built, label: "postgres", exactSearchLimit: exactSearchLimit)
                for variant in options.indexVariants {
                    var configuration = PostgresStoreConfiguration()
                    configuration.vectorIndex = try BenchmarkOptions.index(variant)
                    let rebuilt = try PostgresMemoryStore(url: url, configuration: configuration)
                    let start = Date()
                    try rebuilt.rebuildVectorIndex()
                    let seconds = Date().timeIntervalSince(start)
                    let size = try rebuilt.vectorIndexBytes() ?? 0
                    print("postgres: index \(configuration.vectorIndex): built in \(String(format: "%.1f", seconds)) s, \(size / 1_048_576) MiB")
                    try measureEfSearch(
                        run, url: url, index: configuration.vectorIndex, label: "postgres \(configuration.vectorIndex)", exactSearchLimit: exactSearchLimit)
                }
            }
        }
    }
} catch {
    FileHandle.standardError.write(Data("store benchmark failed: \(error)\n".utf8))
    exit(1)
}

/// Search latency and recall with the index as it is, at each `--ef-search` breadth.
func measureEfSearch(_ run: StoreRun, url: String, index: VectorIndexSettings, label: String, exactSearchLimit: Int) throws {
    for efSearch in run.options.efSearch {
        var configuration = PostgresStoreConfiguration()
        configuration.exactSearchLimit = exactSearchLimit
        configuration.hnswEfSearch = efSearch
        configuration.vectorIndex = index
        let tuned = try PostgresMemoryStore(url: url, configuration: configuration)
        for line in try run.searchReport(tuned, label: "\(label) ef_search \(efSearch)", keyword: false) { print(line) }
    }
}
