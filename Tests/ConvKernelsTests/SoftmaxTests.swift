import ConvKernels
import Testing

@Suite("softmax")
struct SoftmaxTests {
    @Test("softmax of [1, 2, 3] is [0.0900306, 0.2447285, 0.6652409]")
    func workedExample() throws {
        let output = try Softmax.forward(input: Tensor(shape: [1, 3], data: [1, 2, 3]))
        expectClose(output, Tensor(shape: [1, 3], data: [0.0900306, 0.2447285, 0.6652409]), tolerance: 1e-6)
    }

    @Test("rows sum to 1 and stay finite for large scores")
    func largeScores() throws {
        let output = try Softmax.forward(input: Tensor(shape: [3, 2], data: [1000, 1001, -1000, -1001, 88, -88]))
        #expect(output.data.allSatisfy { $0.isFinite })
        for row in 0..<3 { #expect(abs(output[row, 0] + output[row, 1] - 1) < 1e-6) }
        // [1000, 1001] behaves like [0, 1]: 1 / (1 + e) and e / (1 + e).
        expectClose(Tensor(shape: [1, 2], data: [output[0, 0], output[0, 1]]),
                    Tensor(shape: [1, 2], data: [0.2689414, 0.7310586]), tolerance: 1e-6)
    }

    @Test("adding a constant to a row changes nothing")
    func shiftInvariance() throws {
        var random = SeededRandom(seed: 60)
        let input = random.uniformTensor(shape: [4, 7], in: -3..<3)
        var shifted = input
        for index in 0..<shifted.count { shifted.data[index] += 50 }
        expectClose(try Softmax.forward(input: shifted), try Softmax.forward(input: input), tolerance: 1e-5)
    }

    @Test("backward worked example: a gradient on one output")
    func backwardWorkedExample() throws {
        // y = [1/2, 1/2] (equal scores); dOutput = [1, 0]: dot = 1/2, dInput = y * (dOutput - 1/2) = [1/4, -1/4].
        let output = try Softmax.forward(input: Tensor(shape: [1, 2], data: [3, 3]))
        let dInput = try Softmax.backward(output: output, dOutput: Tensor(shape: [1, 2], data: [1, 0]))
        #expect(dInput.data == [0.25, -0.25])
    }

    @Test("backward matches finite differences")
    func gradientCheck() throws {
        var random = SeededRandom(seed: 61)
        let input = random.uniformTensor(shape: [3, 5], in: -2..<2)
        let dOutput = random.uniformTensor(shape: [3, 5])
        let output = try Softmax.forward(input: input)
        let dInput = try Softmax.backward(output: output, dOutput: dOutput)
        let numerical = numericalGradient(of: input, outputWeights: dOutput) { try! Softmax.forward(input: $0) }
        expectClose(dInput, numerical, tolerance: 1e-3, "dInput")
    }

    @Test("bad shapes are rejected with the rule they broke")
    func badInput() {
        #expect(kernelErrorMessage { _ = try Softmax.forward(input: gridX) }.contains("must have 2 dimensions [N, K]"))
        #expect(kernelErrorMessage { _ = try Softmax.forward(input: Tensor(zeros: [2, 0])) }
            .contains("every size must be at least 1"))
        #expect(kernelErrorMessage {
            _ = try Softmax.backward(output: Tensor(zeros: [2, 3]), dOutput: Tensor(zeros: [3, 2]))
        }.contains("must have the output's shape [2, 3]"))
    }
}

@Suite("softmax cross-entropy")
struct SoftmaxCrossEntropyTests {
    @Test("logits [[1, 2, 3]] with label 2: loss -log(0.6652409), gradient softmax - onehot")
    func workedExample() throws {
        let (loss, dLogits) = try SoftmaxCrossEntropy.forward(logits: Tensor(shape: [1, 3], data: [1, 2, 3]), labels: [2])
        #expect(abs(loss - (-Math.log(0.6652409))) < 1e-6)
        expectClose(dLogits, Tensor(shape: [1, 3], data: [0.0900306, 0.2447285, 0.6652409 - 1]), tolerance: 1e-6)
    }

    @Test("the loss is the mean over the batch and the gradient is divided by N")
    func batchMean() throws {
        let logits = Tensor(shape: [2, 3], data: [1, 2, 3, 1, 2, 3])
        let (loss, dLogits) = try SoftmaxCrossEntropy.forward(logits: logits, labels: [2, 0])
        // -log(0.6652409) = 0.4076059, -log(0.0900306) = 2.4076059.
        #expect(abs(loss - (0.4076059 + 2.4076059) / 2) < 1e-6)
        let expected = [0.0900306, 0.2447285, 0.6652409 - 1, 0.0900306 - 1, 0.2447285, 0.6652409].map { Float($0 / 2) }
        expectClose(dLogits, Tensor(shape: [2, 3], data: expected), tolerance: 1e-6)
        // Equal logits over 10 classes: the loss is log 10 whatever the label.
        let (uniform, _) = try SoftmaxCrossEntropy.forward(logits: Tensor(zeros: [3, 10]), labels: [0, 4, 9])
        #expect(abs(uniform - Math.log(10)) < 1e-6)
    }

    @Test("large logits stay finite: [[1000, 1001]] with label 0 gives log(1 + e)")
    func largeLogits() throws {
        let (loss, dLogits) = try SoftmaxCrossEntropy.forward(logits: Tensor(shape: [1, 2], data: [1000, 1001]), labels: [0])
        #expect(abs(loss - 1.3132617) < 1e-6)
        expectClose(dLogits, Tensor(shape: [1, 2], data: [-0.7310586, 0.7310586]), tolerance: 1e-6)
    }

    @Test("the gradient matches finite differences of the loss")
    func gradientCheck() throws {
        var random = SeededRandom(seed: 70)
        let logits = random.uniformTensor(shape: [4, 6], in: -3..<3)
        let labels = (0..<4).map { _ in Int(random.next() % 6) }
        let (_, dLogits) = try SoftmaxCrossEntropy.forward(logits: logits, labels: labels)
        let numerical = numericalGradient(of: logits, outputWeights: Tensor(shape: [1], data: [1])) {
            Tensor(shape: [1], data: [try! SoftmaxCrossEntropy.forward(logits: $0, labels: labels).loss])
        }
        expectClose(dLogits, numerical, tolerance: 1e-3, "dLogits")
    }

    @Test("bad labels and shapes are rejected with the rule they broke")
    func badInput() {
        let logits = Tensor(zeros: [4, 10])
        #expect(kernelErrorMessage { _ = try SoftmaxCrossEntropy.forward(logits: logits, labels: [0, 1, 2, 12]) }
            == "label 12 at position 3 is out of range; labels must be in 0..<10")
        #expect(kernelErrorMessage { _ = try SoftmaxCrossEntropy.forward(logits: logits, labels: [-1, 1, 2, 3]) }
            == "label -1 at position 0 is out of range; labels must be in 0..<10")
        #expect(kernelErrorMessage { _ = try SoftmaxCrossEntropy.forward(logits: logits, labels: [0, 1]) }
            .contains("one label per row"))
        #expect(kernelErrorMessage { _ = try SoftmaxCrossEntropy.forward(logits: Tensor(zeros: [1, 10, 1, 1]), labels: [0]) }
            .contains("must have 2 dimensions [N, K]"))
        #expect(kernelErrorMessage { _ = try SoftmaxCrossEntropy.forward(logits: Tensor(zeros: [0, 10]), labels: []) }
            .contains("every size must be at least 1"))
    }
}
