import ConvKernels
import Testing

@Suite("conv2d")
struct Conv2dTests {
    @Test("X * K gives [[19, 25], [37, 43]]")
    func workedExample() throws {
        let output = try Conv2d.forward(input: gridX, weight: kernelK)
        #expect(output.grid() == [[19, 25], [37, 43]])
    }

    @Test("X * K with padding 1 gives the 4x4 example")
    func workedExamplePadded() throws {
        let output = try Conv2d.forward(input: gridX, weight: kernelK, options: Conv2dOptions(padding: 1))
        #expect(output.grid() == [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]])
    }

    @Test("two channels [X, X+1] with kernels [K, K+1] give [[56, 72], [104, 120]]")
    func workedExampleTwoChannels() throws {
        let x = gridX.grid(), k = kernelK.grid()
        let input = Tensor(channels: [x, x.map { $0.map { $0 + 1 } }])
        let weight = Tensor(channels: [k, k.map { $0.map { $0 + 1 } }]).reshaped([1, 2, 2, 2])
        let output = try Conv2d.forward(input: input, weight: weight)
        #expect(output.grid() == [[56, 72], [104, 120]])
    }

    @Test("stride 2 on 5x5, dilation 2 and bias")
    func strideDilationBias() throws {
        let input = Tensor(grid: (0..<5).map { r in (0..<5).map { c in Float(r * 5 + c) } })
        let ones = Tensor(repeating: 1, shape: [1, 1, 2, 2])
        // Stride 2: windows at (0,0), (0,2), (2,0), (2,2): sums of 2x2 blocks.
        let strided = try Conv2d.forward(input: input, weight: ones, options: Conv2dOptions(stride: 2))
        #expect(strided.grid() == [[12, 20], [52, 60]])
        // Dilation 2: the kernel taps (0,0), (0,2), (2,0), (2,2) of each 3x3 span, plus a bias of 0.5.
        let dilated = try Conv2d.forward(input: input, weight: ones, bias: Tensor(shape: [1], data: [0.5]),
                                         options: Conv2dOptions(dilation: 2))
        #expect(dilated.shape == [1, 1, 3, 3])
        #expect(dilated[0, 0, 0, 0] == 0 + 2 + 10 + 12 + 0.5)
        #expect(dilated[0, 0, 2, 2] == 12 + 14 + 22 + 24 + 0.5)
    }

    @Test("depthwise: groups equal to channels convolve each channel alone")
    func depthwise() throws {
        let x = gridX.grid()
        let input = Tensor(channels: [x, x.map { $0.map { -$0 } }])
        let weight = Tensor(shape: [2, 1, 2, 2], data: [0, 1, 2, 3, 1, 1, 1, 1])
        let output = try Conv2d.forward(input: input, weight: weight, options: Conv2dOptions(groups: 2))
        #expect(output.grid(channel: 0) == [[19, 25], [37, 43]])
        #expect(output.grid(channel: 1) == [[-8, -12], [-20, -24]])
    }

