import ConvKernels
import Networks

/// The sliding windows of LeNet-5's map layers, for receptive fields, from the options `LeNet5`
/// itself convolves and pools with (a test holds these geometries' output shapes equal to a real
/// forward pass's).
///
/// A pooling window covers its input cells exactly as a depthwise convolution with the same
/// kernel and stride would, so every layer is a `Conv2dGeometry` and the input rows a window reads
/// come from its `inputRow` / `inputColumn` arithmetic.
enum LeNet5Windows {
    /// The geometry that produced each map layer from the one before (index 1 is conv1, ... 4 is
    /// pool2, as in `ImageInspection.layers`; 0, the input, has none).
    static let geometries: [Conv2dGeometry] = {
        func geometry(_ input: [Int], _ weight: [Int], _ options: Conv2dOptions) -> Conv2dGeometry {
            do {
                return try Conv2dGeometry(inputShape: input, weightShape: weight, options: options)
            } catch {
                preconditionFailure("LeNet-5's layer geometry \(input) x \(weight) is invalid: \(error)")
            }
        }
        let pool = LeNet5.poolOptions
        func pooling(_ channels: Int) -> Conv2dOptions {
            Conv2dOptions(stride: pool.stride, padding: pool.padding, groups: channels)
        }
        let poolKernel = [pool.kernel.height, pool.kernel.width]
        let conv1 = geometry([1, 1, 28, 28], LeNet5.parameterShapes[0], LeNet5.conv1Options)
        let pool1 = geometry(conv1.outputShape, [6, 1] + poolKernel, pooling(6))
        let conv2 = geometry(pool1.outputShape, LeNet5.parameterShapes[2], LeNet5.conv2Options)
        let pool2 = geometry(conv2.outputShape, [16, 1] + poolKernel, pooling(16))
        return [conv1, pool1, conv2, pool2]
    }()

    static let inputSize = 28

    /// The input rows and columns (clipped to 0...27) that cell (`row`, `column`) of layer `layer`
    /// depends on; layers past pool2 (the fully connected ones) depend on all of it.
    static func receptiveField(layer: Int, row: Int, column: Int) -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
        guard layer <= geometries.count else { return (0...(inputSize - 1), 0...(inputSize - 1)) }
        var rows = row...row, columns = column...column
        for geometry in geometries[0..<layer].reversed() {
            rows = geometry.inputRow(outputRow: rows.lowerBound, kernelRow: 0)
                ... geometry.inputRow(outputRow: rows.upperBound, kernelRow: geometry.kernelHeight - 1)
            columns = geometry.inputColumn(outputColumn: columns.lowerBound, kernelColumn: 0)
                ... geometry.inputColumn(outputColumn: columns.upperBound, kernelColumn: geometry.kernelWidth - 1)
        }
        return (clip(rows), clip(columns))
    }

    private static func clip(_ range: ClosedRange<Int>) -> ClosedRange<Int> {
        max(0, min(range.lowerBound, inputSize - 1))...max(0, min(range.upperBound, inputSize - 1))
    }
}
