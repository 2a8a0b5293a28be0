import EngramPostgres
import Foundation

/// Command-line settings of the store benchmark.
struct BenchmarkOptions {
    /// Memory counts to measure, e.g. `100000,1000000`.
    var sizes = [100_000]
    /// A Postgres URL with `%d` where the size goes in the database name (`bench_%d`); none skips Postgres.
    var postgresURL: String?
    /// Where the SQLite files and the embedding cache live.
    var workDirectory = ".build/bench-postgres"
    var modelDirectory = "models/all-MiniLM-L6-v2"
    /// Single-memory adds timed at the end of each load, and the threads sending them.
    var adds = 2000
    var writers = 4
    /// Search queries timed, and how many of them measure recall.
    var queries = 200
    var recallQueries = 100
    /// Candidates each search asks for (the engine asks max(4 × top_k, 60)).
    var limit = 60
    /// Further `hnsw.ef_search` values to measure Postgres search with, after the default run.
    var efSearch = [40, 200, 400]
    /// Further HNSW index shapes to rebuild the Postgres index with and measure, as
    /// `precision:m:ef_construction` (`vector:32:128,halfvec:32:128`).
    var indexVariants: [String] = []
    /// The index shape the Postgres store is loaded with (`precision:m:ef_construction`), default the store's.
    var loadIndex: String?
    /// LoCoMo's JSON (`data/locomo10.json` or the dev set): measure on its turns and questions instead
    /// of the synthetic corpus, with every Postgres search through the HNSW index (no exact path).
    var locomoPath: String?
    /// Measure searches on the data an earlier run left, loading nothing (`--search-only true`).
    var searchOnly = false
    /// A name for this run's Postgres lines (`--label`), default `postgres`.
    var label = "postgres"
    /// Postgres layouts (partition counts, 0 for one table) to load many tenants into and compare
    /// (`--tenants 0,16`, databases `bench_tenants_<size>_<partitions>`), instead of the one-project runs.
    var tenantLayouts: [Int] = []
    /// Stores to run: sqlite, postgres or both.
    var stores = ["sqlite", "postgres"]

    init(arguments: [String]) throws {
        var values: [String: String] = [:]
        var iterator = arguments.makeIterator()
        while let name = iterator.next() {
            guard name.hasPrefix("--"), let value = iterator.next() else { throw UsageError(message: "expected --name value pairs") }
            values[name] = value
        }
        if let text = values["--sizes"] { sizes = text.split(separator: ",").compactMap { Int($0) } }
        postgresURL = values["--postgres-url"]
        workDirectory = values["--work"] ?? workDirectory
        modelDirectory = values["--model"] ?? modelDirectory
        if let text = values["--adds"], let value = Int(text) { adds = value }
        if let text = values["--writers"], let value = Int(text) { writers = value }
        if let text = values["--queries"], let value = Int(text) { queries = value }
        if let text = values["--ef-search"] { efSearch = text.split(separator: ",").compactMap { Int($0) } }
        loadIndex = values["--load-index"]
        locomoPath = values["--locomo"]
        searchOnly = values["--search-only"] == "true"
        if searchOnly { efSearch = [] }
        label = values["--label"] ?? label
        if let text = values["--index-variants"] { indexVariants = text.split(separator: ",").map(String.init) }
        if let text = values["--tenants"] { tenantLayouts = text.split(separator: ",").compactMap { Int($0) } }
        if let text = values["--stores"] { stores = text.split(separator: ",").map(String.init) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1000 }) else { throw UsageError(message: "--sizes needs counts of at least 1000") }
    }

    struct UsageError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

extension BenchmarkOptions {
    /// `precision:m:ef_construction` as index settings.
    static func index(_ text: String) throws -> VectorIndexSettings {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let precision = VectorIndexSettings.Precision(rawValue: String(parts[0])),
              let m = Int(parts[1]), let ef = Int(parts[2])
        else { throw UsageError(message: "an index shape is precision:m:ef_construction, got \(text)") }
        return VectorIndexSettings(m: m, efConstruction: ef, precision: precision)
    }
}