    @Test("bad shapes and options are rejected with the rule they broke")
    func badInput() {
        let big = Tensor(zeros: [1, 1, 4, 4])
        #expect(kernelErrorMessage { _ = try Conv2d.forward(input: gridX, weight: big) }.contains("larger than the padded input"))
        #expect(kernelErrorMessage { _ = try Conv2d.forward(input: gridX, weight: kernelK, options: Conv2dOptions(stride: 0)) }
            .contains("stride must be at least 1"))
        #expect(kernelErrorMessage { _ = try Conv2d.forward(input: gridX, weight: kernelK, options: Conv2dOptions(dilation: Pair(1, 0))) }
            .contains("dilation must be at least 1"))
        #expect(kernelErrorMessage { _ = try Conv2d.forward(input: gridX, weight: kernelK, options: Conv2dOptions(padding: -1)) }
            .contains("padding must be 0 or more"))
        let threeChannels = Tensor(zeros: [1, 3, 4, 4])
        #expect(kernelErrorMessage { _ = try Conv2d.forward(input: threeChannels, weight: Tensor(zeros: [2, 1, 2, 2]),
                                                 options: Conv2dOptions(groups: 2)) }
            .contains("does not divide the 3 input channels"))
        #expect(kernelErrorMessage { _ = try Conv2d.forward(input: gridX, weight: kernelK, bias: Tensor(zeros: [2])) }
            .contains("bias must have shape [1]"))
    }

    @Test("the observer's windows rebuild the forward output exactly")
    func observerRebuildsForward() throws {
        var random = SeededRandom(seed: 7)
        let options = Conv2dOptions(stride: Pair(2, 1), padding: Pair(1, 2), dilation: Pair(1, 2), groups: 2)
        let input = random.uniformTensor(shape: [2, 4, 7, 6])
        let weight = random.uniformTensor(shape: [6, 2, 3, 2])
        let bias = random.uniformTensor(shape: [6])
        var rebuilt: Tensor?
        var windows: [ConvWindow] = []
        let output = try Conv2d.forward(input: input, weight: weight, bias: bias, options: options) { windows.append($0) }
        rebuilt = Tensor(zeros: output.shape)
        for window in windows {
            var sum: Float = 0
            for term in window.terms {
                #expect(term.isPadding == (term.inputRow < 0 || term.inputRow >= 7 || term.inputColumn < 0 || term.inputColumn >= 6))
                if !term.isPadding {
                    #expect(term.input == input[window.batch, term.inputChannel, term.inputRow, term.inputColumn])
                }
                sum += term.input * term.weight
            }
            #expect(sum + window.bias == window.value)
            rebuilt?[window.batch, window.outputChannel, window.outputRow, window.outputColumn] = sum + window.bias
        }
        #expect(windows.count == output.count)
        #expect(rebuilt == output)
        // And the fast path (no observer) agrees with the observed reference.
        let fast = try Conv2d.forward(input: input, weight: weight, bias: bias, options: options)
        expectClose(fast, output, tolerance: 1e-5, "fast vs observed")
    }

    @Test("the backward observer's contributions rebuild every gradient exactly")
    func observerRebuildsBackward() throws {
        var random = SeededRandom(seed: 8)
        let options = Conv2dOptions(stride: 2, padding: 1, dilation: 1, groups: 1)
        let input = random.uniformTensor(shape: [2, 2, 5, 5])
        let weight = random.uniformTensor(shape: [3, 2, 3, 3])
        let geometry = try Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, options: options)
        let dOutput = random.uniformTensor(shape: geometry.outputShape)
        var windows: [ConvGradientWindow] = []
        let gradients = try Conv2d.backward(input: input, weight: weight, dOutput: dOutput, options: options) {
            windows.append($0)
        }
        var dInput = Tensor(zeros: input.shape), dWeight = Tensor(zeros: weight.shape)
        var dBias = Tensor(zeros: [3])
        for window in windows {
            dBias.data[window.outputChannel] += window.gradOutput
            for term in window.terms where !term.isPadding {
                dInput[window.batch, term.inputChannel, term.inputRow, term.inputColumn] += term.weight * window.gradOutput
                dWeight[window.outputChannel, term.inputChannel, term.kernelRow, term.kernelColumn] += term.input * window.gradOutput
            }
        }
        #expect(dInput == gradients.dInput)
        #expect(dWeight == gradients.dWeight)
        #expect(dBias == gradients.dBias)
    }

    static let gradientCases: [(input: [Int], weight: [Int], options: Conv2dOptions)] = [
        ([2, 3, 6, 5], [4, 3, 3, 2], Conv2dOptions()),
        ([1, 2, 7, 7], [3, 2, 3, 3], Conv2dOptions(stride: 2, padding: 1)),
        ([2, 2, 8, 6], [2, 2, 2, 3], Conv2dOptions(stride: Pair(1, 2), padding: Pair(2, 1), dilation: Pair(2, 1))),
        ([1, 4, 6, 6], [4, 1, 3, 3], Conv2dOptions(padding: 1, groups: 4)),
        ([2, 4, 7, 5], [6, 2, 2, 2], Conv2dOptions(stride: 2, padding: Pair(0, 1), dilation: 2, groups: 2)),
    ]

    @Test("backward matches finite differences", arguments: 0..<gradientCases.count)
    func gradientCheck(caseIndex: Int) throws {
        let (inputShape, weightShape, options) = Self.gradientCases[caseIndex]
        var random = SeededRandom(seed: UInt64(100 + caseIndex))
        let input = random.uniformTensor(shape: inputShape)
        let weight = random.uniformTensor(shape: weightShape)
        let bias = random.uniformTensor(shape: [weightShape[0]])
        let geometry = try Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, options: options)
        let dOutput = random.uniformTensor(shape: geometry.outputShape)
        let gradients = try Conv2d.backward(input: input, weight: weight, dOutput: dOutput, options: options)

        let dInput = numericalGradient(of: input, outputWeights: dOutput) {
            try! Conv2d.forward(input: $0, weight: weight, bias: bias, options: options)
        }
        let dWeight = numericalGradient(of: weight, outputWeights: dOutput) {
            try! Conv2d.forward(input: input, weight: $0, bias: bias, options: options)
        }
        let dBias = numericalGradient(of: bias, outputWeights: dOutput) {
            try! Conv2d.forward(input: input, weight: weight, bias: $0, options: options)
        }
        expectClose(gradients.dInput, dInput, tolerance: 1e-3, "dInput")
        expectClose(gradients.dWeight, dWeight, tolerance: 1e-3, "dWeight")
        expectClose(gradients.dBias!, dBias, tolerance: 1e-3, "dBias")
    }
}

