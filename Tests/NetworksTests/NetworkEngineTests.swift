import ConvKernels
import Testing
@testable import Networks

@Suite("The network engine: any spec forward and backward")
struct NetworkEngineTests {
    static func parse(_ layers: String, input: String = "[2, 8, 8]", classes: Int = 3) throws -> NetworkSpec {
        try NetworkSpec.parse("input = \(input)\nclasses = \(classes)\n" + layers)
    }

    @Test func lenet5sParametersAreNamedAsTheExportedModulesAndDrawnInItsOrder() throws {
        let network = try Network(spec: try #require(BuiltInArchitecture.spec(named: "lenet5")), seed: 7)
        #expect(network.parameterNames == ["layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias",
                                           "layers.7.weight", "layers.7.bias", "layers.9.weight", "layers.9.bias",
                                           "layers.11.weight", "layers.11.bias"])
        // PyTorch's order of initialisation: each layer's weight, then its bias, uniform in ±1/sqrt(fan-in).
        var random = SeededRandom(seed: 7)
        let conv1 = Initializer.pytorchDefault.tensor(shape: [6, 1, 5, 5], random: &random)
        let bias1 = Initializer.pytorchDefaultBias(forWeightShape: [6, 1, 5, 5], random: &random)
        #expect(network.parameters[0] == conv1 && network.parameters[1] == bias1)
        #expect(network.parameters[0].data.allSatisfy { abs($0) <= 1 / Float(25).squareRoot() })
    }

    /// Every trainable kind, blocks nested, batch norm on maps and on a vector, a residual with each
    /// kind of shortcut and branches with an identity.
    static let everyKind = """
        [[layer]]
        kind = "conv"
        out = 4
        kernel = 3
        padding = 1
        [[layer]]
        kind = "batchnorm"
        [[layer]]
        kind = "leaky_relu"
        slope = 0.1
        [[layer]]
        kind = "residual"
        [[layer.body]]
        kind = "conv"
        out = 4
        kernel = 3
        padding = 1
        groups = 4
        [[layer.body]]
        kind = "tanh"
        [[layer]]
        kind = "residual"
        [[layer.body]]
        kind = "conv"
        out = 6
        kernel = 3
        stride = 2
        padding = 1
        bias = false
        [[layer.body]]
        kind = "sigmoid"
        [[layer]]
        kind = "residual"
        [[layer.body]]
        kind = "relu"
        [[layer.shortcut]]
        kind = "conv"
        out = 6
        kernel = 1
        [[layer]]
        kind = "branches"
        [[layer.branch]]
        [[layer.branch]]
        [[layer.branch.body]]
        kind = "conv"
        out = 2
        kernel = 1
        [[layer.branch]]
        [[layer.branch.body]]
        kind = "maxpool"
        kernel = 3
        stride = 1
        padding = 1
        [[layer]]
        kind = "avgpool"
        kernel = 2
        [[layer]]
        kind = "dropout"
        p = 0.3
        [[layer]]
        kind = "linear"
        out = 5
        [[layer]]
        kind = "batchnorm"
        [[layer]]
        kind = "relu"
        [[layer]]
        kind = "linear"
        out = 3
        """

    /// A loss that is a fixed weighting of the logits, so dLoss/dLogits is the weighting.
    static func loss(_ network: Network, _ input: Tensor, _ weighting: Tensor) throws -> Float {
        var copy = network
        var random = SeededRandom(seed: 9)  // the same dropout masks every time
        let trace = try copy.forwardForTraining(input, random: &random)
        return zip(trace.logits.data, weighting.data).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Central differences against `gradients` at a few entries of every parameter, spread over it;
    /// returns how many entries were checked.
    static func checkParameterGradients(_ network: Network, _ gradients: [Tensor], input: Tensor, weighting: Tensor,
                                        step: Float) throws -> Int {
        var checked = 0
        for (index, parameter) in network.parameters.enumerated() {
            for entry in Set([0, parameter.count / 2, parameter.count - 1]) {
                var plus = network, minus = network
                plus.parameters[index].data[entry] += step
                minus.parameters[index].data[entry] -= step
                let numeric = (try loss(plus, input, weighting) - loss(minus, input, weighting)) / (2 * step)
                let analytic = gradients[index].data[entry]
                #expect(abs(numeric - analytic) <= 2e-2 * max(1, abs(analytic)),
                        "\(network.parameterNames[index])[\(entry)]: numeric \(numeric), backward \(analytic)")
                checked += 1
            }
        }
        return checked
    }

    @Test func gradientsOfEveryTrainableKindMatchFiniteDifferences() throws {
        let spec = try Self.parse(Self.everyKind)
        var network = try Network(spec: spec, seed: 3)
        var random = SeededRandom(seed: 4)
        let input = random.uniformTensor(shape: [3, 2, 8, 8])
        let weighting = random.uniformTensor(shape: [3, 3])
        var copy = network
        var traceRandom = SeededRandom(seed: 9)
        let trace = try copy.forwardForTraining(input, random: &traceRandom)
        let (gradients, dInput) = try network.backward(trace, dLogits: weighting, needInputGradient: true)
        #expect(network.parameterNames.contains("layers.4.shortcut.0.weight"), "the automatic projection")
        #expect(network.parameterNames.contains("layers.5.shortcut.0.weight"), "the given shortcut")
        #expect(network.parameterNames.contains("layers.6.branches.1.0.weight"))
        #expect(network.bufferNames == ["layers.1.running_mean", "layers.1.running_var",
                                        "layers.10.running_mean", "layers.10.running_var"])
        let step: Float = 2e-3
        let checked = try Self.checkParameterGradients(network, gradients, input: input, weighting: weighting, step: step)
        for entry in [0, 37, input.count - 1] {
            var plus = input, minus = input
            plus.data[entry] += step
            minus.data[entry] -= step
            let numeric = (try Self.loss(network, plus, weighting) - Self.loss(network, minus, weighting)) / (2 * step)
            let analytic = try #require(dInput).data[entry]
            #expect(abs(numeric - analytic) <= 2e-2 * max(1, abs(analytic)), "input[\(entry)]: \(numeric) vs \(analytic)")
        }
        #expect(checked > 40)
        // Training updates the running statistics; evaluation reads them and draws no masks.
        network.buffers = copy.buffers
        #expect(network.buffers[0].data != [0, 0, 0, 0])
        #expect(try network.logits(input).data == network.logits(input).data)
    }

    @Test func everyBuiltInRunsForwardAndBackward() throws {
        var random = SeededRandom(seed: 5)
        let input = random.uniformTensor(shape: [2, 1, 28, 28])
        for architecture in BuiltInArchitecture.all {
            var network = try Network(spec: architecture.spec, seed: 1)
            #expect(network.parameterCount == (try architecture.spec.summary().parameters), "\(architecture.name)")
            var trainingRandom = SeededRandom(seed: 2)
            let trace = try network.forwardForTraining(input, random: &trainingRandom)
            #expect(trace.logits.shape == [2, 10])
            let gradients = try network.backward(trace, dLogits: Tensor(repeating: 0.1, shape: [2, 10])).parameters
            #expect(gradients.map(\.shape) == network.parameters.map(\.shape))
            #expect(try network.logits(input).shape == [2, 10])
        }
    }

    /// The kinds the model zoo needs beyond the basics: ReLU6, SiLU, squeeze-and-excitation,
    /// pooling with ceil_mode, adaptive average pooling to a size that does not divide.
    static let zooKinds = """
        [[layer]]
        kind = "conv"
        out = 4
        kernel = 3
        [[layer]]
        kind = "relu6"
        [[layer]]
        kind = "squeeze_excite"
        squeezed = 2
        activation = "silu"
        [[layer]]
        kind = "silu"
        [[layer]]
        kind = "maxpool"
        kernel = 2
        ceil_mode = true
        [[layer]]
        kind = "squeeze_excite"
        squeezed = 3
        [[layer]]
        kind = "adaptive_avgpool"
        size = 2
        [[layer]]
        kind = "linear"
        out = 3
        """

    @Test func aNetworkTooLargeToTrainHereIsRefusedSayingWhatItWouldNeed() throws {
        do {
            _ = try Network(spec: try #require(ModelZoo.spec(named: "vgg16")), seed: 0)
            Issue.record("vgg16 built")
        } catch {
            #expect("\(error)".hasPrefix("vgg16 has 138,357,544 parameters: training it would need about 2,213 MB"),
                    "\(error)")
        }
    }

    @Test func theZoosKindsTrainAndMatchFiniteDifferences() throws {
        // 8x8 -> 6x6 (conv) -> 3x3 (ceil mode) -> 2x2 (adaptive, windows overlapping).
        let spec = try Self.parse(Self.zooKinds, input: "[2, 8, 8]")
        let network = try Network(spec: spec, seed: 5)
        #expect(network.parameterNames.contains("layers.2.reduce.weight") && network.parameterNames.contains("layers.5.expand.bias"))
        var random = SeededRandom(seed: 6)
        // Inputs scaled up so ReLU6's cap at 6 is met too.
        var input = random.uniformTensor(shape: [2, 2, 8, 8])
        for index in 0..<input.count { input.data[index] *= 8 }
        let weighting = random.uniformTensor(shape: [2, 3])
        var copy = network
        var traceRandom = SeededRandom(seed: 9)
        let trace = try copy.forwardForTraining(input, random: &traceRandom)
        let gradients = try network.backward(trace, dLogits: weighting).parameters
        #expect(try Self.checkParameterGradients(network, gradients, input: input, weighting: weighting, step: 1e-3) > 20)
    }
}

