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

    @Option(name: .customLong("database-pool-size"), help: "Postgres connections for queries (env ENGRAM_DATABASE_POOL_SIZE; default 8).")
    var poolSize: Int?

    /// The Postgres URL in effect, if any: the flag, the environment, else the config file's
    /// `database_url` (`fallback`).
    func resolvedURL(fallback: String? = nil) -> String? {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["ENGRAM_DATABASE_URL"] ?? fallback, !url.isEmpty else {
            return nil
        }
        return url
    }

    func validate() throws {
        if let url = resolvedURL(), !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ValidationError("The database URL must start with postgres:// or postgresql://.")
        }
        if let size = try resolvedPoolSize(), size < 1 {
            throw ValidationError("--database-pool-size must be at least 1.")
        }
    }

    /// Opens the store: Postgres when a URL is set, else `engram.sqlite` in `dataDirectory`. A store that
    /// cannot be opened is reported with the reason (never the password).
    func openStore(dataDirectory: String, fallbackURL: String? = nil) throws -> any AdminStore {
        guard let url = resolvedURL(fallback: fallbackURL) else {
            return try SQLiteMemoryStore(path: (dataDirectory as NSString).appendingPathComponent("engram.sqlite"))
        }
        var configuration = PostgresStoreConfiguration()
        if let size = try resolvedPoolSize() { configuration.poolSize = size }
        do {
            return try PostgresMemoryStore(url: url, configuration: configuration)
        } catch MemoryError.storeUnavailable(let reason) {
            throw ValidationError("Cannot open the Postgres store at \(Self.redacted(url)): \(reason)")
        }
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

    private func resolvedPoolSize() throws -> Int? {
        if let poolSize { return poolSize }
        guard let text = ProcessInfo.processInfo.environment["ENGRAM_DATABASE_POOL_SIZE"] else { return nil }
        guard let value = Int(text) else { throw ValidationError("ENGRAM_DATABASE_POOL_SIZE must be an integer, got '\(text)'.") }
        return value
    }
}
