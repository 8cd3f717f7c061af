import ConvKernels
import Testing

@Suite("batch norm 2d")
struct BatchNorm2dTests {
    @Test("one channel 1, 2, 3, 4: mean 2.5, biased variance 1.25, running variance from 5/3")
    func workedExample() throws {
        var layer = try BatchNorm2d(channels: 1)
        #expect(layer.gamma.data == [1] && layer.beta.data == [0])
        #expect(layer.runningMean.data == [0] && layer.runningVariance.data == [1])
        let input = Tensor(grid: [[1, 2], [3, 4]])
        let (output, _) = try layer.forward(input, training: true)

        let standardDeviation = (1.25 + 1e-5).squareRoot()
        let expected = [1.0, 2, 3, 4].map { Float(($0 - 2.5) / standardDeviation) }
        expectClose(output, Tensor(shape: [1, 1, 2, 2], data: expected), tolerance: 1e-6, "normalised")
        // The same numbers written out: +-1.5 / 1.118038 and +-0.5 / 1.118038.
        expectClose(output, Tensor(grid: [[-1.341635, -0.447212], [0.447212, 1.341635]]), tolerance: 1e-5, "literal")
        // running mean = 0.9 * 0 + 0.1 * 2.5; running variance = 0.9 * 1 + 0.1 * 5/3 (unbiased: 1.25 * 4/3).
        #expect(abs(layer.runningMean.data[0] - 0.25) < 1e-7)
        #expect(abs(layer.runningVariance.data[0] - Float(0.9 + 0.1 * 5.0 / 3.0)) < 1e-6)

        // gamma and beta scale and shift the normalised values.
        layer.gamma.data = [2]
        layer.beta.data = [0.5]
        let (scaled, _) = try layer.forward(input, training: true)
        expectClose(scaled, Tensor(shape: [1, 1, 2, 2], data: expected.map { 2 * $0 + 0.5 }), tolerance: 1e-6, "affine")
        // The second step folds the same batch statistics in again.
        #expect(abs(layer.runningMean.data[0] - Float(0.9 * 0.25 + 0.1 * 2.5)) < 1e-6)
    }

    @Test("statistics are per channel over batch, height and width")
    func statisticsSpanTheBatch() throws {
        var layer = try BatchNorm2d(channels: 2)
        // [N=2, C=2, H=1, W=2]. Channel 0 holds 1, 3 | 5, 7: mean 4, variance 5 (unbiased 20/3).
        // Channel 1 holds 0, 0 | 2, 2: mean 1, variance 1 (unbiased 4/3).
        let input = Tensor(shape: [2, 2, 1, 2], data: [1, 3, 0, 0, 5, 7, 2, 2])
        let (output, _) = try layer.forward(input, training: true)
        let s0 = (5 + 1e-5).squareRoot(), s1 = (1 + 1e-5).squareRoot()
        let expected = [(1 - 4) / s0, (3 - 4) / s0, -1 / s1, -1 / s1,
                        (5 - 4) / s0, (7 - 4) / s0, 1 / s1, 1 / s1].map { Float($0) }
        expectClose(output, Tensor(shape: [2, 2, 1, 2], data: expected), tolerance: 1e-6)
        expectClose(layer.runningMean, Tensor(shape: [2], data: [0.4, 0.1]), tolerance: 1e-6, "running mean")
        expectClose(layer.runningVariance,
                    Tensor(shape: [2], data: [Float(0.9 + 0.1 * 20.0 / 3), Float(0.9 + 0.1 * 4.0 / 3)]),
                    tolerance: 1e-6, "running variance")
    }

    @Test("evaluation uses the running statistics and leaves them alone")
    func evaluationUsesRunningStatistics() throws {
        var layer = try BatchNorm2d(channels: 2)
        layer.runningMean.data = [1, -2]
        layer.runningVariance.data = [4, 0.25]
        layer.gamma.data = [3, 1]
        layer.beta.data = [0, 1]
        let input = Tensor(shape: [1, 2, 1, 2], data: [3, 5, -2, -1])
        let (output, _) = try layer.forward(input, training: false)
        let s0 = (4 + 1e-5).squareRoot(), s1 = (0.25 + 1e-5).squareRoot()
        let expected = [3 * (3 - 1) / s0, 3 * (5 - 1) / s0, 0 / s1 + 1, 1 / s1 + 1].map { Float($0) }
        expectClose(output, Tensor(shape: [1, 2, 1, 2], data: expected), tolerance: 1e-6)
        #expect(layer.runningMean.data == [1, -2] && layer.runningVariance.data == [4, 0.25])
        // One value per channel is fine in evaluation: no batch statistics are needed.
        _ = try layer.forward(Tensor(zeros: [1, 2, 1, 1]), training: false)
    }

