import ArgumentParser
import EngramAPI
import EngramCore
import EngramEmbedding
import EngramHTTP
import EngramProviders
import EngramSQLite
import Foundation
import Logging

/// `engram serve`: runs the HTTP server until SIGINT or SIGTERM.
///
/// Settings come from flags, then `ENGRAM_*` environment variables, then the config file, then
/// defaults; provider changes made with `POST /configure` are persisted in the store and win over all
/// of them at the next start. This is the only place configuration is read; everything below receives
/// plain values.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Engram HTTP server."
    )

    @Option(help: "Address to bind (env ENGRAM_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to bind (env ENGRAM_PORT; default 8888).")
    var port: Int?

    @OptionGroup var engineOptions: EngineOptions

    @Option(name: .customLong("api-key"), help: "Require this API key on every route but /health and /docs (env ENGRAM_API_KEY).")
    var apiKey: String?

    @Flag(name: .customLong("allow-unauthenticated"), help: "Allow binding a non-loopback address without an API key.")
    var allowUnauthenticated = false

    @Flag(
        name: .customLong("allow-private-webhooks"),
        help: "Allow webhook URLs on loopback, private and link-local addresses (env ENGRAM_ALLOW_PRIVATE_WEBHOOKS)."
    )
    var allowPrivateWebhooks = false

    @Option(help: "HTTP worker threads (env ENGRAM_WORKERS; default 2 per core, at least 4; with an LLM 4 per core, at least 16).")
    var workers: Int?

    @Option(name: .customLong("job-workers"), help: "Threads running async adds (env ENGRAM_JOB_WORKERS; default 2).")
    var jobWorkers: Int?

    @Option(
        name: .customLong("mcp-allowed-origins"),
        help: """
            Browser origins allowed to call /mcp besides loopback pages, comma-separated \
            (https://app.example.com), or * for any (env ENGRAM_MCP_ALLOWED_ORIGINS). Clients that send no \
            Origin header are always served.
            """
    )
    var mcpAllowedOrigins: String?

    @Option(help: "Graph memory: on (default) or off (env ENGRAM_GRAPH; config graph; ENGRAM_GRAPH_HOPS 0-2, default 1).")
    var graph: String?

    @Flag(
        name: .customLong("metrics-public"),
        help: "Serve GET /metrics without a key even when keys are configured (env ENGRAM_METRICS_PUBLIC; default: the administrator key)."
    )
    var metricsPublic = false

    @Option(name: .customLong("log-format"), help: "text (default) or json: one JSON object per line (env ENGRAM_LOG_FORMAT).")
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env ENGRAM_LOG_LEVEL; default info).")
    var logLevel: String?

    func validate() throws {
        if let port = try resolvedPort(), !(0...65_535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535.")
        }
        if let workers = try resolvedWorkers(), workers < 1 {
            throw ValidationError("--workers must be at least 1.")
        }
        if let jobWorkers = try resolvedJobWorkers(), jobWorkers < 1 {
            throw ValidationError("--job-workers must be at least 1.")
        }
        _ = try resolvedAllowPrivateWebhooks()
        _ = try resolvedMCPSettings()
        _ = try resolvedLogFormat()
        _ = try resolvedMetricsPublic()
        if Logger.Level(rawValue: resolvedLogLevel) == nil {
            throw ValidationError("Unknown log level '\(resolvedLogLevel)'.")
        }
        if resolvedAPIKey == nil, !allowUnauthenticated, !Self.isLoopback(resolvedHost) {
            throw ValidationError(
                "Refusing to serve \(resolvedHost) without an API key: anyone who can reach it could read and erase "
                    + "every memory. Set ENGRAM_API_KEY (or --api-key), or pass --allow-unauthenticated.")
        }
    }

    /// Half the cores: a lone embedding spreads over them, and the other half stay free for the request
    /// itself (a search ranks keywords while its query embeds) and for other requests. On 2 cores, one
    /// thread measured faster than two for searches (about 330 vs 295 a second from one client, 750 vs
    /// 600 from eight) and for adds, with a quarter less CPU per search.
    static func defaultEmbedThreads(cores: Int) -> Int {
        max(1, cores / 2)
    }

    /// Whether `host` only accepts connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    func run() throws {
        let level = Logger.Level(rawValue: resolvedLogLevel) ?? .info
        let format = try resolvedLogFormat()
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "engram")

        let dataDirectory = engineOptions.resolvedDataDirectory
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("Cannot create the data directory '\(dataDirectory)': \(error.localizedDescription)")
        }

        let embedder: LocalEmbedder
        let embedThreads = try engineOptions.resolvedEmbedThreads() ?? Self.defaultEmbedThreads(cores: ProcessInfo.processInfo.activeProcessorCount)
        let embedKernels = try engineOptions.resolvedEmbedKernels()
        do {
            embedder = try LocalEmbedder(configuration: .init(
                modelDirectory: engineOptions.resolvedModelDirectory, threads: embedThreads, kernels: embedKernels))
        } catch {
            throw ValidationError(error.description)
        }
        let why = embedKernels == .automatic ? "chosen automatically: \(MatrixKernels.automaticChoice)" : "as asked"
        logger.info("Embedder \(embedder.modelID) loaded from \(engineOptions.resolvedModelDirectory) (kernels: \(embedder.kernels.name), \(embedder.configuration.threads) threads; \(LocalEmbedder.matrixLibrary); kernels \(why))")

        raiseDescriptorLimit(logger: logger)
        var configuration = HTTPServer.Configuration()
        configuration.host = resolvedHost
        configuration.port = try resolvedPort() ?? 8888

        // Concurrent requests share embedding batches: one lane per core.
        let batching = BatchingEmbedder(wrapping: embedder, lanes: ProcessInfo.processInfo.activeProcessorCount)
        let file = try configFile()
        var factory = EngineProviderFactory(local: batching, remote: RemoteProviderFactory(logger: Logger(label: "engram.providers")))
        // The local reranker: a BERT cross-encoder from the folder its `model` names, on the embedder's kernels.
        factory.localReranker = { settings in
            guard let folder = settings.model, !folder.isEmpty else {
                throw MemoryError.invalid(
                    "The local reranker needs the folder of a cross-encoder ('reranker.config.model' or ENGRAM_RERANKER_MODEL), "
                        + "holding config.json, model.safetensors and vocab.txt (e.g. cross-encoder/ms-marco-MiniLM-L-6-v2)")
            }
            do {
                return try LocalCrossEncoder(configuration: .init(modelDirectory: folder, threads: embedThreads, kernels: embedKernels))
            } catch {
                throw MemoryError.invalid("The local reranker cannot be loaded: \(error)")
            }
        }
        let service: MemoryService
        do {
            let llmSettings = try ProviderOptions.llm(environment: environment, file: file)
            let embedderSettings = try ProviderOptions.embedder(environment: environment, file: file)
            let chatModel = try llmSettings.map { settings in try factory.chatModel(settings) }
            let rerankerSettings = try ProviderOptions.reranker(environment: environment, file: file)
            let reranker = try rerankerSettings.flatMap { settings in settings.provider == "llm" ? nil : try factory.reranker(settings) }
            let activeEmbedder = try embedderSettings.map { settings in try factory.embedder(settings) } ?? batching
            let store = try engineOptions.storeOption.openStore(dataDirectory: dataDirectory, fallbackURL: file.string("database_url"))
            if let notice = StoreOption.vectorIndexNotice(store) { logger.warning("\(notice)") }
            if let notice = StoreOption.partitionNotice(store) { logger.warning("\(notice)") }
            var engine = MemoryService.Configuration()
            engine.graph.enabled = try resolvedGraph()
            if let context = environment["ENGRAM_SEARCH_CONTEXT"]?.lowercased() {
                guard ["on", "off"].contains(context) else { throw ValidationError("ENGRAM_SEARCH_CONTEXT must be on or off.") }
                engine.conversationContext = context == "on"
            }
            if let hops = try integer(nil, "graph_hops") {
                guard (0...2).contains(hops) else { throw ValidationError("ENGRAM_GRAPH_HOPS must be 0, 1 or 2.") }
                engine.graph.hops = hops
            }
            if let count = try integer(nil, "proxy_memories") {
                guard (0...engine.maxPageSize).contains(count) else {
                    throw ValidationError("ENGRAM_PROXY_MEMORIES must be between 0 and \(engine.maxPageSize).")
                }
                engine.proxyMemories = count
            }
            // Several instances may share a Postgres store: a running job is theirs until its lease ends.
            if engineOptions.storeOption.resolvedURL(fallback: file.string("database_url")) != nil { engine.jobLease = 600 }
            engine.webhooks.allowPrivateAddresses = try resolvedAllowPrivateWebhooks()
            engine.webhooks.resolver = SystemHostResolver()
            for key in MemoryService.promptKeys { engine.promptDefaults[key] = file.values[key]?.stringValue }
            service = try MemoryService(
                store: store, embedder: activeEmbedder, embedderSettings: embedderSettings, chatModel: chatModel,
                llmSettings: llmSettings, reranker: reranker, rerankerSettings: rerankerSettings, factory: factory,
                configuration: engine)
        } catch let error as ValidationError {
            throw error
        } catch let error as MemoryError {
            throw ValidationError(error.message)
        } catch let error as ProviderError {
            throw ValidationError("The configured provider cannot be used: \(error.message)")
        } catch let error as ConfigError {
            throw ValidationError(error.description)
        } catch {
            throw ValidationError("Cannot open the memory store in '\(dataDirectory)': \(error)")
        }
        for problem in service.startupProblems { logger.warning("\(problem)") }
        // Offline categories need the category words embedded: before listening, not on the first add.
        do {
            try service.prepareCategories()
        } catch {
            logger.warning("The category words could not be embedded yet (the first add will try again): \(error)")
        }
        // An inference add holds its worker while the LLM answers: with an LLM, keep more of them.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        configuration.workerCount = try resolvedWorkers() ?? (service.hasChatModel ? max(16, 4 * cores) : max(4, 2 * cores))
        let providers = service.providerDescription
        logger.info("LLM: \(providers.llm.objectValue?["provider"]?.stringValue ?? "none (heuristic extraction)"); embedder: \(service.embedderDescription.model); reranker: \(providers.reranker.objectValue?["provider"]?.stringValue ?? "none")")

        let jobs = JobRunner(service: service, workers: try resolvedJobWorkers() ?? 2) { line in
            Logger(label: "engram.jobs").warning("\(line)")
        }
        do {
            try jobs.start()
        } catch {
            throw ValidationError("Cannot start the async add workers: \(error)")
        }

        let webhooks = WebhookDispatcher(
            service: service,
            transport: CurlWebhookTransport(timeout: service.webhookSettings.timeout, logger: Logger(label: "engram.webhooks"))
        ) { line in
            Logger(label: "engram.webhooks").warning("\(line)")
        }
        do {
            try webhooks.start()
        } catch {
            throw ValidationError("Cannot start the webhook workers: \(error)")
        }

        let server: HTTPServer
        do {
            let responder = APIRoutes.responder(
                service: service, embedder: batching, apiKey: resolvedAPIKey, mcp: try resolvedMCPSettings(),
                metricsPublic: try resolvedMetricsPublic(), logger: logger)
            server = try HTTPServer(configuration: configuration, responder: responder, logger: Logger(label: "engram.http"))
        } catch {
            throw ValidationError("Cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        let signals = SignalTrap(signals: [SIGINT, SIGTERM]) { signal in
            logger.info("Received signal \(signal); stopping")
            server.shutdown()
        }
        server.start()
        logger.info("Engram listening on http://\(configuration.host):\(server.port) (data in \(engineOptions.storeOption.location(dataDirectory: dataDirectory, fallbackURL: file.string("database_url"))))")
        server.waitUntilStopped()
        if !jobs.stop(timeout: 10) { logger.warning("Async adds still running at exit will be resumed at the next start") }
        if !webhooks.stop(timeout: 10) { logger.warning("Webhook deliveries still running at exit will be sent again at the next start") }
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

    private var environment: [String: String] { engineOptions.environment }

    private func configFile() throws -> ConfigFile { try engineOptions.configFile() }

    private func setting(_ flag: String?, _ name: String) -> String? { engineOptions.setting(flag, name) }

    private func integer(_ flag: Int?, _ name: String) throws -> Int? { try engineOptions.integer(flag, name) }

    private var resolvedHost: String { setting(host, "host") ?? "127.0.0.1" }

    private var resolvedAPIKey: String? {
        guard let key = setting(apiKey, "api_key"), !key.isEmpty else { return nil }
        return key
    }

    private var resolvedLogLevel: String { (setting(logLevel, "log_level") ?? "info").lowercased() }

    private func resolvedPort() throws -> Int? {
        try integer(port, "port")
    }

    private func resolvedWorkers() throws -> Int? {
        try integer(workers, "workers")
    }

    private func resolvedJobWorkers() throws -> Int? {
        try integer(jobWorkers, "job_workers")
    }

    /// Whether webhooks may call loopback, private and link-local addresses.
    private func resolvedAllowPrivateWebhooks() throws -> Bool {
        if allowPrivateWebhooks { return true }
        switch (setting(nil, "allow_private_webhooks") ?? "false").lowercased() {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no", "": return false
        case let other: throw ValidationError("ENGRAM_ALLOW_PRIVATE_WEBHOOKS must be true or false, got '\(other)'.")
        }
    }

    private func resolvedLogFormat() throws -> StderrLogHandler.Format {
        let text = (setting(logFormat, "log_format") ?? "text").lowercased()
        guard let format = StderrLogHandler.Format(rawValue: text) else {
            throw ValidationError("ENGRAM_LOG_FORMAT must be text or json, got '\(text)'.")
        }
        return format
    }

    /// Whether `/metrics` is open to anyone who can reach the server.
    private func resolvedMetricsPublic() throws -> Bool {
        if metricsPublic { return true }
        switch (setting(nil, "metrics_public") ?? "false").lowercased() {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no", "": return false
        case let other: throw ValidationError("ENGRAM_METRICS_PUBLIC must be true or false, got '\(other)'.")
        }
    }

    /// Whether graph memory is on.
    private func resolvedGraph() throws -> Bool {
        switch (setting(graph, "graph") ?? "on").lowercased() {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        case let other: throw ValidationError("ENGRAM_GRAPH must be on or off, got '\(other)'.")
        }
    }

    /// The MCP endpoint's origins (`scheme://host[:port]` each, or `*`) and default user.
    private func resolvedMCPSettings() throws -> MCPSettings {
        let origins = (setting(mcpAllowedOrigins, "mcp_allowed_origins") ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for origin in origins where origin != "*" {
            guard let url = URL(string: origin), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                  url.path.isEmpty, url.query == nil else {
                throw ValidationError("ENGRAM_MCP_ALLOWED_ORIGINS: '\(origin)' is not an origin like https://app.example.com.")
            }
        }
        let user = setting(nil, "mcp_default_user_id").map { $0.trimmingCharacters(in: .whitespaces) }
        return MCPSettings(
            allowedOrigins: origins, defaultUserID: user?.isEmpty == false ? user : nil,
            requireLoopbackHost: resolvedAPIKey == nil && Self.isLoopback(resolvedHost))
    }


}
