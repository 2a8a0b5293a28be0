import EngramCore
import EngramPostgres
import EngramPostgresTestSupport
import EngramSQLite
import Foundation
import Testing

/// The stores every contract test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres
    /// Postgres with the memories and history tables hash-partitioned by project (four partitions).
    case postgresPartitioned

    var testDescription: String { rawValue }

    /// A fresh, empty store of this kind with the embedder recorded as `contract-test` of `dimension`
    /// (nil leaves it unprepared); the fixture can open more handles on the same data.
    func makeFixture(dimension: Int? = 8) throws -> StoreFixture {
        let fixture: StoreFixture
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-contract-\(UUID().uuidString)")
            fixture = try StoreFixture(kind: self, location: directory.appendingPathComponent("engram.sqlite").path, directory: directory)
        case .postgres, .postgresPartitioned:
            fixture = try StoreFixture(kind: self, location: try EmbeddedPostgres.shared.makeDatabase(), directory: nil)
        }
        // The partitioned kind must really be partitioned, or its runs would prove nothing about the layout.
        if self == .postgresPartitioned, try (fixture.store as? PostgresMemoryStore)?.partitionStatus().built != 4 {
            throw MemoryError.invalid("the contract store was not laid out in four partitions")
        }
        if let dimension { try fixture.store.prepare(embeddingModel: "contract-test", dimension: dimension) }
        return fixture
    }
}

/// One test's store and where it lives.
final class StoreFixture {
    let kind: StoreKind
    /// The SQLite file or the Postgres URL.
    let location: String
    private let directory: URL?
    /// The store the test works with.
    private(set) var store: any MemoryStore

    init(kind: StoreKind, location: String, directory: URL?) throws {
        self.kind = kind
        self.location = location
        self.directory = directory
        store = try Self.open(kind, location)
    }

    deinit {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Another handle on the same data (a reopened file, a second pool on the database).
    func open() throws -> any MemoryStore { try Self.open(kind, location) }

    private static func open(_ kind: StoreKind, _ location: String) throws -> any MemoryStore {
        switch kind {
        case .sqlite: try SQLiteMemoryStore(path: location)
        case .postgres: try PostgresMemoryStore(url: location)
        case .postgresPartitioned:
            try PostgresMemoryStore(url: location, configuration: { var configuration = PostgresStoreConfiguration(); configuration.partitions = 4; return configuration }())
        }
    }

    /// Runs `body` with a fresh store of `kind`.
    static func run<T>(_ kind: StoreKind, dimension: Int? = 8, _ body: (any MemoryStore, StoreFixture) throws -> T) throws -> T {
        let fixture = try kind.makeFixture(dimension: dimension)
        return try body(fixture.store, fixture)
    }
}
