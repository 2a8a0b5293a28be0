import ArgumentParser
import EngramCore
import EngramPostgres
import EngramProviders
import EngramSQLite

/// The `engram` executable: a long-term memory server for AI agents.
@main
struct EngramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engram",
        abstract: "Engram: a self-hosted long-term memory server for AI agents.",
        version: "engram \(EngramVersion.current) (sqlite \(SQLiteLibrary.version), libpq \(PostgresLibrary.version), "
            + "libcurl \(CurlLibrary.version))",
        subcommands: [ServeCommand.self, KeysCommand.self]
    )
}
