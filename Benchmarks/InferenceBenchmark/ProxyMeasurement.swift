import EngramCore
import Foundation

/// `make bench-proxy`: what the chat proxy adds before the first token. Each of `adds` streamed chat
/// requests (the benchmark's conversations) goes once straight to the fake model and once through
/// Engram's `/v1/chat/completions`, with `user_id` (the scope holding `--memories` memories: a search,
/// the memories in the system message, the exchange queued) and without (a plain proxy). The time to
/// the first body byte is compared. The queued exchanges are not run meanwhile (no job workers): their
/// cost is the inference add's, measured by `make bench-inference`. The recall alone (the search the
/// proxy runs, called on the service) is timed too.
enum ProxyMeasurement {
    static func run(options: InferenceBenchmarkOptions, service: MemoryService, apiPort: Int, modelPort: Int) throws -> [String: Any] {
        let direct = try BenchClient(port: modelPort)
        let proxy = try BenchClient(port: apiPort)
        var straight: [Double] = [], scoped: [Double] = [], plain: [Double] = []
        var overhead: [Double] = [], recall: [Double] = []
        let scope = try Scope(userID: "bench-user")
        for (index, messages) in Corpus.conversations(count: options.adds + options.warmup).enumerated() {
            var body: [String: Any] = ["model": "fake-model", "stream": true, "messages": messages.map { ["role": $0.role, "content": $0.content] }]
            let toModel = try direct.postUntilFirstChunk("/v1/chat/completions", body: try JSONSerialization.data(withJSONObject: body))
            let unscoped = try proxy.postUntilFirstChunk("/v1/chat/completions", body: try JSONSerialization.data(withJSONObject: body))
            body["user_id"] = "bench-user"
            let withMemories = try proxy.postUntilFirstChunk("/v1/chat/completions", body: try JSONSerialization.data(withJSONObject: body))
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try service.recall(messages.last?.content ?? "", scope: scope)
            let recalled = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            guard index >= options.warmup else { continue }
            recall.append(recalled)
            straight.append(toModel)
            plain.append(unscoped)
            scoped.append(withMemories)
            overhead.append(withMemories - toModel)
        }
        return [
            "memories_in_scope": options.memories, "requests": straight.count,
            "direct_p50_ms": percentile(straight, 0.5), "direct_p95_ms": percentile(straight, 0.95),
            "plain_p50_ms": percentile(plain, 0.5), "plain_p95_ms": percentile(plain, 0.95),
            "scoped_p50_ms": percentile(scoped, 0.5), "scoped_p95_ms": percentile(scoped, 0.95),
            "overhead_p50_ms": percentile(overhead, 0.5), "overhead_p95_ms": percentile(overhead, 0.95),
            "recall_p50_ms": percentile(recall, 0.5), "recall_p95_ms": percentile(recall, 0.95),
        ]
    }

    private static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}
