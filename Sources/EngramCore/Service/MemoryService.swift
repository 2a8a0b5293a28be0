import Crypto
import Foundation
import Synchronization

/// The memory engine: add, search, get, list, update, delete, history, reset and entities over a
/// `MemoryStore` and an `Embedder`. Synchronous; runs on the server's worker threads.
public final class MemoryService: Sendable {
    /// Engine settings, with mem0's defaults.
    public struct Configuration: Sendable {
        /// Candidates fetched from each search: `max(topK × overfetchFactor, minimumCandidates)`.
        public var overfetchFactor = 4
        public var minimumCandidates = 60
        /// A search ranks keywords and scans vectors on two threads at once when the scope holds at
        /// least this many vectors (or the store cannot tell): at 100,000 memories in a scope both take
        /// milliseconds (p50 21.7 -> 12 ms), while below that the hand-off costs more than it saves
        /// (about 0.3 ms and as much CPU per search at 1,000 memories; at 10,000, 8 clients made 478
        /// searches a second without it and 427 and 290 with it, in separate benchmark runs).
        public var parallelSearchMinimumCandidates = 50_000
        /// A new fact this similar to a stored one (cosine) is a duplicate.
        public var duplicateSimilarity = 0.95
        /// How semantic, keyword, context, speaker and graph scores are combined.
        public var fusion = ScoreFusion()
        /// Searches bring the memories written around their best candidates into the ranking
        /// (`ScoreFusion`'s context and speaker parts); off, they rank each memory on its own.
        public var conversationContext = true
        /// Graph memory: extraction on writes, graph candidates in searches.
        public var graph = GraphSettings()
        /// Largest page of a listing.
        public var maxPageSize = 1000
        /// Existing memories shown to the model on an inference add.
        public var inferenceContextSize = 10
        /// Candidates a reranker reorders when a search does not say (`top_n`); at least `top_k` are.
        public var rerankCandidates = 50
        /// Memories the chat proxy adds to the system message (`ENGRAM_PROXY_MEMORIES`); 0 adds none.
        public var proxyMemories = 10
        /// Prompt settings (`custom_instructions`, ...) from the config file, below `POST /configure`.
        public var promptDefaults: [String: String] = [:]
        /// Claims of an async job before it is failed for good (a crash mid-job counts as one).
        public var maxJobAttempts = 3
        /// When several processes share the store (Postgres), a RUNNING job is taken for abandoned only
        /// after this long, and every process looks for such jobs periodically. Nil (one process, SQLite):
        /// every job found RUNNING at start was abandoned.
        public var jobLease: TimeInterval?
        /// Webhook URL checks and delivery.
        public var webhooks = WebhookSettings()
        /// Where the engine's counters and histograms go (shared by every project's handle).
        public var metrics = Metrics()

        public init() {}
    }

    /// The providers in use; `POST /configure` may replace them while requests run.
    struct Providers: Sendable {
        var embedder: any Embedder
        var embedderSettings: ProviderSettings?
        var chatModel: (any ChatModel)?
        var llmSettings: ProviderSettings?
        /// Nil for `llm`, which scores with `chatModel` at the time of each search.
        var reranker: (any Reranker)?
        /// Nil when no reranker is configured (`rerank: true` is then a 400).
        var rerankerSettings: ProviderSettings?
    }

    /// What every project's handle of one engine shares: the providers, locks and job signal.
    final class Shared: Sendable {
        let providers: Mutex<Providers>
        let startupIssues = Mutex<[String]>([])
        let scopeLocks = ScopeLocks()
        let jobSignal = JobSignal()
        let classifier = Categories.Classifier()
        let webhooks = WebhookState()
        /// The handles of the projects served so far, by name.
        let handles = Mutex<[String: MemoryService]>([:])

        init(providers: Providers) { self.providers = Mutex(providers) }
    }

    let store: any MemoryStore
    let shared: Shared
    /// The providers given at start, restored by `"embedder": null`.
    let baseline: Providers
    let factory: (any ProviderFactory)?
    let configuration: Configuration
    let clock: @Sendable () -> Date
    /// The project this handle reads and writes; `inProject(_:)` gives another project's handle.
    public let project: String
    var scopeLocks: ScopeLocks { shared.scopeLocks }
    var jobSignal: JobSignal { shared.jobSignal }

    /// Creates the engine; checks that the store was built with this embedder. Without a chat model,
    /// inference adds use the heuristic extractor. `factory` builds providers when `POST /configure`
    /// changes them; `embedderSettings` and `llmSettings` describe the given ones for `GET /configure`.
    public init(
        store: any MemoryStore, embedder: any Embedder, embedderSettings: ProviderSettings? = nil,
        chatModel: (any ChatModel)? = nil, llmSettings: ProviderSettings? = nil,
        reranker: (any Reranker)? = nil, rerankerSettings: ProviderSettings? = nil, factory: (any ProviderFactory)? = nil,
        configuration: Configuration = Configuration(), project: String = Memory.defaultProject,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.store = store
        let initial = Providers(
            embedder: embedder, embedderSettings: embedderSettings, chatModel: chatModel, llmSettings: llmSettings,
            reranker: reranker, rerankerSettings: rerankerSettings ?? reranker.map(Self.describing))
        self.shared = Shared(providers: initial)
        self.baseline = initial
        self.factory = factory
        self.configuration = configuration
        self.project = project
        self.clock = clock
        let problems = applyPersistedOverrides()
        shared.startupIssues.withLock { $0 = problems }
        let effective = self.embedder
        try store.prepare(embeddingModel: effective.modelID, dimension: effective.dimension)
    }

