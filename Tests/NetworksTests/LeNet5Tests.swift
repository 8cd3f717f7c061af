import ConvKernels
import Foundation
import Testing
@testable import Networks
import Datasets

/// LeNet-5 is the built-in spec `lenet5` (and `lenet5-classic`), trained through the engine like
/// every network: these pin the network every lesson describes.
@Suite("LeNet-5")
struct LeNet5Tests {
    static func network(_ name: String = "lenet5", batchNorm: Bool = false, dropout: Float = 0,
                        seed: UInt64) throws -> Network {
        let spec = try #require(BuiltInArchitecture.spec(named: name))
        return try Network(spec: (batchNorm ? spec.withBatchNorm() : spec).withDropout(dropout), seed: seed)
    }

    /// A checkpoint as earlier versions wrote LeNet-5: PyTorch's names (conv1.weight, ...), no spec.
    static func legacyCheckpoint(seed: UInt64) throws -> Checkpoint {
        let network = try Self.network(seed: seed)
        let rename = Network.legacyLeNet5Names(network.spec)
        let tensors = network.checkpoint().tensors.map { (name: rename($0.name), tensor: $0.tensor) }
        return Checkpoint(tensors: tensors, metadata: ["variant": "modern"])
    }

    /// PyTorch's names for the `nn.Module` of ../shared/bench/lenet_peer.py and their shapes.
    static let legacyNames = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                              "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"]
    static let shapes: [[Int]] = [[6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 400], [120], [84, 120], [84], [10, 84], [10]]

    @Test("61,706 parameters with the shapes of PyTorch's LeNet-5, under its names in a LeNet-5 checkpoint",
          arguments: ["lenet5", "lenet5-classic"])
    func parameters(name: String) throws {
        let network = try Self.network(name, seed: 1)
        #expect(network.parameterCount == 61_706)
        #expect(network.parameters.map(\.shape) == Self.shapes)
        #expect(network.parameterNames.map(Network.legacyLeNet5Names(network.spec)) == Self.legacyNames)
    }

    @Test("the layer table: shapes, parameters and multiply-adds worked out by hand", arguments: ["lenet5", "lenet5-classic"])
    func summary(name: String) throws {
        let summary = try #require(BuiltInArchitecture.spec(named: name)).summary()
        let rows = summary.conventionalNames
        let conv1 = try #require(rows.first { $0.name == "conv1" }).row
        // 6 x 28 x 28 outputs, each 1 x 5 x 5 multiply-adds; 6 x 25 weights + 6 biases.
        #expect(conv1.outputShape == .maps(channels: 6, height: 28, width: 28))
        #expect(conv1.parameters == 156 && conv1.multiplyAdds == 117_600)
        let conv2 = try #require(rows.first { $0.name == "conv2" }).row
        #expect(conv2.outputShape == .maps(channels: 16, height: 10, width: 10))
        #expect(conv2.parameters == 2_416 && conv2.multiplyAdds == 240_000)
        #expect(summary.parameters == 61_706)
        #expect(summary.multiplyAdds == 416_520)  // 117,600 + 240,000 + 48,000 + 10,080 + 840
        let activation = name == "lenet5" ? "relu" : "tanh", pool = name == "lenet5" ? "maxpool" : "avgpool"
        #expect(rows.map(\.name) == ["input", "conv1", "\(activation)1", "\(pool)1", "conv2", "\(activation)2", "\(pool)2",
                                     "flatten", "fc1", "\(activation)3", "fc2", "\(activation)4", "fc3"])
        #expect(rows.last?.row.outputShape == .flat(10))
    }

    @Test("the forward pass gives each layer's documented shape")
    func shapes() throws {
        var random = SeededRandom(seed: 2)
        let stages = try Self.network(seed: 1).stages(random.uniformTensor(shape: [3, 1, 28, 28]))
        #expect(stages.map(\.output.shape) == [[3, 6, 28, 28], [3, 6, 28, 28], [3, 6, 14, 14], [3, 16, 10, 10], [3, 16, 10, 10],
                                               [3, 16, 5, 5], [3, 400], [3, 120], [3, 120], [3, 84], [3, 84], [3, 10]])
    }

    /// The loss of a batch, in training mode with the dropout masks drawn from the same seed on
    /// every call (evaluation mode when `training` is false), in Double for the finite differences.
    private func loss(_ network: Network, _ input: Tensor, _ labels: [Int], training: Bool) throws -> Double {
        var copy = network
        var random = SeededRandom(seed: 11)
        let logits = training ? try copy.forwardForTraining(input, random: &random).logits : try network.logits(input)
        return Double(try SoftmaxCrossEntropy.forward(logits: logits, labels: labels).loss)
    }

    /// Backward against central differences of the loss for a few values of every parameter.
    private func checkGradients(_ network: Network, batch: Int, seed: UInt64, training: Bool,
                                tolerance: (absolute: Float, relative: Float)) throws {
        var network = network
        var random = SeededRandom(seed: seed)
        let input = random.uniformTensor(shape: [batch, 1, 28, 28], in: 0..<1)
        let labels = (0..<batch).map { [3, 8, 1, 0][$0 % 4] }
        var copy = network
        var masks = SeededRandom(seed: 11)
        let trace = try copy.forwardForTraining(input, random: &masks)
        if !training { #expect(try trace.logits == network.logits(input), "without batch norm or dropout, both modes agree") }
        let dLogits = try SoftmaxCrossEntropy.forward(logits: trace.logits, labels: labels).dLogits
        let gradients = try network.backward(trace, dLogits: dLogits).parameters
        let step: Float = 1e-2
        for (index, name) in network.parameterNames.enumerated() {
            let count = network.parameters[index].count
            for probe in Set([0, count / 3, count / 2, count - 1]) {
                let original = network.parameters[index].data[probe]
                network.parameters[index].data[probe] = original + step
                let plus = try loss(network, input, labels, training: training)
                network.parameters[index].data[probe] = original - step
                let minus = try loss(network, input, labels, training: training)
                network.parameters[index].data[probe] = original
                let numerical = Float((plus - minus) / (2 * Double(step)))
                let analytic = gradients[index].data[probe]
                #expect(abs(numerical - analytic) <= tolerance.absolute + tolerance.relative * abs(numerical),
                        "\(name)[\(probe)]: analytic \(analytic), numerical \(numerical)")
            }
        }
    }

    @Test("backward matches finite differences of the loss through the whole network (classic: smooth everywhere)")
    func gradientCheck() throws {
        // The loss is a Float near 2.3: its rounding over a step of 1e-2 is about 3e-5.
        try checkGradients(Self.network("lenet5-classic", seed: 4), batch: 2, seed: 3, training: false,
                           tolerance: (4e-5, 1e-2))
    }

    @Test("with batch normalisation and dropout, backward matches finite differences (classic, training mode)")
    func gradientCheckWithOptions() throws {
        let network = try Self.network("lenet5-classic", batchNorm: true, dropout: 0.25, seed: 6)
        #expect(network.parameterNames.count == 14 && network.bufferNames.count == 4)
        try checkGradients(network, batch: 4, seed: 5, training: true, tolerance: (6e-5, 2e-2))
    }

    @Test("evaluation mode uses no dropout and the running statistics, and changes nothing")
    func evaluationMode() throws {
        var random = SeededRandom(seed: 1)
        var network = try Self.network(batchNorm: true, dropout: 0.5, seed: 2)
        let input = random.uniformTensor(shape: [2, 1, 28, 28], in: 0..<1)
        let first = try network.logits(input)
        #expect(try network.logits(input) == first, "evaluation is deterministic")
        _ = try network.forwardForTraining(input, random: &random)
        #expect(network.buffers[0] != Tensor(zeros: [6]), "a training pass moves the running mean")
        #expect(try network.logits(input) != first, "evaluation reads the running statistics")
    }
}
