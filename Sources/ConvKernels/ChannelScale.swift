/// Each channel of each batch item multiplied by a factor of its own (PyTorch's `input * scale` with
/// `scale` of shape `[N, C, 1, 1]`), forward and backward side by side: the last step of a
/// squeeze-and-excitation block, where `scale` is the sigmoid of a small network run on the
/// channels' means.
///
/// Shapes: input `[N, C, H, W]`, scale `[N, C, 1, 1]`, output and `dInput` `[N, C, H, W]`,
/// `dScale` `[N, C, 1, 1]`.
///
///     output[n, c, h, w] = input[n, c, h, w] * scale[n, c, 0, 0]
///     dInput[n, c, h, w] = dOutput[n, c, h, w] * scale[n, c, 0, 0]
///     dScale[n, c, 0, 0] = sum over h < H, w < W of dOutput[n, c, h, w] * input[n, c, h, w]
///
/// The op has no windows, so it takes no observer. One loop over each plane is the whole op:
/// memory-bound, it needs no separate fast path.
public enum ChannelScale {
    /// The gradients with respect to the input and the scale.
    public struct Gradients: Sendable {
        /// `[N, C, H, W]`
        public var dInput: Tensor
        /// `[N, C, 1, 1]`
        public var dScale: Tensor
    }

    /// The input with plane `(n, c)` multiplied by `scale[n, c, 0, 0]`, `[N, C, H, W]`.
    ///
    /// - Throws: `KernelError` when the input is not 4-D or has an empty dimension, or the scale is
    ///   not `[N, C, 1, 1]` for it.
    public static func forward(input: Tensor, scale: Tensor) throws(KernelError) -> Tensor {
        try check(input.shape, scale.shape)
        let planeSize = input.shape[2] * input.shape[3]
        return Tensor(shape: input.shape) { target in
            input.data.withUnsafeBufferPointer { source in
                scale.data.withUnsafeBufferPointer { factors in
                    for plane in 0..<factors.count {
                        let factor = factors[plane], base = plane &* planeSize
                        for index in base..<(base &+ planeSize) { target[index] = source[index] * factor }
                    }
                }
            }
        }
    }

    /// The gradients with respect to the input and the scale; each plane's `dScale` is summed in
    /// row-major order from 0.
    ///
    /// - Throws: `KernelError` as `forward`, or when `dOutput` does not have the input's shape.
    public static func backward(input: Tensor, scale: Tensor, dOutput: Tensor) throws(KernelError) -> Gradients {
        try check(input.shape, scale.shape)
        guard dOutput.shape == input.shape else {
            throw KernelError("channel scaling dOutput must have the output's shape \(input.shape); got \(dOutput.shape)")
        }
        let planeSize = input.shape[2] * input.shape[3]
        var dScale = [Float](repeating: 0, count: scale.count)
        let dInput = Tensor(shape: input.shape) { target in
            input.data.withUnsafeBufferPointer { source in
                dOutput.data.withUnsafeBufferPointer { gradients in
                    scale.data.withUnsafeBufferPointer { factors in
                        for plane in 0..<factors.count {
                            let factor = factors[plane], base = plane &* planeSize
                            var sum: Float = 0
                            for index in base..<(base &+ planeSize) {
                                target[index] = gradients[index] * factor
                                sum += gradients[index] * source[index]
                            }
                            dScale[plane] = sum
                        }
                    }
                }
            }
        }
        return Gradients(dInput: dInput, dScale: Tensor(shape: scale.shape, data: dScale))
    }

    private static func check(_ inputShape: [Int], _ scaleShape: [Int]) throws(KernelError) {
        guard inputShape.count == 4 else {
            throw KernelError("channel scaling input must have 4 dimensions [N, C, H, W]; got shape \(inputShape)")
        }
        guard inputShape.allSatisfy({ $0 >= 1 }) else {
            throw KernelError("channel scaling input shape \(inputShape) has an empty dimension; every size must be at least 1")
        }
        let expected = [inputShape[0], inputShape[1], 1, 1]
        guard scaleShape == expected else {
            throw KernelError("channel scaling of an input \(inputShape) needs a scale of shape [N, C, 1, 1] = \(expected); got \(scaleShape)")
        }
    }
}