    /// Another project's handle on the same engine: same store, providers and locks.
    private init(sharing engine: MemoryService, project: String) {
        self.store = engine.store
        self.shared = engine.shared
        self.baseline = engine.baseline
        self.factory = engine.factory
        self.configuration = engine.configuration
        self.clock = engine.clock
        self.project = project
    }

    /// The handle serving `project` (this one when it is the same project). Handles are cached: a
    /// request's lookup costs one dictionary read.
    public func inProject(_ project: String) -> MemoryService {
        if project == self.project { return self }
        return shared.handles.withLock { handles in
            if let handle = handles[project] { return handle }
            let handle = MemoryService(sharing: self, project: project)
            handles[project] = handle
            return handle
        }
    }

    /// Persisted provider overrides that could not be applied at start (logged by the caller).
    public var startupProblems: [String] { shared.startupIssues.withLock { $0 } }

    /// The embedder in use.
    var embedder: any Embedder { MeteredEmbedder(shared.providers.withLock { $0.embedder }, metrics: configuration.metrics) }

    /// The chat model in use, nil when inference falls back to the heuristic extractor.
    var chatModel: (any ChatModel)? {
        shared.providers.withLock { $0.chatModel }.map { MeteredChatModel($0, metrics: configuration.metrics) }
    }

    /// The engine's counters and histograms (`GET /metrics`).
    public var metrics: Metrics { configuration.metrics }

    /// Settings naming a reranker given without any: `provider/model` split at the first slash.
    private static func describing(_ reranker: any Reranker) -> ProviderSettings {
        let parts = reranker.modelID.split(separator: "/", maxSplits: 1).map(String.init)
        return ProviderSettings(provider: parts.first ?? reranker.modelID, model: parts.count > 1 ? parts[1] : nil)
    }

    /// Whether an LLM is configured (inference adds wait on it).
    public var hasChatModel: Bool { chatModel != nil }

    /// Whether the store answers.
    public func isHealthy() -> Bool { store.isReachable() }

    /// The store's counters and size for `GET /metrics`; nil for a store without them.
    public func storeStatistics() throws -> StoreStatistics? {
        try (store as? any AdminStore)?.statistics()
    }

    // MARK: Reads

    /// The memory with this id, whatever its state or expiry.
    public func get(id: String) throws -> Memory {
        guard let memory = try store.allowingReplicaReads({ try store.memory(id: id, project: project) }) else {
            throw MemoryError.notFound(id)
        }
        return memory
    }

    /// A page of the memories matching `filter`, newest first.
    /// With `asOf`, the memories that held then: observed by then and not superseded by then.
    public func list(
        filter: Filter, page: Int, pageSize: Int, showExpired: Bool, includeSuperseded: Bool, asOf: Date? = nil
    ) throws -> Page<Memory> {
        try checkPage(page, pageSize)
        let visibility = Visibility(showExpired: showExpired, includeSuperseded: includeSuperseded, today: today(), asOf: asOf)
        return try store.allowingReplicaReads {
            try store.list(project: project, filter: filter, visibility: visibility, page: page, pageSize: pageSize)
        }
    }

    /// The history of one memory, oldest first; 404 when the id never existed.
    public func history(memoryID: String) throws -> [HistoryEvent] {
        try store.allowingReplicaReads {
            let events = try store.history(memoryID: memoryID, project: project)
            if events.isEmpty, try store.memory(id: memoryID, project: project) == nil {
                throw MemoryError.notFound(memoryID)
            }
            return events
        }
    }

    /// The change log of a scope, newest first.
    public func history(filter: Filter, event: HistoryEvent.Kind?, page: Int, pageSize: Int) throws -> Page<HistoryEvent> {
        try checkPage(page, pageSize)
        return try store.allowingReplicaReads {
            try store.history(project: project, filter: filter, event: event, page: page, pageSize: pageSize)
        }
    }

    /// The users, agents and runs that have memories.
    public func entities() throws -> [Entity] { try store.allowingReplicaReads { try store.entities(project: project) } }

    // MARK: Helpers shared by the extensions

    /// Checks a page request: `page` from 1, `page_size` from 1 to `maxPageSize`.
    func checkPage(_ page: Int, _ pageSize: Int) throws(MemoryError) {
        guard page >= 1 else { throw .invalid("page must be at least 1") }
        guard (1...configuration.maxPageSize).contains(pageSize) else {
            throw .invalid("page_size must be between 1 and \(configuration.maxPageSize)")
        }
    }

    func now() -> Date { clock() }

    /// Today in UTC as `YYYY-MM-DD`.
    func today() -> String { Self.day(of: clock()) }

    static func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// md5 of the text, hex, as mem0 computes a memory's hash.
    public static func hash(_ text: String) -> String {
        Insecure.MD5.hash(data: Data(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public static func newID() -> String { UUID().uuidString.lowercased() }

    /// Metadata without the scope keys, which never override the scope; nil when empty.
    public static func cleanMetadata(_ metadata: [String: JSONValue]?) -> [String: JSONValue]? {
        guard var metadata else { return nil }
        for key in ["user_id", "agent_id", "run_id", "app_id", "actor_id"] { metadata.removeValue(forKey: key) }
        return metadata.isEmpty ? nil : metadata
    }

    /// Memory text must not carry NUL characters: C-string consumers downstream would cut it short.
    static func validateText(_ text: String) throws(MemoryError) {
        if text.utf8.contains(0) { throw .invalid("Memory text must not contain NUL characters") }
    }

    /// Validates `YYYY-MM-DD`.
    static func validateDay(_ text: String?) throws(MemoryError) -> String? {
        guard let text else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day), year >= 1
        else { throw .invalid("expiration_date must be a date as YYYY-MM-DD, got '\(text)'") }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: date) == day
        else { throw .invalid("expiration_date is not a real day: '\(text)'") }
        return text
    }
}
