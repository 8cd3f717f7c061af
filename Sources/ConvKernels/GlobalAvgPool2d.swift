/// Global average pooling: each channel's plane averaged to one value (PyTorch's
/// `adaptive_avg_pool2d(input, 1)`), forward and backward side by side.
///
/// Shapes: input `[N, C, H, W]`, output `[N, C, 1, 1]`.
///
///     output[n, c, 0, 0] = (sum over h < H, w < W of input[n, c, h, w]) / (H * W)
public enum GlobalAvgPool2d {
    /// The per-channel means `[N, C, 1, 1]`; each plane summed in row-major order from 0, then divided.
    ///
    /// - Throws: `KernelError` when the input is not 4-D or has an empty dimension.
    public static func forward(input: Tensor) throws(KernelError) -> Tensor {
        try checkInput(input.shape)
        let planes = input.shape[0] * input.shape[1]
        let planeSize = input.shape[2] * input.shape[3]
        let divisor = Float(planeSize)
        var output = [Float](repeating: 0, count: planes)
        input.data.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for plane in 0..<planes {
                    let base = plane &* planeSize
                    var sum: Float = 0
                    for index in 0..<planeSize { sum += source[base &+ index] }
                    target[plane] = sum / divisor
                }
            }
        }
        return Tensor(shape: [input.shape[0], input.shape[1], 1, 1], data: output)
    }

    /// The gradient with respect to the input `[N, C, H, W]`: each cell gets its channel's
    /// `dOutput / (H * W)`.
    ///
    /// - Throws: `KernelError` when the input is not 4-D or empty, or `dOutput` is not `[N, C, 1, 1]`.
    public static func backward(input: Tensor, dOutput: Tensor) throws(KernelError) -> Tensor {
        try checkInput(input.shape)
        let outputShape = [input.shape[0], input.shape[1], 1, 1]
        guard dOutput.shape == outputShape else {
            throw KernelError("global average pooling dOutput must have the output's shape \(outputShape); got \(dOutput.shape)")
        }
        let planes = input.shape[0] * input.shape[1]
        let planeSize = input.shape[2] * input.shape[3]
        let divisor = Float(planeSize)
        var dInput = [Float](repeating: 0, count: input.count)
        dOutput.data.withUnsafeBufferPointer { gradients in
            dInput.withUnsafeMutableBufferPointer { target in
                for plane in 0..<planes {
                    let share = gradients[plane] / divisor
                    let base = plane &* planeSize
                    for index in 0..<planeSize { target[base &+ index] = share }
                }
            }
        }
        return Tensor(shape: input.shape, data: dInput)
    }

    private static func checkInput(_ shape: [Int]) throws(KernelError) {
        guard shape.count == 4 else {
            throw KernelError("global average pooling input must have 4 dimensions [N, C, H, W]; got shape \(shape)")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw KernelError("global average pooling input shape \(shape) has an empty dimension; every size must be at least 1")
        }
    }
}
