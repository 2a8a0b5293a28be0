/// How a batch of sequences is split into forward passes, so that one call's scratch memory stays
/// bounded whatever the batch size.
enum ForwardPasses {
    /// Consecutive ranges of the indices of `lengths` (token counts, in batch order) covering all of
    /// them, each holding at most `maxTokens` tokens, except that a sequence longer than `maxTokens`
    /// still gets a pass (of its own).
    static func ranges(lengths: [Int], maxTokens: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var passStart = 0
        var passTokens = 0
        for (index, length) in lengths.enumerated() {
            if passTokens + length > maxTokens, index > passStart {
                ranges.append(passStart..<index)
                passStart = index
                passTokens = 0
            }
            passTokens += length
        }
        if passStart < lengths.count {
            ranges.append(passStart..<lengths.count)
        }
        return ranges
    }
}
