import ConvKernels
import Testing

@Suite("initializers")
struct InitializerTests {
    @Test("fans as PyTorch computes them for conv, linear and 3-D weights")
    func fans() {
        #expect(Initializer.fans(of: [6, 1, 5, 5]) == (fanIn: 25, fanOut: 150))
        #expect(Initializer.fans(of: [16, 6, 5, 5]) == (fanIn: 150, fanOut: 400))
        #expect(Initializer.fans(of: [10, 84]) == (fanIn: 84, fanOut: 10))
        #expect(Initializer.fans(of: [4, 3, 5]) == (fanIn: 15, fanOut: 20))
        #expect(Initializer.fans(of: [6, 2, 3, 1]) == (fanIn: 6, fanOut: 18))
    }

    @Test("bounds and standard deviations from the fans")
    func distributions() {
        let conv = [16, 6, 5, 5]  // fanIn 150, fanOut 400
        #expect(Initializer.xavierUniform.distribution(shape: conv) == .uniform(bound: Float((6.0 / 550).squareRoot())))
        #expect(Initializer.xavierNormal.distribution(shape: conv)
                == .normal(standardDeviation: Float((2.0 / 550).squareRoot())))
        #expect(Initializer.heUniform.distribution(shape: conv) == .uniform(bound: Float((6.0 / 150).squareRoot())))
        #expect(Initializer.heNormal.distribution(shape: conv)
                == .normal(standardDeviation: Float((2.0 / 150).squareRoot())))
        // LeNet's first conv: fanIn 25, so PyTorch's default bound is 1/5.
        #expect(Initializer.pytorchDefault.distribution(shape: [6, 1, 5, 5]) == .uniform(bound: 0.2))
        // kaiming_uniform_(a = sqrt(5)): gain sqrt(2 / (1 + 5)), bound sqrt(3) * gain / sqrt(fanIn) = 1 / sqrt(fanIn).
        let gain = (2.0 / 6).squareRoot()
        #expect(Initializer.pytorchDefault.distribution(shape: [10, 84])
                == .uniform(bound: Float(3.0.squareRoot() * gain / 84.0.squareRoot())))
    }

    @Test("large samples: mean about 0, inside the bound, spread as the distribution says", arguments: Initializer.allCases)
    func samples(initializer: Initializer) {
        let shape = [128, 64, 3, 3]  // 73 728 values, fanIn 576, fanOut 1152
        var random = SeededRandom(seed: 2024)
        let tensor = initializer.tensor(shape: shape, random: &random)
        #expect(tensor.shape == shape)
        let count = Double(tensor.count)
        let mean = tensor.data.reduce(0.0) { $0 + Double($1) } / count
        let deviation = (tensor.data.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count).squareRoot()
        switch initializer.distribution(shape: shape) {
        case .uniform(let bound):
            let b = Double(bound)
            #expect(tensor.data.allSatisfy { abs($0) <= bound })
            #expect(Double(tensor.maxMagnitude) > 0.99 * b, "the samples should reach near the bound")
            #expect(abs(mean) < 0.02 * b, "mean \(mean)")
            // Uniform in [-b, b] has standard deviation b / sqrt(3).
            #expect(abs(deviation / (b / 3.0.squareRoot()) - 1) < 0.02, "std \(deviation)")
        case .normal(let standardDeviation):
            let s = Double(standardDeviation)
            #expect(abs(mean) < 0.02 * s, "mean \(mean)")
            #expect(abs(deviation / s - 1) < 0.02, "std \(deviation)")
            #expect(Double(tensor.maxMagnitude) > 3 * s, "a normal sample this large has tails")
        }
    }

    @Test("the same seed gives the same tensor, another seed another")
    func seeded() {
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7), c = SeededRandom(seed: 8)
        for initializer in Initializer.allCases {
            let first = initializer.tensor(shape: [6, 1, 5, 5], random: &a)
            #expect(first == initializer.tensor(shape: [6, 1, 5, 5], random: &b))
            #expect(first != initializer.tensor(shape: [6, 1, 5, 5], random: &c))
        }
    }

    @Test("PyTorch's default bias: [O] within 1 / sqrt(fanIn)")
    func bias() {
        var random = SeededRandom(seed: 9)
        let bias = Initializer.pytorchDefaultBias(forWeightShape: [120, 400], random: &random)
        #expect(bias.shape == [120])
        let bound = Float(1 / 400.0.squareRoot())
        #expect(bias.data.allSatisfy { abs($0) <= bound })
        #expect(bias.maxMagnitude > 0.8 * bound)
        let convBias = Initializer.pytorchDefaultBias(forWeightShape: [6, 1, 5, 5], random: &random)
        #expect(convBias.shape == [6] && convBias.data.allSatisfy { abs($0) <= 0.2 })
        // No inputs, no bound: PyTorch leaves the range at 0.
        #expect(Initializer.pytorchDefaultBias(forWeightShape: [3, 0], random: &random) == Tensor(zeros: [3]))
    }

    @Test("an empty shape gives an empty tensor")
    func empty() {
        var random = SeededRandom(seed: 1)
        #expect(Initializer.heNormal.tensor(shape: [0, 3, 3, 3], random: &random).count == 0)
    }
}
