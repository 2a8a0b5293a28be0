import Foundation

/// Limits and tuning of a `SQLiteMemoryStore`.
public struct SQLiteStoreConfiguration: Sendable {
    /// How long a connection waits for a lock before the store reports itself unavailable.
    public var busyTimeout: TimeInterval = 5
    /// Reader connections that may run at once beside the one writer.
    public var maximumReaderCount = 8
    /// Floats the semantic-search vector cache may hold in all (4 bytes each); 0 disables the cache.
    public var vectorCacheFloatBudget = 64 * 1024 * 1024
    /// Distinct query terms a keyword search reads at most.
    public var maxKeywordTerms = 64
    /// Of a longer query's terms, the keyword search ranks only this many: those the fewest memories
    /// hold (terms no memory holds are dropped).
    public var maxRankedKeywordTerms = 8
    /// Bytes of the database file each connection maps into memory for reading (0 turns mapping off).
    public var memoryMapBytes = 1 << 30
    /// Page cache of each connection, in KiB.
    public var pageCacheKiB = 16 * 1024

    /// The defaults: 5 s busy timeout, 8 readers, a 256 MiB vector cache, 64 keyword terms (the 8 rarest
    /// ranked), a 1 GiB
    /// memory map and a 16 MiB page cache per connection.
    public init() {}
}
