import CEmbeddingKernels

/// Multi-head self-attention over a packed batch.
///
/// The batch is packed, not padded: sequence `s` occupies rows `offset(s) ..< offset(s) + length(s)`
/// of every buffer, and each sequence attends only to its own tokens. This computes what a padded
/// batch with the padding mask computes (masked scores weigh exactly zero after softmax) without
/// spending products on padding.
extension BertModel {
    /// Fills `workspace.context` from `workspace.queryKeyValue`: for every sequence and head,
    /// `softmax(Q·Kᵀ / √d) · V`, the head's result landing in its slice of the row as in BERT.
    func attend(lengths: [Int], workspace: Workspace) {
        var offsets: [Int] = []
        offsets.reserveCapacity(lengths.count)
        var next = 0
        for length in lengths {
            offsets.append(next)
            next += length
        }
        for sequence in lengths.indices {
            for head in 0..<configuration.headCount {
                attend(
                    head: head, offset: offsets[sequence], length: lengths[sequence],
                    workspace: workspace, scores: workspace.scores
                )
            }
        }
    }

    /// Attention of one head within one sequence, using `scores` as its `length × length` scratch.
    private func attend(head: Int, offset: Int, length: Int, workspace: Workspace, scores: UnsafeMutablePointer<Float>) {
        let hidden = configuration.hiddenSize
        let headSize = configuration.headSize
        let stride = 3 * hidden
        let queries = workspace.queryKeyValue + offset * stride + head * headSize
        let keys = queries + hidden
        let values = queries + 2 * hidden
        engram_attention_head(
            Int32(length), Int32(headSize), queries, keys, values, stride, 1 / Float(headSize).squareRoot(),
            scores, workspace.context + offset * hidden + head * headSize, hidden)
    }
}