@Suite("Network checkpoints record their spec")
struct NetworkCheckpointTests {
    @Test func aCheckpointNeedsNothingElse() throws {
        let spec = try #require(BuiltInArchitecture.named("resnet-mini")).spec
        var network = try Network(spec: spec, seed: 4)
        var random = SeededRandom(seed: 1)
        _ = try network.forwardForTraining(random.uniformTensor(shape: [2, 1, 28, 28]), random: &random)
        let bytes = try network.checkpoint(metadata: ["epoch": "3"]).encoded()
        let read = try Checkpoint(bytes: bytes, name: "resnet.safetensors")
        #expect(read.metadata["epoch"] == "3")
        let loaded = try Network(checkpoint: read, file: "resnet.safetensors")
        #expect(loaded.spec == spec)
        #expect(loaded.parameters.map(\.data) == network.parameters.map(\.data))
        #expect(loaded.buffers.map(\.data) == network.buffers.map(\.data))
        let input = random.uniformTensor(shape: [3, 1, 28, 28])
        #expect(try loaded.logits(input).data == network.logits(input).data)
    }

    @Test func aCheckpointWhoseSpecDoesNotMatchIsRefused() throws {
        let network = try Network(spec: try #require(BuiltInArchitecture.named("lenet5")).spec, seed: 0)
        var checkpoint = network.checkpoint()
        func refusal(_ checkpoint: Checkpoint) -> String {
            do {
                _ = try Network(checkpoint: checkpoint, file: "net.safetensors")
                return "accepted"
            } catch {
                return error.description
            }
        }
        var noSpec = checkpoint
        noSpec.metadata = [:]
        #expect(refusal(noSpec).hasPrefix("net.safetensors: records no network spec (metadata 'convtutor.spec') and is "
                                              + "not a LeNet-5 checkpoint (conv1.weight, conv2.weight, fc1.weight, ...; "
                                              + "this one holds layers.0.weight, layers.0.bias, layers.3.weight, "
                                              + "layers.3.bias, ...)"))
        checkpoint.tensors[0].tensor = Tensor(zeros: [6, 1, 3, 3])
        #expect(refusal(checkpoint) == "net.safetensors: tensor 'layers.0.weight' is [6, 1, 3, 3] but its spec 'lenet5' "
                    + "gives it [6, 1, 5, 5]: the spec and the weights do not match")
        var missing = network.checkpoint()
        missing.tensors.removeLast()
        #expect(refusal(missing).contains("has no tensor 'layers.11.bias'"))
        var broken = network.checkpoint()
        broken.metadata[Network.specMetadataKey] = "input = [1, 28, 28]\nclasses = 10\n[[layer]]\nkind = \"pool\"\n"
        #expect(refusal(broken).hasPrefix("net.safetensors (its spec): layer 1: unknown kind 'pool'"))
    }
}

