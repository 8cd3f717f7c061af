/// Concatenation of NCHW tensors along the channels (PyTorch's `torch.cat(inputs, dim=1)`), forward
/// and backward side by side: the join of Inception's branches and of a DenseNet block.
///
/// Shapes: inputs `[N, C_k, H, W]` for `k` in `0..<K` (`K >= 1`, the same N, H and W, any channel
/// counts), output `[N, C_0 + ... + C_(K-1), H, W]`.
///
///     output[n, offset_k + c, h, w] = inputs[k][n, c, h, w]      offset_k = C_0 + ... + C_(k-1)
///     dInputs[k][n, c, h, w]        = dOutput[n, offset_k + c, h, w]
///
/// The op has no windows, so it takes no observer. For each batch item an input's channels are one
/// contiguous run of `C_k * H * W` values in the input and in the output, so the op is a copy per
/// run, forward and backward alike: memory-bound, it needs no separate fast path.
public enum ChannelConcat {
    /// The output's shape `[N, C_0 + ... + C_(K-1), H, W]` for the given input shapes.
    ///
    /// - Throws: `KernelError` when there is no input, an input is not 4-D or has an empty dimension,
    ///   or an input's N, H or W differs from input 0's; the message names the input and both shapes.
    public static func outputShape(inputShapes: [[Int]]) throws(KernelError) -> [Int] {
        guard let first = inputShapes.first else {
            throw KernelError("channel concatenation needs at least one input; got none")
        }
        var channels = 0
        for (index, shape) in inputShapes.enumerated() {
            guard shape.count == 4 else {
                throw KernelError("channel concatenation input \(index) must have 4 dimensions [N, C, H, W]; got shape \(shape)")
            }
            guard shape.allSatisfy({ $0 >= 1 }) else {
                throw KernelError("channel concatenation input \(index) shape \(shape) has an empty dimension; every size must be at least 1")
            }
            guard shape[0] == first[0], shape[2] == first[2], shape[3] == first[3] else {
                throw KernelError("channel concatenation input \(index) has shape \(shape) and input 0 has \(first); "
                    + "all inputs must agree in N, H and W (only the channels C may differ)")
            }
            channels += shape[1]
        }
        return [first[0], channels, first[2], first[3]]
    }

    /// The inputs side by side along the channels, `[N, sum of C_k, H, W]`, in the order given.
    ///
    /// - Throws: `KernelError` as `outputShape(inputShapes:)`.
    public static func forward(inputs: [Tensor]) throws(KernelError) -> Tensor {
        let shape = try outputShape(inputShapes: inputs.map(\.shape))
        let outputBatchStride = shape[1] * shape[2] * shape[3]
        return Tensor(shape: shape) { target in
            var offset = 0  // offset_k * H * W: where input k's channels start in one output batch item
            for input in inputs {
                let run = input.count / shape[0]  // C_k * H * W
                input.data.withUnsafeBufferPointer { source in
                    for n in 0..<shape[0] {
                        copy(run, from: source.base + n * run, to: target.base + n * outputBatchStride + offset)
                    }
                }
                offset += run
            }
        }
    }

    /// The gradient with respect to each input, `dInputs[k]` of shape `inputShapes[k]`: the input's
    /// channels cut back out of `dOutput` (the backward pass needs only the inputs' shapes).
    ///
    /// - Throws: `KernelError` as `outputShape(inputShapes:)`, or when `dOutput` does not have the
    ///   output's shape.
    public static func backward(dOutput: Tensor, inputShapes: [[Int]]) throws(KernelError) -> [Tensor] {
        let shape = try outputShape(inputShapes: inputShapes)
        guard dOutput.shape == shape else {
            throw KernelError("channel concatenation dOutput must have the output's shape \(shape); got \(dOutput.shape)")
        }
        let outputBatchStride = shape[1] * shape[2] * shape[3]
        var dInputs: [Tensor] = []
        dInputs.reserveCapacity(inputShapes.count)
        dOutput.data.withUnsafeBufferPointer { source in
            var offset = 0
            for inputShape in inputShapes {
                let run = inputShape[1] * inputShape[2] * inputShape[3]
                dInputs.append(Tensor(shape: inputShape) { target in
                    for n in 0..<shape[0] {
                        copy(run, from: source.base + n * outputBatchStride + offset, to: target.base + n * run)
                    }
                })
                offset += run
            }
        }
        return dInputs
    }

    @inline(__always)
    private static func copy(_ count: Int, from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>) {
        target.initialize(from: source, count: count)  // Float: no deinitialisation needed
    }
}
