import Foundation

/// The head Hugging Face's `BertForSequenceClassification` puts on a BERT encoder, with one label: the
/// pooler (a `hidden × hidden` dense layer and tanh on the final state of `[CLS]`) then the classifier
/// (a dense layer to one logit). Its weights are copied out of the file: they are small (one
/// `hidden × hidden` matrix) and so outlive it.
struct SequenceClassifierHead: Sendable {
    /// Width of the encoder's hidden states.
    let hiddenSize: Int
    /// The pooler's weight, `hidden × hidden` row-major (one row per output), and its bias.
    private let poolerWeight: [Float]
    private let poolerBias: [Float]
    /// The classifier's weight, one row of `hidden`, and its bias.
    private let classifierWeight: [Float]
    private let classifierBias: Float

    /// Reads `pooler.dense.weight` and `.bias` (after `prefix`, as the encoder's tensors) and
    /// `classifier.weight` and `.bias` (no prefix: they sit beside the encoder), checking their shapes;
    /// a classifier with other than one output is `.wrongShape`.
    init(file: SafeTensorsFile, hiddenSize: Int, prefix: String) throws(SafeTensorsError) {
        self.hiddenSize = hiddenSize
        poolerWeight = try Array(file.floats(prefix + "pooler.dense.weight", shape: [hiddenSize, hiddenSize]))
        poolerBias = try Array(file.floats(prefix + "pooler.dense.bias", shape: [hiddenSize]))
        classifierWeight = try Array(file.floats("classifier.weight", shape: [1, hiddenSize]))
        classifierBias = try file.floats("classifier.bias", shape: [1])[0]
    }

    /// The logit of one sequence from the final hidden state of its `[CLS]` token (`hiddenSize` floats).
    func logit(of state: [Float]) -> Float {
        precondition(state.count == hiddenSize, "one state of the hidden width")
        return state.withUnsafeBufferPointer { state in
            poolerWeight.withUnsafeBufferPointer { weight in
                classifierWeight.withUnsafeBufferPointer { classifier in
                    var logit = classifierBias
                    for output in 0..<hiddenSize {
                        let row = weight.baseAddress.unsafelyUnwrapped + output * hiddenSize
                        let pooled = poolerBias[output] + VectorKernels.dot(row, state.baseAddress.unsafelyUnwrapped, count: hiddenSize)
                        logit += classifier[output] * tanh(pooled)
                    }
                    return logit
                }
            }
        }
    }
}
