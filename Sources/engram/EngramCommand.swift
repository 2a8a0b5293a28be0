import ArgumentParser
import EngramCore
import EngramEmbedding
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
            + "libcurl \(CurlLibrary.version)); embedder kernels on this CPU: \(MatrixKernels.automatic.resolved.name), "
            + MatrixKernels.automaticChoice,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, ReindexCommand.self, ExportCommand.self, ImportCommand.self, DoctorCommand.self,
            BackupCommand.self, KeysCommand.self,
        ]
    )
}
