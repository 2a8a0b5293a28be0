import Foundation

/// Limits and tuning of a `PostgresMemoryStore`.
public struct PostgresStoreConfiguration: Sendable {
    /// Connections for queries and transactions.
    public var poolSize = 8
    /// Connections that hold per-scope advisory locks (`withScopeLock`), apart from `poolSize` so a lock
    /// holder can always get a query connection: at most this many scopes are locked at once.
    public var lockPoolSize = 4
    /// How long a caller waits for a free connection before the store reports itself unavailable.
    public var checkoutTimeout: TimeInterval = 10
    /// Seconds libpq waits to connect (`connect_timeout`); a URL parameter of the same name overrides it.
    public var connectTimeout = 5
    /// The longest a statement may run, in milliseconds (`statement_timeout`), waiting for a lock included.
    public var statementTimeoutMilliseconds = 30_000
    /// Distinct statements each connection prepares and keeps; others run unprepared.
    public var maxPreparedStatements = 256
    /// A semantic search whose filter matches at most this many memories compares the query with each of
    /// them (exact); above it, the HNSW index answers with an iterative scan (approximate).
    public var exactSearchLimit = 10_000
    /// `hnsw.ef_search`: the candidate list of an HNSW scan, at least; larger is slower and more
    /// accurate. A search asking for more results than a share of it scans wider (`efSearch(limit:)`).
    public var hnswEfSearch = 100
    /// How a new HNSW index is built (an existing one keeps its settings until `rebuildVectorIndex`).
    public var vectorIndex = VectorIndexSettings.pgvectorDefaults
    /// Hash partitions by project of the memories and history tables, 0 for one table each, nil to keep
    /// the database's layout (see `PostgresMemoryStore.applyPartitioning`). A store holding memories
    /// keeps its layout until then; an empty one takes the configured layout at open.
    public var partitions: Int?
    /// `hnsw.max_scan_tuples`: how far an iterative HNSW scan may go to fill a filtered result.
    public var hnswMaxScanTuples = 40_000
    /// Seconds a read replica's replay may lag behind what it received before reads leave it for the primary.
    public var replicaMaxLag: TimeInterval = 30
    /// Distinct query terms a keyword search uses at most.
    public var maxKeywordTerms = 64
    /// Sees every query's plan before it runs (tests only).
    var planObserver: PostgresConnection.PlanObserver?
    /// Attempts of a transaction that failed on a deadlock or serialization failure (40P01, 40001).
    public var transactionAttempts = 3

    /// The defaults: 8 query and 4 lock connections, 10 s checkout, 5 s connect and 30 s statement
    /// timeouts, exact search up to 10,000 candidates, `ef_search` 100.
    public init() {}

    /// The `hnsw.ef_search` of a search for `limit` results: the configured breadth, or four times the
    /// results asked for when that is wider (an HNSW scan's best few are its most accurate), doubled for
    /// a search within a scope (the scan's candidates outside it are wasted: at 100,000 memories a 20 %
    /// user's recall@10 at breadth 2n matched the whole project's at n), at most pgvector's 1,000.
    func efSearch(limit: Int, scoped: Bool) -> Int { min(1000, max(hnswEfSearch, 4 * limit) * (scoped ? 2 : 1)) }

    /// SQL run on every new connection.
    var sessionSetup: String {
        """
        SET statement_timeout = \(statementTimeoutMilliseconds);
        SET client_min_messages = warning;
        SET hnsw.ef_search = \(hnswEfSearch);
        SET hnsw.iterative_scan = relaxed_order;
        SET hnsw.max_scan_tuples = \(hnswMaxScanTuples);
        """
    }
}
