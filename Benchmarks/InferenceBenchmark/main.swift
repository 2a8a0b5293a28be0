// `make bench-inference`: the inference pipeline's own cost. A real Engram API (SQLite file, the local
// embedder, the real libcurl OpenAI client) talks to a fake OpenAI-compatible model on 127.0.0.1 that
// answers at once, so what is measured is everything but the model: embedding the new messages,
// retrieving related memories, building the prompt, the HTTP round trip to the model, parsing,
// embedding the new fact and the write. The scope first holds `--memories` memories.
// With `--mode proxy` (`make bench-proxy`), the chat proxy's overhead instead (ProxyMeasurement.swift).
import EngramAPI
import EngramCore
import EngramEmbedding
import EngramHTTP
import EngramProviders
import EngramSQLite
import Foundation
import Logging

let options = try InferenceBenchmarkOptions(CommandLine.arguments.dropFirst())
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-bench-inference-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

var quiet = Logger(label: "bench")
quiet.logLevel = .critical

// The model: answers every inference call with one ADD of a fact taken from the new messages.
let model = FakeModel()
var modelConfiguration = HTTPServer.Configuration()
modelConfiguration.port = 0
modelConfiguration.accessLog = false
let modelServer = try HTTPServer(configuration: modelConfiguration, responder: model.router(logger: quiet), logger: quiet)
modelServer.start()
defer {
    modelServer.shutdown()
    modelServer.waitUntilStopped()
}

let local = try LocalEmbedder(configuration: .init(modelDirectory: options.modelDirectory, threads: options.embedThreads))
let embedder = BatchingEmbedder(wrapping: local, lanes: options.lanes)
let chat = try RemoteProviderFactory(logger: quiet).chatModel(ProviderSettings(
    provider: "openai", model: "fake-model", baseURL: "http://127.0.0.1:\(modelServer.port)/v1", apiKey: "sk-bench"))
let store = try SQLiteMemoryStore(path: directory.appendingPathComponent("engram.sqlite").path)
let service = try MemoryService(store: store, embedder: embedder, chatModel: chat)

// Seed the scope with distinct facts, stored verbatim in batches.
let seedStart = Date()
let seeds = Corpus.facts(count: options.memories)
for start in stride(from: 0, to: seeds.count, by: 200) {
    let batch = seeds[start..<min(start + 200, seeds.count)].map { Message(role: "user", content: $0) }
    _ = try service.add(AddRequest(messages: batch, scope: try Scope(userID: "bench-user"), infer: false))
}
FileHandle.standardError.write(Data("Seeded \(seeds.count) memories in \(Int(Date().timeIntervalSince(seedStart))) s\n".utf8))

var apiConfiguration = HTTPServer.Configuration()
apiConfiguration.port = 0
apiConfiguration.accessLog = false
let api = try HTTPServer(
    configuration: apiConfiguration, responder: APIRoutes.responder(service: service, embedder: embedder, apiKey: nil, logger: quiet),
    logger: quiet)
api.start()
defer {
    api.shutdown()
    api.waitUntilStopped()
}

if options.mode == "proxy" {
    let report = try ProxyMeasurement.run(options: options, service: service, apiPort: api.port, modelPort: modelServer.port)
    print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
} else {
    let client = try BenchClient(port: api.port)
    var latencies: [Double] = []
    let conversation = Corpus.conversations(count: options.adds + options.warmup)
    for (index, messages) in conversation.enumerated() {
        let body = try JSONSerialization.data(withJSONObject: [
            "messages": messages.map { ["role": $0.role, "content": $0.content] }, "user_id": "bench-user",
        ])
        let started = DispatchTime.now().uptimeNanoseconds
        let (status, text) = try client.post("/memories", body: body)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        guard status == 200 else { throw BenchError("add answered \(status): \(text)") }
        if index >= options.warmup { latencies.append(elapsed) }
    }

    // The embedder's share: one add embeds the new messages once and each new fact once.
    var embedTimes: [Double] = []
    for messages in conversation.prefix(60) {
        let text = messages.reversed().filter { $0.role != "system" }.map(\.content).joined(separator: "\n")
        let started = DispatchTime.now().uptimeNanoseconds
        _ = try embedder.embed(text)
        embedTimes.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
    }
    embedTimes.sort()

    let sorted = latencies.sorted()
    let percentile = { (p: Double) -> Double in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
    let prompts = model.promptBytes.withLock { $0 }.dropFirst(options.warmup)
    let meanBytes = prompts.isEmpty ? 0 : Double(prompts.reduce(0, +)) / Double(prompts.count)
    let report: [String: Any] = [
        "memories_in_scope": options.memories, "adds": sorted.count,
        "add_p50_ms": percentile(0.5), "add_p95_ms": percentile(0.95), "add_p99_ms": percentile(0.99),
        "model_time_ms": 0, "embed_query_p50_ms": embedTimes[embedTimes.count / 2], "prompt_bytes_mean": meanBytes, "prompt_tokens_estimate": meanBytes / 4,
        "existing_memories_shown_mean": model.shownMemories.withLock { counts in
            counts.isEmpty ? 0 : Double(counts.reduce(0, +)) / Double(counts.count)
        },
    ]
    let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