@Suite("Checkpoints without a spec: LeNet-5's names")
struct LegacyLeNet5CheckpointTests {
    /// An engine checkpoint of `spec` rewritten as earlier versions wrote LeNet-5: conv1, bn1, fc1...
    /// names, the variant and options in the metadata, no spec.
    func legacy(_ network: Network, metadata: [String: String]) -> Checkpoint {
        let rename = Network.legacyLeNet5Names(network.spec)
        var checkpoint = network.checkpoint()
        checkpoint.metadata = metadata
        checkpoint.tensors = checkpoint.tensors.map { (name: rename($0.name), tensor: $0.tensor) }
        return checkpoint
    }

    @Test(arguments: [("modern", false, Float(0)), ("classic", false, 0), ("modern", true, 0.3), ("classic", true, 0.5)])
    func loadsAsTheLeNet5ItDescribes(variant: String, batchNorm: Bool, dropout: Float) throws {
        var spec = try #require(BuiltInArchitecture.named(variant == "modern" ? "lenet5" : "lenet5-classic")).spec
        spec = (batchNorm ? spec.withBatchNorm() : spec).withDropout(dropout)
        var network = try Network(spec: spec, seed: 9)
        var random = SeededRandom(seed: 2)
        _ = try network.forwardForTraining(random.uniformTensor(shape: [4, 1, 28, 28]), random: &random)
        let checkpoint = legacy(network, metadata: ["variant": variant, "batch_norm": "\(batchNorm)", "dropout": "\(dropout)"])
        #expect(checkpoint.tensors.map(\.name).prefix(2) == ["conv1.weight", "conv1.bias"])
        #expect(checkpoint.tensors.contains { $0.name == "bn2.running_var" } == batchNorm)
        let loaded = try Network(checkpoint: checkpoint, file: "old.safetensors")
        #expect(loaded.spec == spec)
        let input = random.uniformTensor(shape: [3, 1, 28, 28])
        #expect(try loaded.logits(input).data == network.logits(input).data)
    }

