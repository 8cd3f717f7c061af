import ConvKernels
import Testing

@Suite("activation")
struct ActivationTests {
    static let all: [Activation] = [.relu, .leakyRelu(slope: 0.1), .sigmoid, .tanh, .relu6, .silu]

    @Test("names")
    func names() {
        #expect(Self.all.map(\.name) == ["relu", "leaky-relu", "sigmoid", "tanh", "relu6", "silu"])
    }

    @Test("ReLU and leaky ReLU at known points; the derivative at exactly 0 is 0 for ReLU")
    func reluPoints() {
        let relu = Activation.relu
        #expect([-2, -0.5, 0, 0.5, 3].map(relu.value) == [0, 0, 0, 0.5, 3])
        #expect([-2, 0, 3].map(relu.derivative) == [0, 0, 1])
        let leaky = Activation.leakyRelu(slope: 0.1)
        #expect(leaky.value(-2) == -2 * Float(0.1))
        #expect(leaky.value(3) == 3)
        #expect(leaky.value(0) == 0)
        #expect([-2, 0, 3].map(leaky.derivative) == [0.1, 0.1, 1])
        #expect(relu.value(.nan).isNaN)
    }

    @Test("ReLU6 clips at 0 and 6, passing the gradient strictly between; SiLU at known points")
    func relu6AndSiluPoints() {
        let relu6 = Activation.relu6, silu = Activation.silu
        #expect([-2, 0, 0.5, 5.5, 6, 7, .infinity].map(relu6.value) == [0, 0, 0.5, 5.5, 6, 6, 6])
        #expect([-2, 0, 0.5, 5.5, 6, 7].map(relu6.derivative) == [0, 0, 1, 1, 0, 0])
        #expect(relu6.value(.nan).isNaN)
        #expect(relu6.value(-0.0).bitPattern == Float(0).bitPattern)
        #expect(silu.value(0) == 0)
        #expect(silu.derivative(0) == 0.5)
        // silu(1) = 1 / (1 + e^-1); silu'(1) = s * (1 + (1 - s)) with s = sigmoid(1).
        #expect(abs(silu.value(1) - 0.731058578) < 1e-6)
        #expect(abs(silu.value(-1) + 0.268941421) < 1e-6)
        #expect(abs(silu.derivative(1) - 0.927670512) < 1e-6)
        #expect(silu.value(100) == 100 && silu.value(-100) > -1e-30 && silu.value(-100) <= 0)
        #expect(silu.derivative(-1000).isFinite && silu.derivative(1000) == 1)
    }

    @Test("sigmoid and tanh at known points, finite for large inputs")
    func smoothPoints() {
        let sigmoid = Activation.sigmoid, tanh = Activation.tanh
        #expect(sigmoid.value(0) == 0.5)
        #expect(sigmoid.derivative(0) == 0.25)
        #expect(abs(sigmoid.value(2) - 0.880797078) < 1e-6)
        #expect(abs(sigmoid.value(-2) - 0.119202922) < 1e-6)
        #expect(sigmoid.value(100) == 1)
        let tiny = sigmoid.value(-100)
        #expect(tiny.isFinite && tiny >= 0 && tiny < 1e-30)
        #expect(sigmoid.value(-1000) == 0 && sigmoid.value(1000) == 1)
        #expect(sigmoid.derivative(100).isFinite && sigmoid.derivative(-100).isFinite)
        #expect(tanh.value(0) == 0)
        #expect(tanh.derivative(0) == 1)
        #expect(abs(tanh.value(1) - 0.761594156) < 1e-6)
        #expect(abs(tanh.derivative(1) - 0.419974342) < 1e-6)
        #expect(tanh.value(100) == 1 && tanh.value(-100) == -1)
    }

    @Test("forward and backward on tensors agree with value and derivative", arguments: all)
    func tensorsMatchPoints(activation: Activation) {
        var random = SeededRandom(seed: 50)
        let input = random.uniformTensor(shape: [2, 3, 4, 5], in: -4..<4)
        let dOutput = random.uniformTensor(shape: input.shape)
        let output = activation.forward(input)
        #expect(output.shape == input.shape)
        #expect(output.data == input.data.map(activation.value))
        let dInput = activation.backward(input: input, dOutput: dOutput)
        #expect(dInput.shape == input.shape)
        #expect(dInput.data == zip(input.data, dOutput.data).map { activation.derivative($0) * $1 })
    }

    @Test("NaN, signed zeros and infinities: whole tensors (eight values at a time) match one value at a time",
          arguments: all)
    func specialValues(activation: Activation) {
        let specials: [Float] = [.nan, -0.0, 0, .infinity, -.infinity, 1, -1, 0.5, -2, .nan, -0.0, 3]
        var random = SeededRandom(seed: 52)
        // 37 values: four vectors of eight and a tail, the specials spread over both.
        var input = random.uniformTensor(shape: [37], in: -3..<3)
        for (index, value) in specials.enumerated() { input.data[index * 3] = value }
        let dOutput = random.uniformTensor(shape: [37])
        let output = activation.forward(input)
        #expect(zip(output.data, input.data).allSatisfy { y, x in
            y.bitPattern == activation.value(x).bitPattern || (y.isNaN && activation.value(x).isNaN)
        })
        let dInput = activation.backward(input: input, dOutput: dOutput)
        for index in 0..<input.count {
            let one = activation.backward(input: Tensor(shape: [1], data: [input.data[index]]),
                                          dOutput: Tensor(shape: [1], data: [dOutput.data[index]]))
            #expect(dInput.data[index].bitPattern == one.data[0].bitPattern || (dInput.data[index].isNaN && one.data[0].isNaN),
                    "\(activation.name) backward at \(input.data[index])")
        }
    }

    @Test("backward matches finite differences away from the kink", arguments: all)
    func gradientCheck(activation: Activation) {
        var random = SeededRandom(seed: 51)
        // Magnitudes in [0.1, 2): a step of 0.01 never crosses 0, where ReLU bends.
        var input = random.uniformTensor(shape: [2, 3, 4, 5], in: 0.1..<2)
        for index in 0..<input.count where random.nextUnitFloat() < 0.5 { input.data[index] = -input.data[index] }
        let dOutput = random.uniformTensor(shape: input.shape)
        let dInput = activation.backward(input: input, dOutput: dOutput)
        let numerical = numericalGradient(of: input, outputWeights: dOutput) { activation.forward($0) }
        expectClose(dInput, numerical, tolerance: 1e-3, "\(activation.name) dInput")
    }
}
