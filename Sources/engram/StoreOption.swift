import ArgumentParser
import EngramCore
import EngramPostgres
import EngramSQLite
import Foundation

/// Where `engram serve` keeps memories: SQLite under the data directory (the default), or Postgres
/// when a database URL is given (`--database-url`, else `ENGRAM_DATABASE_URL`).
struct StoreOption: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "Postgres URL, postgres://user:password@host:port/database (env ENGRAM_DATABASE_URL; default: SQLite in the data directory)."
    )
    var databaseURL: String?

    @Option(
        name: .customLong("database-read-url"),
        help: "Postgres: a streaming replica of the database for read requests, with read-your-writes for this instance's writes (env ENGRAM_DATABASE_READ_URL; default: none, the primary answers every read)."
    )
    var readURL: String?

    @Option(name: .customLong("database-pool-size"), help: "Postgres connections for queries (env ENGRAM_DATABASE_POOL_SIZE; default 8).")
    var poolSize: Int?

    @Option(
        name: .customLong("database-vector-index"),
        help: "Postgres: the HNSW index's precision, vector or halfvec (half the size) (env ENGRAM_DATABASE_VECTOR_INDEX; default vector).")
    var vectorIndex: String?

    @Option(name: .customLong("database-hnsw-m"), help: "Postgres: HNSW neighbours per node, 2–100 (env ENGRAM_DATABASE_HNSW_M; default \(Self.defaults.vectorIndex.m)).")
    var hnswM: Int?

    @Option(
        name: .customLong("database-hnsw-ef-construction"),
        help: "Postgres: HNSW candidate list while building, at least 2 × m (env ENGRAM_DATABASE_HNSW_EF_CONSTRUCTION; default \(Self.defaults.vectorIndex.efConstruction)).")
    var hnswEfConstruction: Int?

    @Option(
        name: .customLong("database-ef-search"),
        help: "Postgres: the least HNSW search breadth, 1–1000 (env ENGRAM_DATABASE_EF_SEARCH; default \(Self.defaults.hnswEfSearch)).")
    var efSearch: Int?

    @Option(
        name: .customLong("database-partitions"),
        help: "Postgres: hash partitions by project of the memories and history tables, 0 (one table) or 2–1024; a store holding memories is laid out anew by `engram migrate` (env ENGRAM_DATABASE_PARTITIONS; default: the database's layout, one table for a new one).")
    var partitions: Int?

    private static let defaults = PostgresStoreConfiguration()

    /// The Postgres URL in effect, if any: the flag, the environment, else the config file's
    /// `database_url` (`fallback`).
    func resolvedURL(fallback: String? = nil) -> String? {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["ENGRAM_DATABASE_URL"] ?? fallback, !url.isEmpty else {
            return nil
        }
        return url
    }

    /// The replica's URL in effect, if any: the flag, else the environment.
    var resolvedReadURL: String? {
        guard let url = readURL ?? ProcessInfo.processInfo.environment["ENGRAM_DATABASE_READ_URL"], !url.isEmpty else { return nil }
        return url
    }

    func validate() throws {
        if let url = resolvedURL(), !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ValidationError("The database URL must start with postgres:// or postgresql://.")
        }
        if let url = resolvedReadURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ValidationError("The read replica's URL (--database-read-url / ENGRAM_DATABASE_READ_URL) must start with postgres:// or postgresql://.")
        }
        if let size = try resolvedPoolSize(), size < 1 {
            throw ValidationError("--database-pool-size must be at least 1.")
        }
        _ = try postgresConfiguration()
    }

    /// Opens the store: Postgres when a URL is set, else `engram.sqlite` in `dataDirectory`. A store that
    /// cannot be opened is reported with the reason (never the password).
    func openStore(dataDirectory: String, fallbackURL: String? = nil) throws -> any AdminStore {
        guard let url = resolvedURL(fallback: fallbackURL) else {
            if resolvedReadURL != nil {
                throw ValidationError("A read replica (--database-read-url) needs a Postgres store (--database-url).")
            }
            return try SQLiteMemoryStore(path: (dataDirectory as NSString).appendingPathComponent("engram.sqlite"))
        }
        let configuration = try postgresConfiguration()
        do {
            return try PostgresMemoryStore(url: url, readURL: resolvedReadURL, configuration: configuration)
        } catch MemoryError.storeUnavailable(let reason) {
            throw ValidationError("Cannot open the Postgres store at \(Self.redacted(url)): \(reason)")
        }
    }

    /// A warning when the Postgres vector index was built with other settings than configured: it keeps
    /// its shape until `engram migrate` rebuilds it.
    static func vectorIndexNotice(_ store: any AdminStore) -> String? {
        guard let postgres = store as? PostgresMemoryStore else { return nil }
        let status = postgres.vectorIndexStatus
        guard status.needsRebuild, let built = status.built else { return nil }
        return "The vector index was built as '\(built)' but '\(status.configured)' is configured; "
            + "searches use the index as built until `engram migrate` rebuilds it"
    }

    /// Rebuilds the Postgres vector index when its settings differ from the configured ones, reporting
    /// each step through `report`; false when there was nothing to do.
    static func rebuildVectorIndexIfNeeded(_ store: any AdminStore, report: (String) -> Void) throws -> Bool {
        guard let postgres = store as? PostgresMemoryStore else { return false }
        let status = postgres.vectorIndexStatus
        guard status.needsRebuild, let built = status.built else { return false }
        report("rebuilding the vector index: \(built) → \(status.configured) (beside the old one, which serves searches until the swap)")
        let started = Date()
        try postgres.rebuildVectorIndex()
        report("rebuilt the vector index in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        return true
    }

    /// A warning when the Postgres tables are laid out otherwise than configured: they keep their layout
    /// until `engram migrate` lays them out anew.
    static func partitionNotice(_ store: any AdminStore) -> String? {
        guard let postgres = store as? PostgresMemoryStore, let status = try? postgres.partitionStatus(),
              let configured = status.configured, status.needsChange else { return nil }
        return "The memories and history tables are \(layout(status.built)) but \(layout(configured)) is configured; "
            + "they keep their layout until `engram migrate` moves the rows (which locks them while it runs)"
    }

    /// Lays the Postgres tables out as configured when they are not, reporting each step through
    /// `report`; false when there was nothing to do.
    static func applyPartitioningIfNeeded(_ store: any AdminStore, report: (String) -> Void) throws -> Bool {
        guard let postgres = store as? PostgresMemoryStore else { return false }
        let status = try postgres.partitionStatus()
        guard let configured = status.configured, status.needsChange else { return false }
        let memories = (try? postgres.statistics().memoriesByProject.values.reduce(0, +)) ?? 0
        report("laying out the memories and history tables: \(layout(status.built)) → \(layout(configured)) "
            + "(\(ProgressReporter.grouped(memories)) memories; both tables are locked until it is done)")
        let started = Date()
        try postgres.applyPartitioning()
        report("laid out the tables in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        return true
    }

    /// "one table" or "16 partitions by project".
    static func layout(_ partitions: Int) -> String {
        partitions == 0 ? "one table each" : "\(partitions) partitions by project"
    }

    /// Where memories live, for the log: the SQLite directory or the URL without its password.
    func location(dataDirectory: String, fallbackURL: String? = nil) -> String {
        resolvedURL(fallback: fallbackURL).map(Self.redacted) ?? dataDirectory
    }

    /// `url` with any password replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }

    /// The Postgres store's settings from the flags and the environment, checked.
    func postgresConfiguration() throws -> PostgresStoreConfiguration {
        var configuration = PostgresStoreConfiguration()
        if let size = try resolvedPoolSize() { configuration.poolSize = size }
        let environment = ProcessInfo.processInfo.environment
        if let text = vectorIndex ?? environment["ENGRAM_DATABASE_VECTOR_INDEX"] {
            guard let precision = VectorIndexSettings.Precision(rawValue: text) else {
                throw ValidationError("The vector index (--database-vector-index / ENGRAM_DATABASE_VECTOR_INDEX) is vector or halfvec, got '\(text)'.")
            }
            configuration.vectorIndex.precision = precision
        }
        if let m = try hnswM ?? Self.integer(environment, "ENGRAM_DATABASE_HNSW_M") { configuration.vectorIndex.m = m }
        if let ef = try hnswEfConstruction ?? Self.integer(environment, "ENGRAM_DATABASE_HNSW_EF_CONSTRUCTION") {
            configuration.vectorIndex.efConstruction = ef
        }
        if let problem = configuration.vectorIndex.problem { throw ValidationError("Postgres: \(problem).") }
        if let partitions = try partitions ?? Self.integer(environment, "ENGRAM_DATABASE_PARTITIONS") {
            if let problem = PostgresMemoryStore.partitionProblem(partitions) {
                throw ValidationError("Postgres (--database-partitions / ENGRAM_DATABASE_PARTITIONS): \(problem).")
            }
            configuration.partitions = partitions
        }
        if let ef = try efSearch ?? Self.integer(environment, "ENGRAM_DATABASE_EF_SEARCH") {
            guard (1...1000).contains(ef) else { throw ValidationError("The HNSW search breadth (--database-ef-search / ENGRAM_DATABASE_EF_SEARCH) is 1–1000, got \(ef).") }
            configuration.hnswEfSearch = ef
        }
        return configuration
    }

    private static func integer(_ environment: [String: String], _ name: String) throws -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name) must be an integer, got '\(text)'.") }
        return value
    }

    private func resolvedPoolSize() throws -> Int? {
        try poolSize ?? Self.integer(ProcessInfo.processInfo.environment, "ENGRAM_DATABASE_POOL_SIZE")
    }
}
