import ConvKernels

/// `convtutor activate`: an activation function applied to a grid by the kernel module.
public enum ActivateGridCommand {
    /// PyTorch's default slope of leaky ReLU.
    public static let defaultSlope: Float = 0.01

    /// Applies `function` to every value of a one-channel grid (`softmax` to each row, as
    /// `Softmax.forward` over dimension 1 of the grid's `[rows, columns]`).
    ///
    /// - Parameter slope: leaky ReLU's slope for negative values; the other functions ignore it.
    /// - Throws: `KernelError` when the grid has several channels, or the kernel rejects it.
    public static func run(
        input: Grid, function: ActivationFunction, slope: Float = defaultSlope
    ) throws(KernelError) -> GridReport {
        guard input.channelCount == 1 else {
            throw KernelError("--input has \(input.channelCount) channels separated by '|'; activate takes one grid")
        }
        let matrix = Tensor(shape: [input.height, input.width], data: input.rows.flatMap { $0 })
        let output: Tensor
        switch function {
        case .relu: output = Activation.relu.forward(matrix)
        case .leakyRelu: output = Activation.leakyRelu(slope: slope).forward(matrix)
        case .sigmoid: output = Activation.sigmoid.forward(matrix)
        case .tanh: output = Activation.tanh.forward(matrix)
        case .softmax: output = try Softmax.forward(input: matrix)
        }
        let rows = (0..<input.height).map { row in
            Array(output.data[(row * input.width)..<((row + 1) * input.width)])
        }
        return GridReport(output: rows)
    }
}
