import ArgumentParser
import EngramCore
import Foundation
import Glibc

/// `engram migrate`: applies pending schema migrations and says which (serve applies them at start too).
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending schema migrations to the store and print what was done.")

    @OptionGroup var engineOptions: EngineOptions

    func run() throws {
        let store = try engineOptions.openStore()
        let report = store.migrationReport
        if report.appliedAtOpen.isEmpty {
            print("The schema of \(engineOptions.storeLocation) is up to date (\(report.known.count) migrations).")
        } else {
            for name in report.appliedAtOpen { print("applied \(name)") }
            print("\(report.appliedAtOpen.count) of \(report.known.count) migrations applied to \(engineOptions.storeLocation).")
        }
        do {
            _ = try StoreOption.applyPartitioningIfNeeded(store) { print($0) }
            _ = try StoreOption.rebuildVectorIndexIfNeeded(store) { print($0) }
        } catch let error as MemoryError {
            throw CommandFailure(error.message)
        }
    }
}

/// `engram backup`: a consistent copy of a SQLite store, safe while `serve` writes to it.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the SQLite store into a new file with SQLite's online backup (safe while serve runs); Postgres: use pg_dump.")

    @OptionGroup var engineOptions: EngineOptions

    @Option(help: "The file to write (it must not exist).")
    var output: String

    func run() throws {
        let store = try engineOptions.openStore()
        let started = Date()
        do {
            try store.backup(to: output)
        } catch let error as MemoryError {
            throw CommandFailure(error.message)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print("Backed up \(engineOptions.storeLocation) to \(output) (\(ProgressReporter.grouped(size)) bytes, \(String(format: "%.1f", Date().timeIntervalSince(started))) s).")
    }
}

/// `engram reindex`: re-embeds every memory with the configured embedder.
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Re-embed every memory with the configured embedder (after changing model or dimension); resumable.",
        discussion: """
            New vectors are staged beside the old ones and swapped in by one transaction when every memory has \
            one; only then does the store record the new model. Stop engram serve first, and start it with the \
            new embedder afterwards. Killed, a new run with the same embedder goes on where it stopped.
            """)

    @OptionGroup var engineOptions: EngineOptions

    @Option(name: .customLong("batch-size"), help: "Memories embedded per batch (default 64).")
    var batchSize = 64

    @Option(help: "auto (a bar on a terminal, lines otherwise), bar, lines or none.")
    var progress: ProgressStyle = .auto

    func validate() throws {
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 4096.") }
    }

    func run() throws {
        let store = try engineOptions.openStore()
        let embedder = try engineOptions.configuredEmbedder(store: store, allCores: true, preferConfigured: true)
        let reporter = ProgressReporter(title: "reindex", style: progress)
        let started = Date()
        let outcome: Reindexer.Outcome
        do {
            outcome = try Reindexer(store: store, embedder: embedder, batchSize: batchSize).run { done, total in
                reporter.update(done: done, total: total)
            }
        } catch let error as MemoryError {
            reporter.finish()
            throw CommandFailure(error.message)
        }
        reporter.finish()
        // An embedder stored by POST /configure that is not the one the memories are made with now would
        // stop serve from starting with it: forget it.
        if let persisted = try engineOptions.persistedEmbedder(store: store),
           persisted == .null || persisted.objectValue?["config"]?.objectValue?["model"]?.stringValue.map({ !embedder.modelID.hasSuffix($0) }) ?? true {
            try engineOptions.forgetPersistedEmbedder(store: store)
            print("The embedder stored by POST /configure was dropped: the memories are now made with \(embedder.modelID).")
        }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let resumed = outcome.resumed > 0 ? " (\(ProgressReporter.grouped(outcome.resumed)) kept from an earlier run)" : ""
        print("Re-embedded \(ProgressReporter.grouped(outcome.embedded)) of \(ProgressReporter.grouped(outcome.total)) memories\(resumed) "
            + "with \(embedder.modelID) (dimension \(embedder.dimension)) in \(String(format: "%.1f", seconds)) s, "
            + "\(ProgressReporter.grouped(Int(Double(outcome.embedded) / seconds))) memories/s. The store now records \(embedder.modelID).")
    }
}

