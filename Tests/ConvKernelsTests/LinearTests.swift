import ConvKernels
import Testing

@Suite("linear")
struct LinearTests {
    @Test("y = x W^T + b on a worked example")
    func workedExample() throws {
        // x = [[1, 2, 3], [0, -1, 4]], W = [[1, 0, -1], [2, 1, 0]], b = [0.5, -1]
        let input = Tensor(shape: [2, 3], data: [1, 2, 3, 0, -1, 4])
        let weight = Tensor(shape: [2, 3], data: [1, 0, -1, 2, 1, 0])
        let bias = Tensor(shape: [2], data: [0.5, -1])
        let output = try Linear.forward(input: input, weight: weight, bias: bias)
        #expect(output == Tensor(shape: [2, 2], data: [1 - 3 + 0.5, 2 + 2 - 1, 0 - 4 + 0.5, -1 - 1]))

        // dOutput = ones: dInput = column sums of W, dWeight = column sums of x per row, dBias = N.
        let gradients = try Linear.backward(input: input, weight: weight, dOutput: Tensor(repeating: 1, shape: [2, 2]))
        #expect(gradients.dInput == Tensor(shape: [2, 3], data: [3, 1, -1, 3, 1, -1]))
        #expect(gradients.dWeight == Tensor(shape: [2, 3], data: [1, 1, 7, 1, 1, 7]))
        #expect(gradients.dBias == Tensor(shape: [2], data: [2, 2]))
    }

    @Test("backward matches finite differences", arguments: [(1, 5, 3), (4, 7, 6), (16, 33, 10), (20, 84, 10)])
    func gradientCheck(batch: Int, inputs: Int, outputs: Int) throws {
        var random = SeededRandom(seed: UInt64(batch * 100 + inputs))
        let input = random.uniformTensor(shape: [batch, inputs])
        let weight = random.uniformTensor(shape: [outputs, inputs])
        let bias = random.uniformTensor(shape: [outputs])
        let dOutput = random.uniformTensor(shape: [batch, outputs])
        let gradients = try Linear.backward(input: input, weight: weight, dOutput: dOutput)
        expectClose(gradients.dInput, numericalGradient(of: input, outputWeights: dOutput) {
            try! Linear.forward(input: $0, weight: weight, bias: bias)
        }, tolerance: 1e-3, "dInput")
        expectClose(gradients.dWeight, numericalGradient(of: weight, outputWeights: dOutput) {
            try! Linear.forward(input: input, weight: $0, bias: bias)
        }, tolerance: 1e-3, "dWeight")
        expectClose(gradients.dBias!, numericalGradient(of: bias, outputWeights: dOutput) {
            try! Linear.forward(input: input, weight: weight, bias: $0)
        }, tolerance: 1e-3, "dBias")
    }

    @Test("shapes that do not fit are rejected with the rule")
    func badShapes() {
        let input = Tensor(zeros: [2, 3])
        #expect(kernelErrorMessage { _ = try Linear.forward(input: input, weight: Tensor(zeros: [4, 5])) }
            .contains("needs 3 input features"))
        #expect(kernelErrorMessage { _ = try Linear.forward(input: Tensor(zeros: [2, 3, 1]), weight: Tensor(zeros: [4, 3])) }
            .contains("must have 2 dimensions"))
        #expect(kernelErrorMessage { _ = try Linear.forward(input: input, weight: Tensor(zeros: [4, 3]), bias: Tensor(zeros: [3])) }
            .contains("bias must have shape [4]"))
        #expect(kernelErrorMessage { _ = try Linear.backward(input: input, weight: Tensor(zeros: [4, 3]), dOutput: Tensor(zeros: [2, 5])) }
            .contains("gradOutput must have the output's shape [2, 4]"))
    }
}
