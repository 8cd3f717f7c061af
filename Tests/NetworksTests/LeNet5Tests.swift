import ConvKernels
import Foundation
import Testing
@testable import Networks
import Datasets

@Suite("LeNet-5")
struct LeNet5Tests {
    @Test("61,706 parameters with PyTorch's names and shapes", arguments: LeNet5.Variant.allCases)
    func parameters(variant: LeNet5.Variant) {
        let network = LeNet5(variant: variant, seed: 1)
        #expect(network.parameterCount == 61_706)
        #expect(network.parameters.map(\.shape) == LeNet5.parameterShapes)
        #expect(LeNet5.parameterNames.count == network.parameters.count)
    }

    @Test("the layer table: shapes, parameters and multiply-adds worked out by hand", arguments: LeNet5.Variant.allCases)
    func summary(variant: LeNet5.Variant) throws {
        let rows = try LeNet5(variant: variant, seed: 0).summary()
        let conv1 = try #require(rows.first { $0.name == "conv1" })
        // 6 x 28 x 28 outputs, each 1 x 5 x 5 multiply-adds; 6 x 25 weights + 6 biases.
        #expect(conv1 == LeNet5.LayerSummary(name: "conv1", outputShape: [6, 28, 28], parameters: 156, multiplyAdds: 117_600))
        let conv2 = try #require(rows.first { $0.name == "conv2" })
        #expect(conv2 == LeNet5.LayerSummary(name: "conv2", outputShape: [16, 10, 10], parameters: 2_416, multiplyAdds: 240_000))
        #expect(rows.map(\.parameters).reduce(0, +) == 61_706)
        let multiplyAdds = rows.map(\.multiplyAdds).reduce(0, +)
        #expect(multiplyAdds == 416_520)  // 117,600 + 240,000 + 48,000 + 10,080 + 840
        #expect(rows.last?.outputShape == [10])
        #expect(rows.contains { $0.name == (variant == .modern ? "maxpool1" : "avgpool1") })
    }

    @Test("the forward pass gives each layer's documented shape")
    func shapes() throws {
        var random = SeededRandom(seed: 2)
        let activations = try LeNet5(seed: 1).forward(random.uniformTensor(shape: [3, 1, 28, 28]))
        #expect(activations.conv1.shape == [3, 6, 28, 28] && activations.pool1.shape == [3, 6, 14, 14])
        #expect(activations.conv2.shape == [3, 16, 10, 10] && activations.pool2.shape == [3, 16, 5, 5])
        #expect(activations.flat.shape == [3, 400] && activations.fc1.shape == [3, 120] && activations.fc2.shape == [3, 84])
        #expect(activations.logits.shape == [3, 10])
    }

    /// The loss of a batch as a function of one parameter value, in Double for the finite differences.
    private func loss(_ network: LeNet5, _ input: Tensor, _ labels: [Int]) throws -> Double {
        Double(try SoftmaxCrossEntropy.forward(logits: network.forward(input).logits, labels: labels).loss)
    }

    @Test("backward matches finite differences of the loss through the whole network (classic: smooth everywhere)")
    func gradientCheck() throws {
        var random = SeededRandom(seed: 3)
        var network = LeNet5(variant: .classic, seed: 4)
        let input = random.uniformTensor(shape: [2, 1, 28, 28], in: 0..<1)
        let labels = [3, 8]
        let activations = try network.forward(input)
        let dLogits = try SoftmaxCrossEntropy.forward(logits: activations.logits, labels: labels).dLogits
        let gradients = try network.backward(activations, dLogits: dLogits)
        let step: Float = 1e-2
        for (index, name) in LeNet5.parameterNames.enumerated() {
            // A few values of every parameter tensor, spread over it.
            let count = network.parameters[index].count
            for probe in [0, count / 3, count / 2, count - 1] {
                let original = network.parameters[index].data[probe]
                network.parameters[index].data[probe] = original + step
                let plus = try loss(network, input, labels)
                network.parameters[index].data[probe] = original - step
                let minus = try loss(network, input, labels)
                network.parameters[index].data[probe] = original
                let numerical = Float((plus - minus) / (2 * Double(step)))
                let analytic = gradients[index].data[probe]
                // The loss is a Float near 2.3: its rounding over a step of 1e-2 is about 3e-5.
                #expect(abs(numerical - analytic) <= 4e-5 + 1e-2 * abs(numerical),
                        "\(name)[\(probe)]: analytic \(analytic), numerical \(numerical)")
            }
        }
    }
}

@Suite("LeNet-5 options")
struct LeNet5OptionsTests {
    /// The training-mode loss, with the dropout masks drawn from the same seed on every call.
    private func loss(_ network: LeNet5, _ input: Tensor, _ labels: [Int]) throws -> Double {
        var copy = network
        var random = SeededRandom(seed: 11)
        let logits = try copy.forwardForTraining(input, random: &random).logits
        return Double(try SoftmaxCrossEntropy.forward(logits: logits, labels: labels).loss)
    }

    @Test("with batch normalisation and dropout, backward matches finite differences (classic, training mode)")
    func gradientCheck() throws {
        var random = SeededRandom(seed: 5)
        var network = LeNet5(variant: .classic, options: LeNet5.Options(dropout: 0.25, batchNorm: true), seed: 6)
        #expect(network.parameterNames.suffix(4) == ["bn1.weight", "bn1.bias", "bn2.weight", "bn2.bias"])
        let input = random.uniformTensor(shape: [4, 1, 28, 28], in: 0..<1)
        let labels = [3, 8, 1, 0]
        var copy = network
        var masks = SeededRandom(seed: 11)
        let activations = try copy.forwardForTraining(input, random: &masks)
        #expect(activations.conv1Normalized != nil && activations.dropoutMask1 != nil)
        let dLogits = try SoftmaxCrossEntropy.forward(logits: activations.logits, labels: labels).dLogits
        let gradients = try network.backward(activations, dLogits: dLogits)
        let step: Float = 1e-2
        for (index, name) in network.parameterNames.enumerated() {
            let count = network.parameters[index].count
            for probe in Set([0, count / 2, count - 1]) {
                let original = network.parameters[index].data[probe]
                network.parameters[index].data[probe] = original + step
                let plus = try loss(network, input, labels)
                network.parameters[index].data[probe] = original - step
                let minus = try loss(network, input, labels)
                network.parameters[index].data[probe] = original
                let numerical = Float((plus - minus) / (2 * Double(step)))
                let analytic = gradients[index].data[probe]
                #expect(abs(numerical - analytic) <= 6e-5 + 2e-2 * abs(numerical),
                        "\(name)[\(probe)]: analytic \(analytic), numerical \(numerical)")
            }
        }
    }

    @Test("evaluation mode uses no dropout and the running statistics, and changes nothing")
    func evaluationMode() throws {
        var random = SeededRandom(seed: 1)
        var network = LeNet5(options: LeNet5.Options(dropout: 0.5, batchNorm: true), seed: 2)
        let input = random.uniformTensor(shape: [2, 1, 28, 28], in: 0..<1)
        let first = try network.forward(input).logits
        #expect(try network.forward(input).logits == first, "evaluation is deterministic")
        _ = try network.forwardForTraining(input, random: &random)
        #expect(network.runningStatistics[0] != Tensor(zeros: [6]), "a training pass moves the running mean")
        #expect(try network.forward(input).logits != first, "evaluation reads the running statistics")
    }
}
