import ArgumentParser
import EngramAPI
import EngramCore
import EngramEmbedding
import EngramHTTP
import EngramSQLite
import Foundation
import Logging

/// `engram serve`: runs the HTTP server until SIGINT or SIGTERM.
///
/// Settings come from flags, then `ENGRAM_*` environment variables, then defaults. This is the only
/// place configuration is read; everything below receives plain values.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Engram HTTP server."
    )

    @Option(help: "Address to bind (env ENGRAM_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to bind (env ENGRAM_PORT; default 8888).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Directory for Engram's data (env ENGRAM_DATA_DIR; default ./data).")
    var dataDirectory: String?

    @Option(
        name: .customLong("model-dir"),
        help: "Folder of the local embedding model (env ENGRAM_MODEL_DIR; default ./models/all-MiniLM-L6-v2)."
    )
    var modelDirectory: String?

    @Option(name: .customLong("api-key"), help: "Require this API key on every route but /health and /docs (env ENGRAM_API_KEY).")
    var apiKey: String?

    @Flag(name: .customLong("allow-unauthenticated"), help: "Allow binding a non-loopback address without an API key.")
    var allowUnauthenticated = false

    @Option(help: "Worker threads (env ENGRAM_WORKERS; default 2 per core, at least 4).")
    var workers: Int?

    @OptionGroup var storeOption: StoreOption

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env ENGRAM_LOG_LEVEL; default info).")
    var logLevel: String?

    func validate() throws {
        if let port = try resolvedPort(), !(0...65_535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535.")
        }
        if let workers = try resolvedWorkers(), workers < 1 {
            throw ValidationError("--workers must be at least 1.")
        }
        if Logger.Level(rawValue: resolvedLogLevel) == nil {
            throw ValidationError("Unknown log level '\(resolvedLogLevel)'.")
        }
        if resolvedAPIKey == nil, !allowUnauthenticated, !Self.isLoopback(resolvedHost) {
            throw ValidationError(
                "Refusing to serve \(resolvedHost) without an API key: anyone who can reach it could read and erase "
                    + "every memory. Set ENGRAM_API_KEY (or --api-key), or pass --allow-unauthenticated.")
        }
    }

    /// Whether `host` only accepts connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    func run() throws {
        let level = Logger.Level(rawValue: resolvedLogLevel) ?? .info
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        let logger = Logger(label: "engram")

        let dataDirectory = resolvedDataDirectory
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("Cannot create the data directory '\(dataDirectory)': \(error.localizedDescription)")
        }

        let embedder: LocalEmbedder
        do {
            embedder = try LocalEmbedder(configuration: .init(modelDirectory: resolvedModelDirectory))
        } catch {
            throw ValidationError(error.description)
        }
        logger.info("Embedder \(embedder.modelID) loaded from \(resolvedModelDirectory) (\(LocalEmbedder.matrixLibrary))")

        raiseDescriptorLimit(logger: logger)
        var configuration = HTTPServer.Configuration()
        configuration.host = resolvedHost
        configuration.port = try resolvedPort() ?? 8888
        if let workers = try resolvedWorkers() { configuration.workerCount = workers }

        // Concurrent requests share embedding batches: one lane per core.
        let batching = BatchingEmbedder(wrapping: embedder, lanes: ProcessInfo.processInfo.activeProcessorCount)
        let service: MemoryService
        do {
            let store = try storeOption.openStore(dataDirectory: dataDirectory)
            service = try MemoryService(store: store, embedder: batching)
        } catch let error as MemoryError {
            throw ValidationError(error.message)
        } catch {
            throw ValidationError("Cannot open the memory store in '\(dataDirectory)': \(error)")
        }

        let server: HTTPServer
        do {
            let responder = APIRoutes.responder(service: service, embedder: batching, apiKey: resolvedAPIKey, logger: logger)
            server = try HTTPServer(configuration: configuration, responder: responder, logger: Logger(label: "engram.http"))
        } catch {
            throw ValidationError("Cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        let signals = SignalTrap(signals: [SIGINT, SIGTERM]) { signal in
            logger.info("Received signal \(signal); stopping")
            server.shutdown()
        }
        server.start()
        logger.info("Engram listening on http://\(configuration.host):\(server.port) (data in \(dataDirectory))")
        server.waitUntilStopped()
        signals.cancel()
        logger.info("Engram stopped")
    }

    /// Every connection is a descriptor: lift the soft limit (often 1,024) to the hard one.
    private func raiseDescriptorLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            logger.warning("Could not raise the open-file limit; connections are capped by it")
        }
    }

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    private var resolvedHost: String { host ?? environment["ENGRAM_HOST"] ?? "127.0.0.1" }

    private var resolvedDataDirectory: String { dataDirectory ?? environment["ENGRAM_DATA_DIR"] ?? "./data" }

    private var resolvedModelDirectory: String {
        modelDirectory ?? environment["ENGRAM_MODEL_DIR"] ?? LocalEmbedder.Configuration.defaultModelDirectory
    }

    private var resolvedAPIKey: String? {
        guard let key = apiKey ?? environment["ENGRAM_API_KEY"], !key.isEmpty else { return nil }
        return key
    }

    private var resolvedLogLevel: String { (logLevel ?? environment["ENGRAM_LOG_LEVEL"] ?? "info").lowercased() }

    private func resolvedPort() throws -> Int? {
        try port ?? integer(fromEnvironment: "ENGRAM_PORT")
    }

    private func resolvedWorkers() throws -> Int? {
        try workers ?? integer(fromEnvironment: "ENGRAM_WORKERS")
    }

    private func integer(fromEnvironment name: String) throws -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name) must be an integer, got '\(text)'.") }
        return value
    }
}