/// Channels `range` of a 4-D tensor `[N, C, H, W]`, as `[N, range.count, H, W]`.
private func channels(_ range: Range<Int>, of tensor: Tensor) -> Tensor {
    let (batch, count, height, width) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3])
    let plane = height * width
    var data: [Float] = []
    for n in 0..<batch { data += tensor.data[(n * count + range.lowerBound) * plane..<(n * count + range.upperBound) * plane] }
    return Tensor(shape: [batch, range.count, height, width], data: data)
}

@Suite("depthwise conv2d")
struct DepthwiseConv2dTests {
    static let cases: [(input: [Int], multiplier: Int, kernel: Int, options: Conv2dOptions)] = [
        ([2, 3, 7, 6], 1, 3, Conv2dOptions(padding: 1)),
        ([1, 4, 9, 9], 2, 3, Conv2dOptions(stride: 2, padding: 1)),
        ([3, 5, 6, 8], 1, 5, Conv2dOptions(stride: Pair(1, 2), padding: 2, dilation: Pair(1, 2))),
        ([2, 2, 5, 5], 3, 2, Conv2dOptions()),
    ]

    /// Groups = channels: output channels `c * m ..< (c + 1) * m` see input channel `c` alone, so the
    /// op must equal C separate one-channel convolutions (groups 1) laid side by side.
    @Test("groups = channels equals one single-channel convolution per channel, forward and backward",
          arguments: 0..<cases.count)
    func matchesPerChannelReference(caseIndex: Int) throws {
        let (inputShape, multiplier, kernel, baseOptions) = Self.cases[caseIndex]
        let channelCount = inputShape[1]
        var options = baseOptions
        options.groups = channelCount
        var random = SeededRandom(seed: UInt64(300 + caseIndex))
        let input = random.uniformTensor(shape: inputShape)
        let weight = random.uniformTensor(shape: [channelCount * multiplier, 1, kernel, kernel])
        let bias = random.uniformTensor(shape: [channelCount * multiplier])
        let output = try Conv2d.forward(input: input, weight: weight, bias: bias, options: options)
        let dOutput = random.uniformTensor(shape: output.shape)
        let gradients = try Conv2d.backward(input: input, weight: weight, dOutput: dOutput, options: options)

        var singleOptions = options
        singleOptions.groups = 1
        var outputs: [Tensor] = [], dInputs: [Tensor] = [], dWeights: [Float] = [], dBiases: [Float] = []
        let weightsPerChannel = multiplier * kernel * kernel
        for c in 0..<channelCount {
            let outputRange = c * multiplier..<(c + 1) * multiplier
            let channelInput = channels(c..<c + 1, of: input)
            let channelWeight = Tensor(shape: [multiplier, 1, kernel, kernel],
                                       data: Array(weight.data[c * weightsPerChannel..<(c + 1) * weightsPerChannel]))
            let channelBias = Tensor(shape: [multiplier], data: Array(bias.data[outputRange]))
            outputs.append(try Conv2d.forward(input: channelInput, weight: channelWeight, bias: channelBias,
                                              options: singleOptions))
            let channelGradients = try Conv2d.backward(input: channelInput, weight: channelWeight,
                                                       dOutput: channels(outputRange, of: dOutput), options: singleOptions)
            dInputs.append(channelGradients.dInput)
            dWeights += channelGradients.dWeight.data
            dBiases += channelGradients.dBias!.data
        }
        expectClose(output, try ChannelConcat.forward(inputs: outputs), "output")
        expectClose(gradients.dInput, try ChannelConcat.forward(inputs: dInputs), "dInput")
        expectClose(gradients.dWeight, Tensor(shape: weight.shape, data: dWeights), "dWeight")
        expectClose(gradients.dBias!, Tensor(shape: bias.shape, data: dBiases), "dBias")
    }
}
