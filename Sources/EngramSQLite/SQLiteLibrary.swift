import CSQLite

/// Facts about the SQLite library Engram is linked against.
public enum SQLiteLibrary {
    /// The runtime library's version, e.g. `3.40.1`.
    public static var version: String { String(cString: sqlite3_libversion()) }
}
