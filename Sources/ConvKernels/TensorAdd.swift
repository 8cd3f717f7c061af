/// The elementwise sum of two tensors of one shape (PyTorch's `a + b`), forward and backward side by
/// side: the join of a residual block, `output = x + F(x)`.
///
/// Shapes: `a` and `b` any shape, the same one; the output, `dA` and `dB` have that shape.
///
///     output[i] = a[i] + b[i]
///     dA[i] = dOutput[i],  dB[i] = dOutput[i]      (d(a + b)/da = d(a + b)/db = 1)
///
/// The op has no windows, so it takes no observer (as the activations and global average pooling).
/// One loop over the values is the whole op: memory-bound, it needs no separate fast path.
public enum TensorAdd {
    /// The gradients with respect to both addends: each is `dOutput` itself.
    public struct Gradients: Sendable {
        /// The shape of `a`.
        public var dA: Tensor
        /// The shape of `b`.
        public var dB: Tensor
    }

    /// `a + b`, value by value.
    ///
    /// - Throws: `KernelError` naming both shapes when they differ (there is no broadcasting).
    public static func forward(a: Tensor, b: Tensor) throws(KernelError) -> Tensor {
        guard a.shape == b.shape else {
            throw KernelError("adding tensors needs two of the same shape; got \(a.shape) and \(b.shape)")
        }
        return Tensor(shape: a.shape) { target in
            a.data.withUnsafeBufferPointer { left in
                b.data.withUnsafeBufferPointer { right in
                    for index in 0..<target.count { target[index] = left[index] + right[index] }
                }
            }
        }
    }

    /// The gradients with respect to `a` and `b`, both `dOutput` (the backward pass needs only the
    /// inputs' shape, not their values).
    ///
    /// - Throws: `KernelError` when `dOutput` does not have the inputs' shape `inputShape`.
    public static func backward(dOutput: Tensor, inputShape: [Int]) throws(KernelError) -> Gradients {
        guard dOutput.shape == inputShape else {
            throw KernelError("adding tensors: dOutput must have the output's shape \(inputShape); got \(dOutput.shape)")
        }
        return Gradients(dA: dOutput, dB: dOutput)
    }
}
