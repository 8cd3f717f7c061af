import ConvKernels
import Testing

@Suite("channel scaling")
struct ChannelScaleTests {
    @Test("[X, X + 1] scaled by [2, -0.5]; dScale sums dOutput * input over each plane")
    func workedExample() throws {
        let x = gridX.grid()
        let input = Tensor(channels: [x, x.map { $0.map { $0 + 1 } }])
        let scale = Tensor(shape: [1, 2, 1, 1], data: [2, -0.5])
        let output = try ChannelScale.forward(input: input, scale: scale)
        #expect(output.grid(channel: 0) == [[0, 2, 4], [6, 8, 10], [12, 14, 16]])
        #expect(output.grid(channel: 1) == [[-0.5, -1, -1.5], [-2, -2.5, -3], [-3.5, -4, -4.5]])
        let gradients = try ChannelScale.backward(input: input, scale: scale, dOutput: Tensor(repeating: 1, shape: [1, 2, 3, 3]))
        #expect(gradients.dInput.grid(channel: 0) == [[2, 2, 2], [2, 2, 2], [2, 2, 2]])
        #expect(gradients.dInput.grid(channel: 1) == [[-0.5, -0.5, -0.5], [-0.5, -0.5, -0.5], [-0.5, -0.5, -0.5]])
        // 0 + 1 + ... + 8 = 36 and 1 + 2 + ... + 9 = 45.
        #expect(gradients.dScale == Tensor(shape: [1, 2, 1, 1], data: [36, 45]))
    }

    static let shapes: [[Int]] = [[1, 1, 1, 1], [2, 3, 4, 5], [3, 2, 1, 7], [1, 6, 6, 6]]

    @Test("equals the plain loops of the formulas, forward and backward", arguments: shapes)
    func matchesReference(shape: [Int]) throws {
        var random = SeededRandom(seed: UInt64(shape.reduce(3, *)))
        let input = random.uniformTensor(shape: shape)
        let scale = random.uniformTensor(shape: [shape[0], shape[1], 1, 1])
        let dOutput = random.uniformTensor(shape: shape)
        var output = Tensor(zeros: shape), dInput = Tensor(zeros: shape), dScale = Tensor(zeros: scale.shape)
        for n in 0..<shape[0] {
            for c in 0..<shape[1] {
                for h in 0..<shape[2] {
                    for w in 0..<shape[3] {
                        output[n, c, h, w] = input[n, c, h, w] * scale[n, c, 0, 0]
                        dInput[n, c, h, w] = dOutput[n, c, h, w] * scale[n, c, 0, 0]
                        dScale[n, c, 0, 0] += dOutput[n, c, h, w] * input[n, c, h, w]
                    }
                }
            }
        }
        #expect(try ChannelScale.forward(input: input, scale: scale) == output)
        let gradients = try ChannelScale.backward(input: input, scale: scale, dOutput: dOutput)
        #expect(gradients.dInput == dInput)
        #expect(gradients.dScale == dScale)
    }

    @Test("backward matches finite differences for the input and the scale", arguments: [[2, 3, 4, 5], [1, 4, 3, 3]])
    func gradientCheck(shape: [Int]) throws {
        var random = SeededRandom(seed: 71)
        let input = random.uniformTensor(shape: shape)
        let scale = random.uniformTensor(shape: [shape[0], shape[1], 1, 1])
        let dOutput = random.uniformTensor(shape: shape)
        let gradients = try ChannelScale.backward(input: input, scale: scale, dOutput: dOutput)
        let dInput = numericalGradient(of: input, outputWeights: dOutput) { try! ChannelScale.forward(input: $0, scale: scale) }
        let dScale = numericalGradient(of: scale, outputWeights: dOutput) { try! ChannelScale.forward(input: input, scale: $0) }
        // The op is linear in each argument, so the central difference is off only by rounding.
        expectClose(gradients.dInput, dInput, tolerance: 1e-5, "dInput")
        expectClose(gradients.dScale, dScale, tolerance: 1e-5, "dScale")
    }

    @Test("bad shapes are rejected with the shapes that would fit")
    func shapeErrors() {
        let input = Tensor(zeros: [2, 3, 4, 4])
        #expect(kernelErrorMessage { _ = try ChannelScale.forward(input: input, scale: Tensor(zeros: [3])) }
            == "channel scaling of an input [2, 3, 4, 4] needs a scale of shape [N, C, 1, 1] = [2, 3, 1, 1]; got [3]")
        #expect(kernelErrorMessage { _ = try ChannelScale.forward(input: input, scale: Tensor(zeros: [1, 3, 1, 1])) }
            .contains("= [2, 3, 1, 1]; got [1, 3, 1, 1]"))
        #expect(kernelErrorMessage { _ = try ChannelScale.forward(input: Tensor(zeros: [3, 4]), scale: Tensor(zeros: [3, 4])) }
            == "channel scaling input must have 4 dimensions [N, C, H, W]; got shape [3, 4]")
        #expect(kernelErrorMessage { _ = try ChannelScale.forward(input: Tensor(zeros: [2, 0, 4, 4]), scale: Tensor(zeros: [2, 0, 1, 1])) }
            .contains("has an empty dimension"))
        #expect(kernelErrorMessage {
            _ = try ChannelScale.backward(input: input, scale: Tensor(zeros: [2, 3, 1, 1]), dOutput: Tensor(zeros: [2, 3, 4, 5]))
        } == "channel scaling dOutput must have the output's shape [2, 3, 4, 4]; got [2, 3, 4, 5]")
    }
}
