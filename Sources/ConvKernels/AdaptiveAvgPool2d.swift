/// Average pooling to a fixed output size (PyTorch's `adaptive_avg_pool2d`), forward and backward
/// side by side: the pooling before VGG's and AlexNet's classifiers, whatever the input's size.
///
/// Shapes: input `[N, C, H, W]`, output `[N, C, OH, OW]` for any `OH, OW >= 1`. Output row `y`
/// averages input rows `start(y) ..< end(y)`, and the same for the columns:
///
///     start(y) = floor(y * H / OH)        end(y) = ceil((y + 1) * H / OH)
///     output[n, c, y, x] = (sum of the window's cells) / (its rows * its columns)
///     dInput[n, c, h, w] = sum over the windows holding (h, w) of dOutput[n, c, y, x] / (its rows * its columns)
///
/// When `OH` divides `H` (and `OW` divides `W`) the windows tile the input and this is average
/// pooling with kernel and stride `H / OH`; with `OH = OW = 1` it is global average pooling.
/// Otherwise windows may differ in size and overlap by a row or column. The op takes no observer
/// (no lesson steps through it); its loops are the plain reference.
public enum AdaptiveAvgPool2d {
    /// The output `[N, C, OH, OW]`; each window summed in row-major order from 0, then divided.
    ///
    /// - Throws: `KernelError` when the input is not 4-D or has an empty dimension, or a side of
    ///   `outputSize` is below 1.
    public static func forward(input: Tensor, outputSize: Pair) throws(KernelError) -> Tensor {
        try check(input.shape, outputSize)
        let (planes, height, width) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let rows = windows(input: height, output: outputSize.height)
        let columns = windows(input: width, output: outputSize.width)
        return Tensor(shape: outputShape(input.shape, outputSize)) { target in
            input.data.withUnsafeBufferPointer { source in
                var outputIndex = 0
                for plane in 0..<planes {
                    let base = plane * height * width
                    for rowRange in rows {
                        for columnRange in columns {
                            var sum: Float = 0
                            for row in rowRange {
                                for column in columnRange { sum += source[base + row * width + column] }
                            }
                            target[outputIndex] = sum / Float(rowRange.count * columnRange.count)
                            outputIndex += 1
                        }
                    }
                }
            }
        }
    }

    /// The gradient with respect to the input `[N, C, H, W]`: each window's `dOutput / its size`
    /// added to each of its cells, windows in output order.
    ///
    /// - Throws: `KernelError` as `forward`, or when `dOutput` is not `[N, C, OH, OW]`.
    public static func backward(input: Tensor, outputSize: Pair, dOutput: Tensor) throws(KernelError) -> Tensor {
        try check(input.shape, outputSize)
        let expected = outputShape(input.shape, outputSize)
        guard dOutput.shape == expected else {
            throw KernelError("adaptive average pooling dOutput must have the output's shape \(expected); got \(dOutput.shape)")
        }
        let (planes, height, width) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let rows = windows(input: height, output: outputSize.height)
        let columns = windows(input: width, output: outputSize.width)
        var dInput = [Float](repeating: 0, count: input.count)
        dOutput.data.withUnsafeBufferPointer { gradients in
            dInput.withUnsafeMutableBufferPointer { target in
                var outputIndex = 0
                for plane in 0..<planes {
                    let base = plane * height * width
                    for rowRange in rows {
                        for columnRange in columns {
                            let share = gradients[outputIndex] / Float(rowRange.count * columnRange.count)
                            outputIndex += 1
                            for row in rowRange {
                                for column in columnRange { target[base + row * width + column] += share }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: input.shape, data: dInput)
    }

    /// The input rows (or columns) of each output row: `start(y) ..< end(y)` for `y` in `0 ..< output`.
    public static func windows(input: Int, output: Int) -> [Range<Int>] {
        (0..<output).map { index in
            (index * input / output) ..< (((index + 1) * input + output - 1) / output)
        }
    }

    private static func outputShape(_ inputShape: [Int], _ outputSize: Pair) -> [Int] {
        [inputShape[0], inputShape[1], outputSize.height, outputSize.width]
    }

    private static func check(_ shape: [Int], _ outputSize: Pair) throws(KernelError) {
        guard shape.count == 4 else {
            throw KernelError("adaptive average pooling input must have 4 dimensions [N, C, H, W]; got shape \(shape)")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw KernelError("adaptive average pooling input shape \(shape) has an empty dimension; every size must be at least 1")
        }
        guard outputSize.height >= 1, outputSize.width >= 1 else {
            throw KernelError("adaptive average pooling output size \(outputSize.height)x\(outputSize.width) is invalid; both sides must be at least 1")
        }
    }
}
