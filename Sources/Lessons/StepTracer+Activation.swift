import ConvKernels

extension ActivationTrace {
    /// How many x values the plot samples across `plotRange`.
    public static let plotSamples = 121

    /// Traces an activation step with the kernels: `Activation.forward` and `Activation.backward`
    /// (with a gradient of ones, so `dInput` is the derivative) on the grid and on the plot's x
    /// values; for softmax, `Softmax.forward` over each channel's cells and `Softmax.backward` with
    /// one-hot gradients, whose diagonal `s(1 - s)` is the grid's "derivative". Softmax's plot is one
    /// logit x against a second logit 0 (which is the sigmoid of x).
    ///
    /// - Throws: `LessonError` on `range` when the plot range is not finite.
    public init(spec: ActivationSpec) throws(LessonError) {
        let low = spec.plotRange.lowerBound, high = spec.plotRange.upperBound
        guard low.isFinite, high.isFinite else {
            throw LessonError(field: "range", message: "the plot range \(low)...\(high) must be two finite numbers, such as [-4, 4]")
        }
        let count = Self.plotSamples
        let xs = (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
        var output: GridStack?
        var derivative: GridStack?
        let plotValue: [Float], plotDerivative: [Float]
        switch spec.function {
        case .elementwise(let function):
            let x = Tensor(shape: [count], data: xs)
            plotValue = function.forward(x).data
            plotDerivative = function.backward(input: x, dOutput: Tensor(repeating: 1, shape: [count])).data
            if let input = spec.input {
                let tensor = input.tensor
                output = StepTracer.stack(function.forward(tensor))
                derivative = StepTracer.stack(function.backward(input: tensor, dOutput: Tensor(repeating: 1, shape: tensor.shape)))
            }
        case .softmax:
            do {
                // Rows [x, 0]: the first probability against a fixed second logit.
                let pairs = Tensor(shape: [count, 2], data: xs.flatMap { [$0, 0] })
                let probabilities = try Softmax.forward(input: pairs)
                let firstOnly = Tensor(shape: [count, 2], data: Array(repeating: [1, 0], count: count).flatMap { $0 })
                let gradient = try Softmax.backward(output: probabilities, dOutput: firstOnly)
                plotValue = (0..<count).map { probabilities.data[2 * $0] }
                plotDerivative = (0..<count).map { gradient.data[2 * $0] }
                if let input = spec.input {
                    let cells = input.height * input.width
                    let rows = input.tensor.reshaped([input.channelCount, cells])
                    let probabilities = try Softmax.forward(input: rows)
                    var diagonal = [Float](repeating: 0, count: rows.count)
                    for cell in 0..<cells {
                        var oneHot = Tensor(zeros: rows.shape)
                        for channel in 0..<input.channelCount { oneHot.data[channel * cells + cell] = 1 }
                        let dInput = try Softmax.backward(output: probabilities, dOutput: oneHot)
                        for channel in 0..<input.channelCount {
                            diagonal[channel * cells + cell] = dInput.data[channel * cells + cell]
                        }
                    }
                    let shape = [1, input.channelCount, input.height, input.width]
                    output = StepTracer.stack(probabilities.reshaped(shape))
                    derivative = StepTracer.stack(Tensor(shape: shape, data: diagonal))
                }
            } catch {
                throw LessonError(field: "input", message: error.message)
            }
        }
        self.init(spec: spec, output: output, derivative: derivative, plotX: xs, plotValue: plotValue,
                  plotDerivative: plotDerivative)
    }
}
