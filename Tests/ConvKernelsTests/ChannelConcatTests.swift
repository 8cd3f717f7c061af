import ConvKernels
import Testing

/// The plain reference: every output cell read from its input by the formula, one index at a time.
private func referenceConcat(_ inputs: [Tensor]) -> Tensor {
    let first = inputs[0].shape
    var output = Tensor(zeros: [first[0], inputs.reduce(0) { $0 + $1.shape[1] }, first[2], first[3]])
    for n in 0..<first[0] {
        var offset = 0
        for input in inputs {
            for c in 0..<input.shape[1] {
                for h in 0..<first[2] {
                    for w in 0..<first[3] { output[n, offset + c, h, w] = input[n, c, h, w] }
                }
            }
            offset += input.shape[1]
        }
    }
    return output
}

@Suite("channel concatenation")
struct ChannelConcatTests {
    @Test("[X] and [X + 10, -X] give three channels X, X + 10, -X")
    func workedExample() throws {
        let x = gridX.grid()
        let second = Tensor(channels: [x.map { $0.map { $0 + 10 } }, x.map { $0.map { -$0 } }])
        let output = try ChannelConcat.forward(inputs: [gridX, second])
        #expect(output.shape == [1, 3, 3, 3])
        #expect(output.grid(channel: 0) == x)
        #expect(output.grid(channel: 1) == [[10, 11, 12], [13, 14, 15], [16, 17, 18]])
        #expect(output.grid(channel: 2) == [[0, -1, -2], [-3, -4, -5], [-6, -7, -8]])
    }

    @Test("a batch of two: each batch item holds its own items' channels, in input order")
    func batchOrder() throws {
        // a: [2, 1, 1, 2], b: [2, 2, 1, 2]; values name their place.
        let a = Tensor(shape: [2, 1, 1, 2], data: [1, 2, 101, 102])
        let b = Tensor(shape: [2, 2, 1, 2], data: [3, 4, 5, 6, 103, 104, 105, 106])
        let output = try ChannelConcat.forward(inputs: [a, b])
        #expect(output.shape == [2, 3, 1, 2])
        #expect(output.data == [1, 2, 3, 4, 5, 6, 101, 102, 103, 104, 105, 106])
        let swapped = try ChannelConcat.forward(inputs: [b, a])
        #expect(swapped.data == [3, 4, 5, 6, 1, 2, 103, 104, 105, 106, 101, 102])
    }

    static let shapeCases: [[[Int]]] = [
        [[1, 3, 4, 4]],
        [[2, 1, 3, 5], [2, 4, 3, 5]],
        [[3, 2, 5, 4], [3, 1, 5, 4], [3, 5, 5, 4]],
        [[2, 6, 1, 1], [2, 2, 1, 1], [2, 1, 1, 1], [2, 3, 1, 1]],
    ]

    @Test("equals the plain reference, and backward cuts the output back into the inputs",
          arguments: 0..<shapeCases.count)
    func matchesReference(caseIndex: Int) throws {
        let shapes = Self.shapeCases[caseIndex]
        var random = SeededRandom(seed: UInt64(40 + caseIndex))
        let inputs = shapes.map { random.uniformTensor(shape: $0) }
        let output = try ChannelConcat.forward(inputs: inputs)
        #expect(output == referenceConcat(inputs))
        #expect(try ChannelConcat.outputShape(inputShapes: shapes) == output.shape)
        // Backward is the inverse of forward: the output taken as dOutput splits into the inputs.
        #expect(try ChannelConcat.backward(dOutput: output, inputShapes: shapes) == inputs)
    }

    @Test("backward matches finite differences for every input", arguments: 0..<shapeCases.count)
    func gradientCheck(caseIndex: Int) throws {
        let shapes = Self.shapeCases[caseIndex]
        var random = SeededRandom(seed: UInt64(60 + caseIndex))
        let inputs = shapes.map { random.uniformTensor(shape: $0) }
        let dOutput = random.uniformTensor(shape: try ChannelConcat.outputShape(inputShapes: shapes))
        let dInputs = try ChannelConcat.backward(dOutput: dOutput, inputShapes: shapes)
        #expect(dInputs.map(\.shape) == shapes)
        // The op is linear, so the central difference is exact but for rounding the perturbed values
        // to Float (about 1e-6 of the largest gradient): a tight tolerance.
        for index in inputs.indices {
            let numerical = numericalGradient(of: inputs[index], outputWeights: dOutput) { perturbed in
                var changed = inputs
                changed[index] = perturbed
                return try! ChannelConcat.forward(inputs: changed)
            }
            expectClose(dInputs[index], numerical, tolerance: 1e-5, "dInputs[\(index)]")
        }
    }

    @Test("bad inputs are rejected, naming the input and both shapes")
    func shapeErrors() {
        let a = Tensor(zeros: [2, 3, 4, 4])
        #expect(kernelErrorMessage { _ = try ChannelConcat.forward(inputs: []) }
            == "channel concatenation needs at least one input; got none")
        #expect(kernelErrorMessage { _ = try ChannelConcat.forward(inputs: [a, Tensor(zeros: [2, 1, 4, 5])]) }
            == "channel concatenation input 1 has shape [2, 1, 4, 5] and input 0 has [2, 3, 4, 4]; "
            + "all inputs must agree in N, H and W (only the channels C may differ)")
        #expect(kernelErrorMessage { _ = try ChannelConcat.forward(inputs: [a, a, Tensor(zeros: [1, 3, 4, 4])]) }
            .contains("input 2 has shape [1, 3, 4, 4] and input 0 has [2, 3, 4, 4]"))
        #expect(kernelErrorMessage { _ = try ChannelConcat.forward(inputs: [a, Tensor(zeros: [2, 3, 5, 4])]) }
            .contains("input 1 has shape [2, 3, 5, 4]"))
        #expect(kernelErrorMessage { _ = try ChannelConcat.forward(inputs: [a, Tensor(zeros: [2, 3, 16])]) }
            == "channel concatenation input 1 must have 4 dimensions [N, C, H, W]; got shape [2, 3, 16]")
        #expect(kernelErrorMessage { _ = try ChannelConcat.forward(inputs: [a, Tensor(zeros: [2, 0, 4, 4])]) }
            .contains("input 1 shape [2, 0, 4, 4] has an empty dimension"))
        #expect(kernelErrorMessage {
            _ = try ChannelConcat.backward(dOutput: Tensor(zeros: [2, 4, 4, 4]), inputShapes: [[2, 3, 4, 4], [2, 2, 4, 4]])
        } == "channel concatenation dOutput must have the output's shape [2, 5, 4, 4]; got [2, 4, 4, 4]")
        #expect(kernelErrorMessage {
            _ = try ChannelConcat.backward(dOutput: Tensor(zeros: [2, 5, 4, 4]), inputShapes: [[2, 3, 4, 4], [2, 2, 3, 4]])
        }.contains("input 1 has shape [2, 2, 3, 4] and input 0 has [2, 3, 4, 4]"))
    }
}