    @Test("training-mode backward matches finite differences of the batch-statistics forward")
    func trainingGradients() throws {
        var random = SeededRandom(seed: 11)
        var layer = try BatchNorm2d(channels: 3)
        layer.gamma = random.uniformTensor(shape: [3], in: 0.5..<1.5)
        layer.beta = random.uniformTensor(shape: [3])
        let input = random.uniformTensor(shape: [2, 3, 2, 3], in: -2..<2)
        let dOutput = random.uniformTensor(shape: input.shape)
        let base = layer
        let (_, cache) = try layer.forward(input, training: true)
        let gradients = layer.backward(dOutput: dOutput, cache: cache)

        func trainingOutput(_ layer: BatchNorm2d, _ x: Tensor) -> Tensor {
            var copy = layer
            return try! copy.forward(x, training: true).output
        }
        let dInput = numericalGradient(of: input, outputWeights: dOutput, step: 1e-3) { trainingOutput(base, $0) }
        let dGamma = numericalGradient(of: base.gamma, outputWeights: dOutput, step: 1e-3) { gamma in
            var changed = base
            changed.gamma = gamma
            return trainingOutput(changed, input)
        }
        let dBeta = numericalGradient(of: base.beta, outputWeights: dOutput, step: 1e-3) { beta in
            var changed = base
            changed.beta = beta
            return trainingOutput(changed, input)
        }
        expectClose(gradients.dInput, dInput, tolerance: 2e-3, "dInput")
        expectClose(gradients.dGamma, dGamma, tolerance: 2e-3, "dGamma")
        expectClose(gradients.dBeta, dBeta, tolerance: 2e-3, "dBeta")
        // Shifting all of a channel's inputs changes nothing, so each channel's dInput sums to 0.
        for c in 0..<3 {
            var sum: Float = 0
            for n in 0..<2 { for h in 0..<2 { for w in 0..<3 { sum += gradients.dInput[n, c, h, w] } } }
            #expect(abs(sum) < 1e-4, "channel \(c) dInput sums to \(sum)")
        }
    }

    @Test("evaluation-mode backward is the per-channel affine map's gradient")
    func evaluationGradients() throws {
        var random = SeededRandom(seed: 12)
        var layer = try BatchNorm2d(channels: 2)
        layer.gamma = random.uniformTensor(shape: [2], in: 0.5..<1.5)
        layer.beta = random.uniformTensor(shape: [2])
        layer.runningMean = random.uniformTensor(shape: [2])
        layer.runningVariance = random.uniformTensor(shape: [2], in: 0.5..<2)
        let input = random.uniformTensor(shape: [3, 2, 2, 2])
        let dOutput = random.uniformTensor(shape: input.shape)
        let base = layer
        let (_, cache) = try layer.forward(input, training: false)
        let gradients = layer.backward(dOutput: dOutput, cache: cache)

        func evaluationOutput(_ layer: BatchNorm2d, _ x: Tensor) -> Tensor {
            var copy = layer
            return try! copy.forward(x, training: false).output
        }
        let dInput = numericalGradient(of: input, outputWeights: dOutput) { evaluationOutput(base, $0) }
        let dGamma = numericalGradient(of: base.gamma, outputWeights: dOutput) { gamma in
            var changed = base
            changed.gamma = gamma
            return evaluationOutput(changed, input)
        }
        let dBeta = numericalGradient(of: base.beta, outputWeights: dOutput) { beta in
            var changed = base
            changed.beta = beta
            return evaluationOutput(changed, input)
        }
        expectClose(gradients.dInput, dInput, tolerance: 1e-3, "dInput")
        expectClose(gradients.dGamma, dGamma, tolerance: 1e-3, "dGamma")
        expectClose(gradients.dBeta, dBeta, tolerance: 1e-3, "dBeta")
    }

    @Test("bad shapes and settings are rejected with the rule they broke")
    func badInput() throws {
        var layer = try BatchNorm2d(channels: 2)
        #expect(kernelErrorMessage { _ = try layer.forward(Tensor(zeros: [2, 2, 3]), training: true) }
            .contains("must be 4-D"))
        #expect(kernelErrorMessage { _ = try layer.forward(Tensor(zeros: [2, 3, 2, 2]), training: true) }
            .contains("has 3 channels; this layer normalises 2"))
        #expect(kernelErrorMessage { _ = try layer.forward(Tensor(zeros: [1, 2, 1, 1]), training: true) }
            .contains("training needs more than 1 value per channel"))
        #expect(kernelErrorMessage { _ = try BatchNorm2d(channels: 0) }.contains("at least 1 channel"))
        #expect(kernelErrorMessage { _ = try BatchNorm2d(channels: 2, epsilon: 0) }.contains("above 0"))
        #expect(kernelErrorMessage { _ = try BatchNorm2d(channels: 2, momentum: 1.5) }.contains("between 0 and 1"))
    }
}
