import ConvKernels
import Testing

@Suite("dropout")
struct DropoutTests {
    @Test("evaluation mode is the identity and draws nothing")
    func evaluationIsIdentity() throws {
        var random = SeededRandom(seed: 1)
        let input = random.uniformTensor(shape: [2, 3, 4, 4])
        let dropout = try Dropout(probability: 0.5)
        var probe = SeededRandom(seed: 99), untouched = SeededRandom(seed: 99)
        let (output, mask) = dropout.forward(input, training: false, random: &probe)
        #expect(output == input)
        #expect(mask == Tensor(repeating: 1, shape: input.shape))
        #expect(probe.next() == untouched.next(), "evaluation must not consume random numbers")
    }

    @Test("p = 0 in training is the identity")
    func zeroProbability() throws {
        var random = SeededRandom(seed: 2)
        let input = random.uniformTensor(shape: [1, 2, 3, 3])
        let (output, mask) = try Dropout(probability: 0).forward(input, training: true, random: &random)
        #expect(output == input)
        #expect(mask.data.allSatisfy { $0 == 1 })
    }

    @Test("training keeps about 1 - p of the values and scales survivors by 1 / (1 - p)")
    func trainingKeepsAndScales() throws {
        var random = SeededRandom(seed: 3)
        let input = random.uniformTensor(shape: [4, 5, 20, 25], in: 0.5..<2)  // 10 000 values, none zero
        let p: Float = 0.3
        let dropout = try Dropout(probability: p)
        let (output, mask) = dropout.forward(input, training: true, random: &random)
        #expect(output.shape == input.shape && mask.shape == input.shape)
        let scale: Float = 1 / (1 - p)
        #expect(mask.data.allSatisfy { $0 == 0 || $0 == scale }, "mask holds only 0 and 1 / (1 - p)")
        for index in 0..<input.count {
            #expect(output.data[index] == input.data[index] * mask.data[index])
        }
        let dropped = Double(mask.data.filter { $0 == 0 }.count) / Double(input.count)
        // The dropped fraction has standard deviation sqrt(0.3 * 0.7 / 10000) = 0.0046; 0.02 is over 4 of them.
        #expect(abs(dropped - 0.3) < 0.02, "dropped fraction \(dropped)")
        // Inverted dropout keeps the expected value: the mean of the mask is about 1.
        let maskMean = mask.data.reduce(0.0) { $0 + Double($1) } / Double(mask.count)
        #expect(abs(maskMean - 1) < 0.03, "mask mean \(maskMean)")
    }

    @Test("the same seed gives the same mask, another seed another")
    func seedDeterminesMask() throws {
        let input = Tensor(repeating: 1, shape: [1, 1, 16, 16])
        let dropout = try Dropout(probability: 0.5)
        var first = SeededRandom(seed: 42), second = SeededRandom(seed: 42), other = SeededRandom(seed: 43)
        let a = dropout.forward(input, training: true, random: &first).mask
        let b = dropout.forward(input, training: true, random: &second).mask
        let c = dropout.forward(input, training: true, random: &other).mask
        #expect(a == b)
        #expect(a != c)
        // The generator moves on: a second call with the same generator draws a new mask.
        #expect(dropout.forward(input, training: true, random: &first).mask != a)
    }

    @Test("backward multiplies dOutput by the forward mask")
    func backwardAppliesMask() throws {
        var random = SeededRandom(seed: 5)
        let input = random.uniformTensor(shape: [2, 2, 3, 3])
        let dOutput = random.uniformTensor(shape: [2, 2, 3, 3])
        let dropout = try Dropout(probability: 0.25)
        let (_, mask) = dropout.forward(input, training: true, random: &random)
        let dInput = dropout.backward(dOutput: dOutput, mask: mask)
        for index in 0..<dOutput.count {
            #expect(dInput.data[index] == dOutput.data[index] * mask.data[index])
        }
        // With the mask fixed the op is linear, so the finite-difference gradient agrees.
        let numeric = numericalGradient(of: input, outputWeights: dOutput) { x in
            Tensor(shape: x.shape, data: zip(x.data, mask.data).map { $0 * $1 })
        }
        expectClose(dInput, numeric, tolerance: 1e-3, "dInput")
    }

    @Test("a probability outside [0, 1) is rejected")
    func badProbability() {
        for p: Float in [-0.1, 1, 1.5, .nan] {
            #expect(kernelErrorMessage { _ = try Dropout(probability: p) }
                .contains("must be at least 0 and less than 1"), "p = \(p)")
        }
        #expect(kernelErrorMessage { _ = try Dropout(probability: 0.999) } == "")
    }
}
