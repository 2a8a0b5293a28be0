import EngramSQLite
import Testing

@Suite("SQLite library")
struct SQLiteLibraryTests {
    @Test("links a SQLite recent enough for FTS5 and JSON functions (3.38+)")
    func version() throws {
        let parts = SQLiteLibrary.version.split(separator: ".").compactMap { Int($0) }
        try #require(parts.count >= 2)
        #expect(parts[0] > 3 || (parts[0] == 3 && parts[1] >= 38))
    }
}
