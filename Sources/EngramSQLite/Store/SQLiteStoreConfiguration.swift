import Foundation

/// Limits and tuning of a `SQLiteMemoryStore`.
public struct SQLiteStoreConfiguration: Sendable {
    /// How long a connection waits for a lock before the store reports itself unavailable.
    public var busyTimeout: TimeInterval = 5
    /// Reader connections that may run at once beside the one writer.
    public var maximumReaderCount = 8
    /// Floats the semantic-search vector cache may hold in all (4 bytes each, int8 copies and ids
    /// counted in the same unit); 0 disables the cache. The default holds a scope of about 170,000
    /// memories of 384 dimensions.
    public var vectorCacheFloatBudget = 80 * 1024 * 1024
    /// A candidate set of at least this many vectors also keeps an int8 copy (`QuantizedVectors`, a
    /// quarter of the bytes more): a search scans the copy first and scores in float32 only the rows
    /// that can still be among the best. Results are the same as the plain scan's; only large sets
    /// gain, as the plain scan of a small one is already quick. `Int.max` turns it off.
    public var quantizedScanMinimumVectors = 8_192
    /// Distinct query terms a keyword search reads at most.
    public var maxKeywordTerms = 64
    /// Of a longer query's terms, the keyword search ranks only this many: those the fewest memories
    /// hold (terms no memory holds are dropped).
    public var maxRankedKeywordTerms = 8
    /// A keyword search whose terms the memories hold this many times in all (the sum of each term's
    /// row count) prunes its ranking (`KeywordPruning`): rows holding only its most common terms are
    /// not scored when they cannot reach the best candidates. Below it, one plain ranking is cheaper
    /// than the extra pass. 0 prunes every search of two or more terms; `Int.max` never prunes.
    public var keywordPruningMinimumDocuments = 2_000
    /// Bytes of the database file each connection maps into memory for reading (0 turns mapping off).
    public var memoryMapBytes = 1 << 30
    /// Page cache of each connection, in KiB.
    public var pageCacheKiB = 16 * 1024
    /// Pages the write-ahead log may reach before a commit copies them into the database file
    /// (`PRAGMA wal_autocheckpoint`; SQLite's default is 1,000). Every add rewrites the same last pages
    /// of the tables and indexes it appends to, so a longer log copies each of them once for more
    /// commits: 4,000 pages (16 MiB) took 8 concurrent adds from about 660 to 740 a second.
    public var walCheckpointPages = 4_000
    /// Bytes the write-ahead log file is cut back to after a checkpoint (`PRAGMA journal_size_limit`).
    public var walSizeLimitBytes = 64 * 1024 * 1024

    /// The defaults: 5 s busy timeout, 8 readers, a 320 MiB vector cache, 64 keyword terms (the 8 rarest
    /// ranked), a 1 GiB memory map and a 16 MiB page cache per connection, checkpoints every 4,000 log
    /// pages and a log file kept under 64 MiB.
    public init() {}
}
