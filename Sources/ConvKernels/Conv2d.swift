/// 2-D convolution (cross-correlation, as PyTorch's `conv2d`): forward and backward side by side.
///
/// Shapes: input `[N, C, H, W]`, weight `[O, C / groups, KH, KW]`, bias `[O]`, output
/// `[N, O, OH, OW]` with `OH = floor((H + 2 * padH - dilH * (KH - 1) - 1) / strideH) + 1`
/// (`SlidingWindow.outputSize`), and the same for the width.
///
///     output[n, o, y, x] = bias[o] + sum over c in o's group, i < KH, j < KW of
///                          weight[o, c, i, j] * input[n, c, y * sH - pH + i * dH, x * sW - pW + j * dW]
///
/// with input cells outside the image read as 0 (zero padding).
///
/// `forward` and `backward` take the fast path (`Conv2d+Fast.swift`) unless an observer is
/// passed; an observer gets every window from the plain reference loops, which tests hold equal
/// to the fast path.
public enum Conv2d {
    /// Gradients of a convolution with respect to its input, weight and bias.
    public struct Gradients: Sendable {
        /// `[N, C, H, W]`
        public var dInput: Tensor
        /// `[O, C / groups, KH, KW]`
        public var dWeight: Tensor
        /// `[O]`, or nil when the convolution has no bias.
        public var dBias: Tensor?
    }

