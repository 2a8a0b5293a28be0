import EngramPostgres
import Testing

@Suite struct PostgresLibraryTests {
    @Test func reportsTheLinkedLibpqVersion() {
        #expect(PostgresLibrary.version.split(separator: ".").count == 2)
    }
}
