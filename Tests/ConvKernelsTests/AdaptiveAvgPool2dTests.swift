import ConvKernels
import Testing

@Suite("adaptive average pooling")
struct AdaptiveAvgPool2dTests {
    @Test("windows: floor(y * H / OH) ..< ceil((y + 1) * H / OH), overlapping or repeated when they must")
    func windows() {
        #expect(AdaptiveAvgPool2d.windows(input: 6, output: 3) == [0..<2, 2..<4, 4..<6])
        #expect(AdaptiveAvgPool2d.windows(input: 5, output: 3) == [0..<2, 1..<4, 3..<5])
        #expect(AdaptiveAvgPool2d.windows(input: 3, output: 2) == [0..<2, 1..<3])
        #expect(AdaptiveAvgPool2d.windows(input: 2, output: 4) == [0..<1, 0..<1, 1..<2, 1..<2])
        #expect(AdaptiveAvgPool2d.windows(input: 7, output: 1) == [0..<7])
    }

    @Test("X to 2x2: overlapping 2x2 windows give [[2, 3], [5, 6]]; backward spreads a quarter of each")
    func workedExample() throws {
        let output = try AdaptiveAvgPool2d.forward(input: gridX, outputSize: 2)
        #expect(output.grid() == [[2, 3], [5, 6]])
        let dInput = try AdaptiveAvgPool2d.backward(input: gridX, outputSize: 2, dOutput: Tensor(repeating: 4, shape: [1, 1, 2, 2]))
        #expect(dInput.grid() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
        // 1x3 from 3x3: one window of all rows per column (3 / 3 columns each).
        let columns = try AdaptiveAvgPool2d.forward(input: gridX, outputSize: Pair(1, 3))
        #expect(columns.grid() == [[3, 4, 5]])
    }

    @Test("when the output divides the input it is average pooling with kernel and stride H / OH")
    func dividingSizeIsAveragePooling() throws {
        var random = SeededRandom(seed: 81)
        let input = random.uniformTensor(shape: [2, 3, 6, 8])
        let adaptive = try AdaptiveAvgPool2d.forward(input: input, outputSize: Pair(3, 4))
        let pooled = try Pool2d.forward(input: input, kind: .average, options: Pool2dOptions(kernel: 2))
        expectClose(adaptive, pooled, tolerance: 1e-6, "output")
        let dOutput = random.uniformTensor(shape: adaptive.shape)
        expectClose(try AdaptiveAvgPool2d.backward(input: input, outputSize: Pair(3, 4), dOutput: dOutput),
                    try Pool2d.backward(input: input, dOutput: dOutput, kind: .average, options: Pool2dOptions(kernel: 2)),
                    tolerance: 1e-6, "dInput")
    }

    @Test("a 1x1 output is global average pooling")
    func oneByOneIsGlobalPooling() throws {
        var random = SeededRandom(seed: 82)
        let input = random.uniformTensor(shape: [2, 4, 5, 3])
        expectClose(try AdaptiveAvgPool2d.forward(input: input, outputSize: 1), try GlobalAvgPool2d.forward(input: input),
                    tolerance: 1e-6, "output")
    }

    static let gradientCases: [(shape: [Int], output: Pair)] = [
        ([2, 2, 5, 7], Pair(3, 4)),
        ([1, 3, 4, 4], Pair(6, 5)),
        ([2, 1, 7, 3], Pair(2, 3)),
    ]

    @Test("backward matches finite differences", arguments: 0..<gradientCases.count)
    func gradientCheck(caseIndex: Int) throws {
        let (shape, outputSize) = Self.gradientCases[caseIndex]
        var random = SeededRandom(seed: UInt64(90 + caseIndex))
        let input = random.uniformTensor(shape: shape)
        let dOutput = random.uniformTensor(shape: [shape[0], shape[1], outputSize.height, outputSize.width])
        let dInput = try AdaptiveAvgPool2d.backward(input: input, outputSize: outputSize, dOutput: dOutput)
        let numerical = numericalGradient(of: input, outputWeights: dOutput) {
            try! AdaptiveAvgPool2d.forward(input: $0, outputSize: outputSize)
        }
        // The op is linear, so the central difference is off only by rounding.
        expectClose(dInput, numerical, tolerance: 1e-5, "dInput")
    }

    @Test("bad shapes and sizes are rejected with the rule they broke")
    func badInput() {
        #expect(kernelErrorMessage { _ = try AdaptiveAvgPool2d.forward(input: Tensor(zeros: [3, 3]), outputSize: 1) }
            == "adaptive average pooling input must have 4 dimensions [N, C, H, W]; got shape [3, 3]")
        #expect(kernelErrorMessage { _ = try AdaptiveAvgPool2d.forward(input: gridX, outputSize: Pair(2, 0)) }
            .contains("both sides must be at least 1"))
        #expect(kernelErrorMessage { _ = try AdaptiveAvgPool2d.forward(input: Tensor(zeros: [1, 0, 3, 3]), outputSize: 1) }
            .contains("has an empty dimension"))
        #expect(kernelErrorMessage {
            _ = try AdaptiveAvgPool2d.backward(input: gridX, outputSize: 2, dOutput: Tensor(zeros: [1, 1, 3, 3]))
        } == "adaptive average pooling dOutput must have the output's shape [1, 1, 2, 2]; got [1, 1, 3, 3]")
    }
}
