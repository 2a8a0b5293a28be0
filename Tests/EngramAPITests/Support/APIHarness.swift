import EngramAPI
import EngramCore
import EngramHTTP
import EngramPostgres
import EngramPostgresTestSupport
import EngramSQLite
import EngramTestSupport
import Foundation
import Logging
import Testing

/// The store behind a harness.
enum HarnessStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A SQLite file in the harness's directory.
    case sqlite
    /// A fresh database on the shared embedded Postgres server.
    case postgres

    var testDescription: String { rawValue }

    func open(in directory: URL) throws -> any MemoryStore {
        switch self {
        case .sqlite: try SQLiteMemoryStore(path: directory.appendingPathComponent("engram.sqlite").path)
        case .postgres: try PostgresMemoryStore(url: try EmbeddedPostgres.shared.makeDatabase())
        }
    }
}

/// A real Engram API on 127.0.0.1: a SQLite file in a fresh directory (or a fresh Postgres database),
/// the hashing test embedder, and the HTTP server. Always stopped and removed after the body runs.
struct APIHarness {
    let port: Int
    let service: MemoryService
    let directory: URL
    let store: any MemoryStore

    static func run<T>(
        storeKind: HarnessStore = .sqlite, sharedStore: (any MemoryStore)? = nil,
        apiKey: String? = nil, embedder: any Embedder = HashingEmbedder(), clock: (@Sendable () -> Date)? = nil,
        chatModel: (any ChatModel)? = nil, factory: (any ProviderFactory)? = nil, jobWorkers: Int? = nil,
        configuration: MemoryService.Configuration = MemoryService.Configuration(), mcp: MCPSettings = MCPSettings(),
        _ body: (APIHarness) throws -> T
    ) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try sharedStore ?? storeKind.open(in: directory)
        let service = try MemoryService(
            store: store, embedder: embedder, chatModel: chatModel, factory: factory, configuration: configuration,
            clock: clock ?? { Date() })
        let jobs = jobWorkers.map { JobRunner(service: service, workers: $0, pollInterval: 0.1) }
        try jobs?.start()
        defer { jobs?.stop(timeout: 10) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.accessLog = false
        let server = try HTTPServer(
            configuration: configuration,
            responder: APIRoutes.responder(service: service, embedder: embedder, apiKey: apiKey, mcp: mcp, logger: logger),
            logger: logger)
        server.start()
        defer {
            server.shutdown()
            server.waitUntilStopped()
        }
        return try body(APIHarness(port: server.port, service: service, directory: directory, store: store))
    }

    func call(_ method: String, _ target: String, _ body: String? = nil, headers: [String: String] = [:]) throws -> RawClient.Response {
        try RawClient.request(port: port, method, target, body: body, headers: headers)
    }

    /// Adds verbatim memories (infer=false), one per text, and returns their ids in order.
    @discardableResult
    func remember(_ texts: [String], scope: String = #""user_id": "alice""#, metadata: String = "null") throws -> [String] {
        var ids: [String] = []
        for text in texts {
            let body = #"{"messages": [{"role": "user", "content": \#(quoted(text))}], \#(scope), "infer": false, "metadata": \#(metadata)}"#
            let response = try call("POST", "/memories", body)
            guard response.status == 200, let id = response.results.first?["id"] as? String else {
                throw HarnessError.unexpected(response.status, response.text)
            }
            ids.append(id)
        }
        return ids
    }

    func quoted(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
        let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }

    enum HarnessError: Error {
        case unexpected(Int, String)
    }
}