    /// The convolution's output `[N, O, OH, OW]`.
    ///
    /// - Parameter observer: told about every window, in order; passing one runs the reference loops.
    /// - Parameter threads: how many threads the fast path may use.
    public static func forward(
        input: Tensor, weight: Tensor, bias: Tensor? = nil, options: Conv2dOptions = Conv2dOptions(),
        threads: Int = Parallel.defaultThreads, observer: ((ConvWindow) -> Void)? = nil
    ) throws(KernelError) -> Tensor {
        let geometry = try Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, options: options)
        if let bias { try geometry.checkBias(bias.shape) }
        if let observer {
            return referenceForward(geometry, input: input, weight: weight, bias: bias, observer: observer)
        }
        return fastForward(geometry, input: input, weight: weight, bias: bias, threads: threads)
    }

    /// Gradients with respect to input, weight and bias, given the gradient of the output.
    ///
    /// - Parameter hasBias: whether to return `dBias` (the bias value itself is not needed).
    /// - Parameter needInputGradient: false skips `dInput` (a network's first layer); it is then zeros.
    public static func backward(
        input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool = true,
        options: Conv2dOptions = Conv2dOptions(), needInputGradient: Bool = true,
        threads: Int = Parallel.defaultThreads, observer: ((ConvGradientWindow) -> Void)? = nil
    ) throws(KernelError) -> Gradients {
        let geometry = try Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, options: options)
        try geometry.checkOutputGradient(dOutput.shape)
        if let observer {
            return referenceBackward(geometry, input: input, weight: weight, dOutput: dOutput,
                                     hasBias: hasBias, observer: observer)
        }
        return fastBackward(geometry, input: input, weight: weight, dOutput: dOutput, hasBias: hasBias,
                            needInputGradient: needInputGradient, threads: threads)
    }

    // MARK: - Reference

    /// The plain loops: one output cell at a time, terms summed in order from 0, then the bias.
    public static func referenceForward(
        _ g: Conv2dGeometry, input: Tensor, weight: Tensor, bias: Tensor?,
        observer: ((ConvWindow) -> Void)? = nil
    ) -> Tensor {
        var output = Tensor(zeros: g.outputShape)
        let channelsPerGroup = g.inputChannelsPerGroup
        for n in 0..<g.batch {
            for o in 0..<g.outputChannels {
                let firstChannel = (o / g.outputChannelsPerGroup) * channelsPerGroup
                let biasValue = bias?.data[o] ?? 0
                for y in 0..<g.outputHeight {
                    for x in 0..<g.outputWidth {
                        var sum: Float = 0
                        var terms: [ConvTerm] = []
                        if observer != nil { terms.reserveCapacity(channelsPerGroup * g.kernelHeight * g.kernelWidth) }
                        for localChannel in 0..<channelsPerGroup {
                            let c = firstChannel + localChannel
                            for i in 0..<g.kernelHeight {
                                let row = g.inputRow(outputRow: y, kernelRow: i)
                                for j in 0..<g.kernelWidth {
                                    let column = g.inputColumn(outputColumn: x, kernelColumn: j)
                                    let isPadding = row < 0 || row >= g.inputHeight || column < 0 || column >= g.inputWidth
                                    let value: Float = isPadding ? 0 : input[n, c, row, column]
                                    let w = weight[o, localChannel, i, j]
                                    sum += value * w
                                    if observer != nil {
                                        terms.append(ConvTerm(inputChannel: c, kernelRow: i, kernelColumn: j,
                                                              inputRow: row, inputColumn: column,
                                                              input: value, weight: w, isPadding: isPadding))
                                    }
                                }
                            }
                        }
                        let result = sum + biasValue
                        output[n, o, y, x] = result
                        if let observer {
                            observer(ConvWindow(
                                batch: n, outputChannel: o, outputRow: y, outputColumn: x,
                                inputRows: (0..<g.kernelHeight).map { g.inputRow(outputRow: y, kernelRow: $0) },
                                inputColumns: (0..<g.kernelWidth).map { g.inputColumn(outputColumn: x, kernelColumn: $0) },
                                terms: terms, bias: biasValue, value: result))
                        }
                    }
                }
            }
        }
        return output
    }

    /// The plain loops of the backward pass: every output cell scatters its gradient, in order.
    public static func referenceBackward(
        _ g: Conv2dGeometry, input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool,
        observer: ((ConvGradientWindow) -> Void)? = nil
    ) -> Gradients {
        var dInput = Tensor(zeros: g.inputShape)
        var dWeight = Tensor(zeros: g.weightShape)
        var dBias = [Float](repeating: 0, count: g.outputChannels)
        let channelsPerGroup = g.inputChannelsPerGroup
        for n in 0..<g.batch {
            for o in 0..<g.outputChannels {
                let firstChannel = (o / g.outputChannelsPerGroup) * channelsPerGroup
                for y in 0..<g.outputHeight {
                    for x in 0..<g.outputWidth {
                        let gradient = dOutput[n, o, y, x]
                        dBias[o] += gradient
                        var terms: [ConvTerm] = []
                        for localChannel in 0..<channelsPerGroup {
                            let c = firstChannel + localChannel
                            for i in 0..<g.kernelHeight {
                                let row = g.inputRow(outputRow: y, kernelRow: i)
                                for j in 0..<g.kernelWidth {
                                    let column = g.inputColumn(outputColumn: x, kernelColumn: j)
                                    let isPadding = row < 0 || row >= g.inputHeight || column < 0 || column >= g.inputWidth
                                    let w = weight[o, localChannel, i, j]
                                    let value: Float = isPadding ? 0 : input[n, c, row, column]
                                    if !isPadding {
                                        dInput[n, c, row, column] += w * gradient
                                        dWeight[o, localChannel, i, j] += value * gradient
                                    }
                                    if observer != nil {
                                        terms.append(ConvTerm(inputChannel: c, kernelRow: i, kernelColumn: j,
                                                              inputRow: row, inputColumn: column,
                                                              input: value, weight: w, isPadding: isPadding))
                                    }
                                }
                            }
                        }
                        if let observer {
                            observer(ConvGradientWindow(
                                batch: n, outputChannel: o, outputRow: y, outputColumn: x,
                                inputRows: (0..<g.kernelHeight).map { g.inputRow(outputRow: y, kernelRow: $0) },
                                inputColumns: (0..<g.kernelWidth).map { g.inputColumn(outputColumn: x, kernelColumn: $0) },
                                gradOutput: gradient, terms: terms))
                        }
                    }
                }
            }
        }
        return Gradients(dInput: dInput, dWeight: dWeight,
                         dBias: hasBias ? Tensor(shape: [g.outputChannels], data: dBias) : nil)
    }
}
