import EngramCore

extension PostgresMemoryStore {
    /// Runs `body` while no other instance on this database runs it for the same `key` in `project`:
    /// a session advisory lock (`pg_advisory_lock`), keyed by a 64-bit hash of project and key, held on
    /// a connection of the lock pool for the length of `body`. The body's own queries use the query pool.
    /// Should the lock connection die, the server releases the lock with the session.
    public func withScopeLock<T>(_ key: String, project: String, _ body: () throws -> T) throws -> T {
        let lockKey = Self.advisoryKey(project: project, key: key)
        return try lockPool.withConnection { connection in
            try connection.execute("SELECT pg_advisory_lock($1)", [.int8(lockKey)])
            defer {
                // A connection that could not unlock must not return to the pool still holding the lock.
                if (try? connection.execute("SELECT pg_advisory_unlock($1)", [.int8(lockKey)])) == nil { connection.discard() }
            }
            return try body()
        }
    }

    /// FNV-1a (64-bit) of project, a NUL and key: stable across processes and versions, unlike `Hasher`.
    static func advisoryKey(project: String, key: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(project.utf8) + [0] + Array(key.utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