    @Test func pyTorchsLeNet5WithoutMetadataLoadsAsModernEvenUnderWrapperPrefixes() throws {
        let network = try Network(spec: try #require(BuiltInArchitecture.named("lenet5")).spec, seed: 3)
        var checkpoint = legacy(network, metadata: [:])
        checkpoint.tensors = checkpoint.tensors.map { (name: "module." + $0.name, tensor: $0.tensor) }
        let loaded = try Network(checkpoint: checkpoint, file: "peer.safetensors")
        #expect(loaded.spec.name == "lenet5")
        #expect(loaded.parameters.map(\.data) == network.parameters.map(\.data))
    }

    @Test func theSpecOptionsEditLeNet5AsItsFlagsDid() throws {
        let spec = try #require(BuiltInArchitecture.named("lenet5")).spec.withBatchNorm().withDropout(0.5)
        #expect(spec.layers.map(\.kind) == ["conv", "batchnorm", "relu", "maxpool", "conv", "batchnorm", "relu", "maxpool",
                                             "flatten", "linear", "relu", "dropout", "linear", "relu", "dropout", "linear"])
        #expect(try spec.summary().parameters == 61_706 + 44)
        // Twice is once: a convolution followed by batch norm gets no second one.
        #expect(spec.withBatchNorm() == spec)
        let gap = try #require(BuiltInArchitecture.named("lenet5-gap")).spec
        #expect(gap.withDropout(0.5) == gap)
    }

    @Test func refusesWhatIsNotLeNet5s() throws {
        let network = try Network(spec: try #require(BuiltInArchitecture.named("lenet5")).spec, seed: 3)
        func refusal(_ checkpoint: Checkpoint) -> String {
            do {
                _ = try Network(checkpoint: checkpoint, file: "old.safetensors")
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(refusal(legacy(network, metadata: ["variant": "ancient"]))
                    == "old.safetensors: variant \"ancient\" is not one of modern, classic")
        #expect(refusal(legacy(network, metadata: ["batch_norm": "yes"]))
                    == "old.safetensors: batch_norm \"yes\" in the metadata is not true or false")
        #expect(refusal(legacy(network, metadata: ["batch_norm": "true"]))
                    == "old.safetensors: has no tensor 'bn1.weight', which its spec 'lenet5' needs: the spec and the "
                    + "weights do not match")
        var extra = legacy(network, metadata: [:])
        extra.tensors.append((name: "fc4.weight", tensor: Tensor(zeros: [2])))
        #expect(refusal(extra) == "old.safetensors: has a tensor 'fc4.weight' its spec 'lenet5' does not have: the spec "
                    + "and the weights do not match")
    }
}

@Suite("A network's stages")
struct NetworkStageTests {
    @Test func eachTopLevelLayerGivesOneStageAndTheLastIsTheLogits() throws {
        let network = try Network(spec: try #require(BuiltInArchitecture.named("resnet-mini")).spec, seed: 5)
        var random = SeededRandom(seed: 6)
        let input = random.uniformTensor(shape: [2, 1, 28, 28])
        let stages = try network.stages(input)
        let summary = try network.spec.summary()
        let top = summary.rows.filter { $0.depth == 0 && !$0.label.contains(".") }
        #expect(stages.map(\.label) == top.map(\.label))
        #expect(stages.map(\.kind) == top.map(\.kind))
        for (stage, row) in zip(stages, top) { #expect(Array(stage.output.shape.dropFirst()) == row.outputShape.dimensions) }
        #expect(stages.last?.output.data == (try network.logits(input).data))
    }
}
