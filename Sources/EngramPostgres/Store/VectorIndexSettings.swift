/// How the HNSW index over the memories' embeddings is built: pgvector's graph parameters and whether
/// it holds the vectors at single or half precision. The table always keeps full-precision vectors, so
/// results are re-scored exactly whatever the index holds; a half-precision index is about half the
/// size (and so more of it stays in memory) at a small cost in recall.
public struct VectorIndexSettings: Sendable, Equatable, CustomStringConvertible {
    public enum Precision: String, Sendable, CaseIterable {
        /// `vector`: 4 bytes a dimension.
        case single = "vector"
        /// `halfvec`: 2 bytes a dimension, an expression index over `embedding::halfvec(n)`.
        case half = "halfvec"
    }

    /// Neighbours each node keeps per layer (`m`, pgvector's default 16, at most 100).
    public var m: Int
    /// The candidate list while building (`ef_construction`, default 64, at least 2 × m, at most 1000).
    public var efConstruction: Int
    public var precision: Precision

    /// pgvector's defaults, which indexes built before these settings existed have.
    public static let pgvectorDefaults = VectorIndexSettings(m: 16, efConstruction: 64, precision: .single)

    public init(m: Int, efConstruction: Int, precision: Precision) {
        self.m = m
        self.efConstruction = efConstruction
        self.precision = precision
    }

    /// Why these settings cannot build an index, or nil when they can (pgvector's own limits).
    public var problem: String? {
        guard (2...100).contains(m) else { return "the HNSW m must be between 2 and 100, got \(m)" }
        guard (4...1000).contains(efConstruction) else { return "the HNSW ef_construction must be between 4 and 1000, got \(efConstruction)" }
        guard efConstruction >= 2 * m else { return "the HNSW ef_construction (\(efConstruction)) must be at least twice m (\(m))" }
        return nil
    }

    /// The form recorded in the store's settings once an index is built, e.g. `vector m=16 ef_construction=64`.
    public var description: String { "\(precision.rawValue) m=\(m) ef_construction=\(efConstruction)" }

    /// Reads `description`'s form back; nil for anything else.
    public init?(recorded: String) {
        let parts = recorded.split(separator: " ")
        guard parts.count == 3, let precision = Precision(rawValue: String(parts[0])),
              parts[1].hasPrefix("m="), let m = Int(parts[1].dropFirst(2)),
              parts[2].hasPrefix("ef_construction="), let ef = Int(parts[2].dropFirst("ef_construction=".count))
        else { return nil }
        self.init(m: m, efConstruction: ef, precision: precision)
    }

    /// The expression the index is over and that a search must order by to use it.
    func indexedExpression(dimension: Int) -> String {
        switch precision {
        case .single: "embedding"
        case .half: "(embedding::halfvec(\(dimension)))"
        }
    }

    /// The distance a search orders by, for a bound query vector `probe` (a `$n` placeholder).
    func distance(to probe: String, dimension: Int) -> String {
        switch precision {
        case .single: "m.embedding <=> \(probe)::vector"
        case .half: "(m.embedding::halfvec(\(dimension))) <=> \(probe)::halfvec(\(dimension))"
        }
    }

    /// DDL building the index on `table` (the settings and dimension are validated integers, safe to
    /// spell in SQL); `only` makes a partitioned table's index without building its partitions' indexes.
    func createIndexSQL(
        dimension: Int, name: String = "memories_embedding_hnsw", table: String = "memories", only: Bool = false, concurrently: Bool = false
    ) -> String {
        let operators = precision == .single ? "vector_cosine_ops" : "halfvec_cosine_ops"
        return "CREATE INDEX \(concurrently ? "CONCURRENTLY " : "")\(name) ON \(only ? "ONLY " : "")\(table) USING hnsw "
            + "(\(indexedExpression(dimension: dimension)) \(operators)) WITH (m = \(m), ef_construction = \(efConstruction));"
    }
}
