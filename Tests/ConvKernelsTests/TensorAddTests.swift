import ConvKernels
import Testing

@Suite("tensor add")
struct TensorAddTests {
    @Test("X + (X + 10) gives 10, 12, ..., 26, value by value")
    func workedExample() throws {
        let shifted = Tensor(grid: gridX.grid().map { $0.map { $0 + 10 } })
        let output = try TensorAdd.forward(a: gridX, b: shifted)
        #expect(output.shape == [1, 1, 3, 3])
        #expect(output.grid() == [[10, 12, 14], [16, 18, 20], [22, 24, 26]])
    }

    @Test("any shape: a vector, a matrix, a batch of feature maps; the sum of the plain loop",
          arguments: [[5], [3, 4], [2, 3, 4, 5], [1, 1, 1, 1], [3, 1, 7, 9]])
    func matchesPlainSum(shape: [Int]) throws {
        var random = SeededRandom(seed: UInt64(shape.reduce(7, *)))
        let a = random.uniformTensor(shape: shape), b = random.uniformTensor(shape: shape)
        let output = try TensorAdd.forward(a: a, b: b)
        var expected = [Float]()
        for index in 0..<a.count { expected.append(a.data[index] + b.data[index]) }
        #expect(output == Tensor(shape: shape, data: expected))
        // Addition commutes, bit for bit.
        #expect(try TensorAdd.forward(a: b, b: a) == output)
    }

    @Test("backward passes dOutput to both addends unchanged")
    func backwardPassesGradient() throws {
        var random = SeededRandom(seed: 11)
        let dOutput = random.uniformTensor(shape: [2, 3, 4, 4])
        let gradients = try TensorAdd.backward(dOutput: dOutput, inputShape: [2, 3, 4, 4])
        #expect(gradients.dA == dOutput)
        #expect(gradients.dB == dOutput)
    }

    @Test("backward matches finite differences for both addends", arguments: [[4, 6], [2, 3, 5, 4]])
    func gradientCheck(shape: [Int]) throws {
        var random = SeededRandom(seed: 29)
        let a = random.uniformTensor(shape: shape), b = random.uniformTensor(shape: shape)
        let dOutput = random.uniformTensor(shape: shape)
        let gradients = try TensorAdd.backward(dOutput: dOutput, inputShape: shape)
        let dA = numericalGradient(of: a, outputWeights: dOutput) { try! TensorAdd.forward(a: $0, b: b) }
        let dB = numericalGradient(of: b, outputWeights: dOutput) { try! TensorAdd.forward(a: a, b: $0) }
        // The op is linear, so the central difference is exact but for rounding the perturbed values
        // to Float (about 1e-6 of the largest gradient): a tight tolerance.
        expectClose(gradients.dA, dA, tolerance: 1e-5, "dA")
        expectClose(gradients.dB, dB, tolerance: 1e-5, "dB")
    }

    @Test("shapes that differ are rejected, naming both; so is a dOutput of another shape")
    func shapeErrors() {
        let a = Tensor(zeros: [2, 3, 4, 4]), b = Tensor(zeros: [2, 3, 4, 5])
        #expect(kernelErrorMessage { _ = try TensorAdd.forward(a: a, b: b) }
            == "adding tensors needs two of the same shape; got [2, 3, 4, 4] and [2, 3, 4, 5]")
        // Same count, other shape: no reshaping, no broadcasting.
        #expect(kernelErrorMessage { _ = try TensorAdd.forward(a: Tensor(zeros: [2, 6]), b: Tensor(zeros: [3, 4])) }
            .contains("[2, 6] and [3, 4]"))
        #expect(kernelErrorMessage { _ = try TensorAdd.forward(a: Tensor(zeros: [1, 3]), b: Tensor(zeros: [2, 3])) }
            .contains("[1, 3] and [2, 3]"))
        #expect(kernelErrorMessage { _ = try TensorAdd.backward(dOutput: b, inputShape: a.shape) }
            == "adding tensors: dOutput must have the output's shape [2, 3, 4, 4]; got [2, 3, 4, 5]")
    }
}