/// `engram export`: JSON Lines of memories with their history and graph.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write memories with their history, categories, metadata and graph as JSON Lines (safe while serve runs).")

    @OptionGroup var engineOptions: EngineOptions

    @Option(help: "Only this project (default: every project).")
    var project: String?

    @Flag(name: .customLong("with-vectors"),
          help: "Write each memory's embedding too (about 2 KB more a memory at 384 dimensions), so an import with the same embedder does not embed again.")
    var withVectors = false

    @Option(name: .customLong("user-id"), help: "Only this user's memories.")
    var userID: String?

    @Option(name: .customLong("agent-id"), help: "Only this agent's memories.")
    var agentID: String?

    @Option(name: .customLong("run-id"), help: "Only this run's memories.")
    var runID: String?

    @Option(name: .customLong("app-id"), help: "Only this app's memories.")
    var appID: String?

    @Option(help: "A filter in the API's filter language, as JSON (combined with the options above).")
    var filters: String?

    @Option(help: "The file to write (default: standard output).")
    var output: String?

    func filter() throws -> Filter {
        var parts: [JSONValue] = []
        for (key, value) in [("user_id", userID), ("agent_id", agentID), ("run_id", runID), ("app_id", appID)] {
            if let value { parts.append(.object([key: .string(value)])) }
        }
        if let filters {
            guard let value = JSONValue.parse(Array(filters.utf8)) else { throw ValidationError("--filters is not valid JSON.") }
            parts.append(value)
        }
        do {
            return parts.isEmpty ? .all : try FilterParser.parse(.object(["AND": .array(parts)]))
        } catch {
            throw ValidationError(error.message)
        }
    }

    func validate() throws {
        _ = try filter()
    }

    func run() throws {
        let filter = try filter()
        let store = try engineOptions.openStore()
        let sink: UnsafeMutablePointer<FILE>
        if let output {
            guard let file = fopen(output, "wb") else { throw CommandFailure("Cannot write '\(output)': \(String(cString: strerror(errno)))") }
            sink = file
        } else {
            sink = fdopen(STDOUT_FILENO, "wb")
        }
        let started = Date()
        let count: Int
        do {
            var exporter = ArchiveExporter(store: store)
            exporter.vectors = withVectors
            count = try exporter.run(projects: project.map { [$0] }, filter: filter) { line in
                guard fwrite(line, 1, line.count, sink) == line.count else {
                    throw CommandFailure("Cannot write the export: \(String(cString: strerror(errno)))")
                }
            }
        } catch let error as MemoryError {
            throw CommandFailure(error.message)
        }
        guard fflush(sink) == 0, output == nil || fclose(sink) == 0 else {
            throw CommandFailure("Cannot write the export: \(String(cString: strerror(errno)))")
        }
        let destination = output ?? "standard output"
        ProgressReporter.write("Exported \(ProgressReporter.grouped(count)) memories to \(destination) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.\n")
    }
}

/// `engram import`: an export, or mem0's records, into the store.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read an engram export, or mem0's get_all results or platform export (JSON or JSON Lines), into the store.")

    @OptionGroup var engineOptions: EngineOptions

    @Argument(help: "The file to read, or - for standard input.")
    var file: String

    @Option(help: "Put every memory in this project (default: the file's, else 'default').")
    var project: String?

    @Flag(name: .customLong("new-ids"), help: "Give every memory a new id (default: keep ids; a taken one is a bad line).")
    var newIDs = false

    @Flag(help: "Check every line first; one bad line stops the import with nothing written.")
    var strict = false

    @Option(name: .customLong("batch-size"), help: "Memories embedded and written per transaction (default 256).")
    var batchSize = 256

    @Option(help: "auto (a bar on a terminal, lines otherwise), bar, lines or none.")
    var progress: ProgressStyle = .auto

    func validate() throws {
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 4096.") }
        if let project {
            do {
                _ = try KeyRing.validProject(project)
            } catch {
                throw ValidationError("--project: \(error.message)")
            }
        }
    }

    func run() throws {
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: file)
        } catch {
            throw CommandFailure(error.description)
        }
        let store = try engineOptions.openStore()
        let embedder = try engineOptions.configuredEmbedder(store: store, allCores: true)
        do {
            try store.prepare(embeddingModel: embedder.modelID, dimension: embedder.dimension)
        } catch let error as MemoryError {
            throw CommandFailure(error.message)
        }
        var options = ArchiveImporter.Options()
        options.newIDs = newIDs
        options.strict = strict
        options.project = project
        options.batchSize = batchSize
        let total = reader.estimatedCount()
        let reporter = ProgressReporter(title: "import", style: progress)
        let started = Date()
        let summary: ArchiveImporter.Summary
        do {
            summary = try ArchiveImporter(store: store, embedder: embedder, options: options).run(reader) { problem in
                if reporter.style == .bar { ProgressReporter.write("\r\u{1B}[2K") }
                ProgressReporter.write(problem + "\n")
            } progress: { done in
                reporter.update(done: done, total: total.map { max($0, done) })
            }
        } catch let error as ArchiveError {
            reporter.finish()
            throw CommandFailure(error.description)
        } catch let error as MemoryError {
            reporter.finish()
            throw CommandFailure(error.message)
        }
        reporter.finish()
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        print("Imported \(ProgressReporter.grouped(summary.imported)) memories, skipped \(ProgressReporter.grouped(summary.skipped)), "
            + "in \(String(format: "%.1f", seconds)) s (\(ProgressReporter.grouped(Int(Double(summary.imported) / seconds))) memories/s).")
        if let index = summary.indexSeconds {
            print("The store was empty, so its vector index was built once after the import: \(String(format: "%.1f", index)) s.")
        }
        if summary.vectorsKept > 0 {
            print("\(ProgressReporter.grouped(summary.vectorsKept)) of them kept the vectors of the export (made with the same embedder); "
                + "the rest were embedded.")
        }
        if summary.vectorsReplaced > 0 {
            print("\(ProgressReporter.grouped(summary.vectorsReplaced)) vectors of the export were embedded again: it names another "
                + "embedding model or dimension than the configured \(embedder.modelID) (\(embedder.dimension)).")
        }
    }
}

/// A command that could not do its work (not a usage mistake): printed as `Error: …`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
