/// Softmax followed by the cross-entropy loss against integer labels, fused (PyTorch's
/// `cross_entropy(logits, labels)` with mean reduction): the loss and its gradient in one pass.
///
/// Shapes: logits `[N, K]`, labels `N` integers in `0..<K`, dLogits `[N, K]`.
///
///     loss    = (1 / N) * sum over n of -log softmax(logits[n])[labels[n]]
///             = (1 / N) * sum over n of (m_n - logits[n, labels[n]]) + log(sum over k of exp(logits[n, k] - m_n))
///     dLogits = (softmax(logits) - onehot(labels)) / N
///
/// with `m_n` the row maximum, so the log-sum-exp never overflows.
public enum SoftmaxCrossEntropy {
    /// The mean loss over the batch and its gradient with respect to the logits.
    ///
    /// - Throws: `KernelError` when the logits are not 2-D or have an empty dimension, the label
    ///   count differs from the batch size, or a label lies outside `0..<K`.
    public static func forward(logits: Tensor, labels: [Int]) throws(KernelError) -> (loss: Float, dLogits: Tensor) {
        guard logits.rank == 2 else {
            throw KernelError("cross-entropy logits must have 2 dimensions [N, K]; got shape \(logits.shape)")
        }
        let rows = logits.shape[0], classes = logits.shape[1]
        guard rows >= 1, classes >= 1 else {
            throw KernelError("cross-entropy logits shape \(logits.shape) has an empty dimension; every size must be at least 1")
        }
        guard labels.count == rows else {
            throw KernelError("cross-entropy got \(labels.count) labels for a batch of \(rows); "
                + "there must be one label per row of the logits")
        }
        for (position, label) in labels.enumerated() where !(0..<classes).contains(label) {
            throw KernelError("label \(label) at position \(position) is out of range; labels must be in 0..<\(classes)")
        }
        var total: Double = 0
        var dLogits = [Float](repeating: 0, count: logits.count)
        let scale = 1 / Float(rows)
        logits.data.withUnsafeBufferPointer { source in
            dLogits.withUnsafeMutableBufferPointer { target in
                for row in 0..<rows {
                    let base = row &* classes
                    let (largest, sum) = Softmax.exponentiateRow(source.base + base, into: target.base + base,
                                                                 count: classes)
                    let label = labels[row]
                    // (m - x[label]) first: the two are close, so the difference is exact and the
                    // small log term is not lost against a large maximum.
                    total += Double((largest - source[base &+ label]) + Math.log(sum))
                    for k in 0..<classes {
                        let probability = target[base &+ k] / sum
                        target[base &+ k] = (k == label ? probability - 1 : probability) * scale
                    }
                }
            }
        }
        return (Float(total / Double(rows)), Tensor(shape: logits.shape, data: dLogits))
    }
}
