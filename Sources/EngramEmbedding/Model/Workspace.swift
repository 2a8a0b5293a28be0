/// The scratch memory of one forward pass over a batch, carved out of one allocation. Each call
/// has its own, so calls on different threads share nothing but the read-only weights.
final class Workspace {
    /// Hidden states, `tokens × hidden`.
    let hidden: UnsafeMutablePointer<Float>
    /// Stacked queries, keys and values, `tokens × 3·hidden`.
    let queryKeyValue: UnsafeMutablePointer<Float>
    /// Attention output before its projection, `tokens × hidden`.
    let context: UnsafeMutablePointer<Float>
    /// Feed-forward activations, `tokens × intermediate`.
    let intermediate: UnsafeMutablePointer<Float>
    /// Attention scratch of one head of one sequence: its keys transposed (rows padded to 16 keys) and
    /// its scores.
    let scores: UnsafeMutablePointer<Float>
    /// A linear layer's input rounded to bfloat16 (for the BF16 kernels), `tokens × intermediate`
    /// rounded up to even.
    let rounded: UnsafeMutablePointer<UInt16>
    private let storage: UnsafeMutableBufferPointer<Float>

    /// Allocates room for `tokens` tokens in sequences of at most `longest`.
    init(tokens: Int, longest: Int, configuration: BertConfiguration) {
        let hiddenCount = tokens * configuration.hiddenSize
        let intermediateCount = tokens * configuration.intermediateSize
        // The attention scratch: Kᵀ with rows padded to 16 keys, and the scores (ENGRAM_ATTENTION_SCRATCH).
        let attention = configuration.headSize * ((longest + 15) / 16 * 16) + longest * longest
        storage = .allocate(capacity: 5 * hiddenCount + intermediateCount + attention)
        let base = storage.baseAddress.unsafelyUnwrapped
        hidden = base
        queryKeyValue = base + hiddenCount
        context = queryKeyValue + 3 * hiddenCount
        intermediate = context + hiddenCount
        scores = intermediate + intermediateCount
        let widest = max(configuration.hiddenSize, configuration.intermediateSize)
        rounded = .allocate(capacity: tokens * LinearWeight.bfloat16RowWidth(widest))
    }

    deinit {
        storage.deallocate()
        rounded.deallocate()
    }
}
