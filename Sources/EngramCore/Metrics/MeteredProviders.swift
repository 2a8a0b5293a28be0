import Foundation

/// A chat model whose calls are counted and timed (`engram_llm_*`), tokens included when the provider
/// reports them.
public struct MeteredChatModel: ChatModel {
    public let base: any ChatModel
    let metrics: Metrics
    /// The provider label: the part of `modelID` before its `/`.
    let provider: String

    public init(_ base: any ChatModel, metrics: Metrics) {
        self.base = base
        self.metrics = metrics
        provider = String(base.modelID.split(separator: "/", maxSplits: 1).first ?? "unknown")
    }

    public var modelID: String { base.modelID }
    public var supportsVision: Bool { base.supportsVision }

    public func complete(_ request: ChatRequest) throws -> ChatResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        func finish(_ outcome: String) {
            metrics.observe(Metrics.llmDuration, [provider], Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            metrics.increment(Metrics.llmRequests, [provider, outcome])
        }
        do {
            let response = try base.complete(request)
            finish("ok")
            if let prompt = response.promptTokens { metrics.increment(Metrics.llmTokens, ["prompt"], by: Double(prompt)) }
            if let completion = response.completionTokens { metrics.increment(Metrics.llmTokens, ["completion"], by: Double(completion)) }
            return response
        } catch {
            finish("error")
            throw error
        }
    }
}

/// An embedder whose calls are timed and counted (`engram_embedding_duration_seconds`,
/// `engram_embedded_texts_total`).
public struct MeteredEmbedder: Embedder {
    public let base: any Embedder
    let metrics: Metrics

    public init(_ base: any Embedder, metrics: Metrics) {
        self.base = base
        self.metrics = metrics
    }

    public var modelID: String { base.modelID }
    public var dimension: Int { base.dimension }
    public func tokenCount(of text: String) -> Int { base.tokenCount(of: text) }

    public func embed(_ text: String) throws -> [Float] {
        try measured(count: 1) { try base.embed(text) }
    }

    public func embed(batch texts: [String]) throws -> [[Float]] {
        try measured(count: texts.count) { try base.embed(batch: texts) }
    }

    public func startEmbedding(_ text: String) -> PendingEmbedding {
        let start = DispatchTime.now().uptimeNanoseconds
        let pending = base.startEmbedding(text)
        let (metrics, model) = (metrics, base.modelID)
        return PendingEmbedding {
            defer {
                metrics.observe(Metrics.embeddingDuration, [model], Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                metrics.increment(Metrics.embeddedTexts, [model])
            }
            return try pending.wait()
        }
    }

    private func measured<T>(count: Int, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            metrics.observe(Metrics.embeddingDuration, [base.modelID], Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            metrics.increment(Metrics.embeddedTexts, [base.modelID], by: Double(count))
        }
        return try body()
    }
}
