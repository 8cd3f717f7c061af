/// Softmax over dimension 1 of `[N, K]` (each row of K scores becomes K probabilities summing to
/// 1), forward and backward side by side.
///
/// Shapes: input, output, `dOutput` and `dInput` are all `[N, K]`.
///
///     y[n, k] = exp(x[n, k] - m) / sum over j of exp(x[n, j] - m),   m = max over j of x[n, j]
///
/// Subtracting the row maximum changes nothing mathematically and keeps every exponential <= 1,
/// so large scores cannot overflow.
public enum Softmax {
    /// The probabilities `[N, K]`.
    ///
    /// - Throws: `KernelError` when the input is not 2-D or has an empty dimension.
    public static func forward(input: Tensor) throws(KernelError) -> Tensor {
        try checkShape(input.shape, what: "input")
        let rows = input.shape[0], classes = input.shape[1]
        var output = [Float](repeating: 0, count: input.count)
        input.data.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for row in 0..<rows {
                    let base = row &* classes
                    let (_, sum) = exponentiateRow(source.base + base, into: target.base + base, count: classes)
                    for k in 0..<classes { target[base &+ k] /= sum }
                }
            }
        }
        return Tensor(shape: input.shape, data: output)
    }

    /// Writes `exp(x[k] - m)` for one row of `count` scores and returns `m` (the row's maximum) and
    /// the sum of the exponentials: the shared first half of softmax and of cross-entropy.
    @inline(__always)
    static func exponentiateRow(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
                                count: Int) -> (largest: Float, sum: Float) {
        var largest = source[0]
        for k in 1..<count where source[k] > largest { largest = source[k] }
        var sum: Float = 0
        for k in 0..<count {
            let e = Math.exp(source[k] - largest)
            target[k] = e
            sum += e
        }
        return (largest, sum)
    }

    /// The gradient with respect to the input, from the forward pass's `output` `y`:
    ///
    ///     dInput[n, k] = y[n, k] * (dOutput[n, k] - sum over j of dOutput[n, j] * y[n, j])
    ///
    /// - Throws: `KernelError` when `output` is not 2-D or empty, or `dOutput` has another shape.
    public static func backward(output: Tensor, dOutput: Tensor) throws(KernelError) -> Tensor {
        try checkShape(output.shape, what: "output")
        guard dOutput.shape == output.shape else {
            throw KernelError("softmax dOutput must have the output's shape \(output.shape); got \(dOutput.shape)")
        }
        let rows = output.shape[0], classes = output.shape[1]
        var dInput = [Float](repeating: 0, count: output.count)
        output.data.withUnsafeBufferPointer { y in
            dOutput.data.withUnsafeBufferPointer { gradients in
                dInput.withUnsafeMutableBufferPointer { target in
                    for row in 0..<rows {
                        let base = row &* classes
                        var dot: Float = 0
                        for k in 0..<classes { dot += gradients[base &+ k] * y[base &+ k] }
                        for k in 0..<classes { target[base &+ k] = y[base &+ k] * (gradients[base &+ k] - dot) }
                    }
                }
            }
        }
        return Tensor(shape: output.shape, data: dInput)
    }

    private static func checkShape(_ shape: [Int], what: String) throws(KernelError) {
        guard shape.count == 2 else {
            throw KernelError("softmax \(what) must have 2 dimensions [N, K]; got shape \(shape)")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw KernelError("softmax \(what) shape \(shape) has an empty dimension; every size must be at least 1")
        }
    }
}
