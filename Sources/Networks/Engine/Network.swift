import ConvKernels

/// A spec built into parameters, run forward and backward: the one engine every architecture trains
/// through (LeNet-5 included).
///
/// Parameters carry the names of the PyTorch module `convtutor export --pytorch` writes, an
/// `nn.Sequential` called `layers` whose blocks hold `body`, `shortcut` and `branches` sequences:
/// `layers.0.weight`, `layers.2.body.0.weight`, `layers.2.shortcut.0.weight`,
/// `layers.4.branches.1.0.weight`. Batch normalisation's running statistics are buffers:
/// `layers.1.running_mean`, `layers.1.running_var`.
///
/// Shapes: input `[N, C, H, W]` as the spec's input; logits `[N, classes]`.
public struct Network: Sendable {
    public let spec: NetworkSpec
    /// Learned parameters, in the order they are created (and initialised: the order of PyTorch's
    /// module too): each layer's weight, then its bias.
    public internal(set) var parameterNames: [String] = []
    public var parameters: [Tensor] = []
    /// Batch normalisation's running means and variances.
    public internal(set) var bufferNames: [String] = []
    public var buffers: [Tensor] = []
    /// The convolutions and linear layers, in order: where their weights are, for L1, the filters
    /// panel and the gradient-norm panel.
    public internal(set) var weightedLayers: [WeightedLayer] = []
    /// The layers, compiled: kernels' options and the indices of their parameters and buffers.
    let plan: [Node]

    /// Builds `spec` with PyTorch's default initialisation drawn from `seed`: weights and biases
    /// uniform in ±1/sqrt(fan-in), batch norm's scale 1 and shift 0.
    /// Throws the spec's shape errors, and refuses what the engine cannot train yet, naming the layer.
    public init(spec: NetworkSpec, seed: UInt64) throws(NetworkSpecError) {
        let summary = try spec.summary()
        guard summary.parameters <= Self.maximumParameters else {
            // Weights, their gradients and Adam's two moments: four copies of 4 bytes each.
            let megabytes = summary.parameters * 16 / 1_000_000
            throw NetworkSpecError("\(spec.name) has \(ResourceBudget.groupedDigits(summary.parameters)) parameters: "
                                       + "training it would need about \(ResourceBudget.groupedDigits(megabytes)) MB for its "
                                       + "weights, gradients and Adam's moments alone; networks here have at most "
                                       + "\(ResourceBudget.groupedDigits(Self.maximumParameters)) parameters (its table: "
                                       + "convtutor model --arch; to train it: convtutor export --pytorch)")
        }
        var builder = NetworkBuilder(random: SeededRandom(seed: seed))
        let plan = try builder.compile(spec.layers, input: spec.input, prefix: "layers.", label: "", rows: summary.rows)
        self.spec = spec
        self.plan = plan
        parameterNames = builder.parameterNames
        parameters = builder.parameters
        bufferNames = builder.bufferNames
        buffers = builder.buffers
        weightedLayers = builder.weightedLayers
    }

    /// The most parameters a network built here may have: resnet50's 25.6 million fit (about 410 MB
    /// with gradients and Adam's moments), vgg16's 138 million do not.
    public static let maximumParameters = 30_000_000

    /// How many learned numbers the network has.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}

/// A layer with a weight: a convolution (squeeze-and-excitation's two included) or a linear layer.
public struct WeightedLayer: Hashable, Sendable {
    /// The summary's label ("3", "5.2", "9.b2.1"; "6.reduce" and "6.expand" for squeeze-excite).
    public let label: String
    /// "conv" or "linear".
    public let kind: String
    /// The index of its weight in `parameters` (`[out, in/groups, kh, kw]` or `[out, in]`).
    public let weight: Int
}

/// One compiled layer.
indirect enum Node: Sendable {
    case conv(Conv2dOptions, weight: Int, bias: Int?)
    /// `flat` for a batch norm after a linear layer: `[N, F]` is normalised as `[N, F, 1, 1]`.
    case batchNorm(channels: Int, epsilon: Float, momentum: Float, gamma: Int, mean: Int, flat: Bool)
    case activation(Activation)
    case pool(PoolKind, Pool2dOptions)
    case adaptiveAvgPool(Pair)
    case globalAvgPool
    case flatten
    /// `flattens`: the input is maps, flattened first.
    case linear(weight: Int, bias: Int?, flattens: Bool)
    case dropout(Float)
    /// An empty shortcut adds the block's input itself.
    case residual(body: [Node], shortcut: [Node])
    case branches([[Node]])
    /// Global average pooling, a 1x1 convolution (with bias) down to `squeezed` channels, the
    /// activation, a 1x1 convolution back up, a sigmoid: each channel scaled by its gate.
    case squeezeExcite(reduce: Int, expand: Int, activation: Activation)
}

/// Builds a spec's parameters in order, compiling each layer.
struct NetworkBuilder {
    var random: SeededRandom
    var parameterNames: [String] = []
    var parameters: [Tensor] = []
    var bufferNames: [String] = []
    var buffers: [Tensor] = []
    var weightedLayers: [WeightedLayer] = []

    /// Each layer's rows come from the summary (for the shapes it already worked out).
    mutating func compile(_ layers: [LayerSpec], input: FeatureShape, prefix: String, label: String,
                          rows: [LayerSummaryRow]) throws(NetworkSpecError) -> [Node] {
        var nodes: [Node] = []
        var shape = input
        for (index, layer) in layers.enumerated() {
            let layerLabel = label + String(index + 1)
            guard let row = rows.first(where: { $0.label == layerLabel }) else {
                preconditionFailure("the summary has no row \(layerLabel)")
            }
            nodes.append(try compile(layer, input: shape, name: prefix + String(index), label: layerLabel, rows: rows))
            shape = row.outputShape
        }
        return nodes
    }

    func refuse(_ label: String, _ layer: LayerSpec, _ why: String) -> NetworkSpecError {
        NetworkSpecError(layer: "layer \(label) (\(layer.kind))", why)
    }

    mutating func add(_ name: String, _ tensor: Tensor) -> Int {
        parameterNames.append(name)
        parameters.append(tensor)
        return parameters.count - 1
    }

    mutating func compile(_ layer: LayerSpec, input: FeatureShape, name: String, label: String,
                          rows: [LayerSummaryRow]) throws(NetworkSpecError) -> Node {
        switch layer {
        case .conv(let conv):
            guard case .maps(let channels, _, _) = input else { preconditionFailure("checked by the summary") }
            let shape = [conv.out, channels / conv.groups, conv.kernel.height, conv.kernel.width]
            let weight = add(name + ".weight", Initializer.pytorchDefault.tensor(shape: shape, random: &random))
            weightedLayers.append(WeightedLayer(label: label, kind: "conv", weight: weight))
            let bias = conv.bias
                ? add(name + ".bias", Initializer.pytorchDefaultBias(forWeightShape: shape, random: &random)) : nil
            return .conv(Conv2dOptions(stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups),
                         weight: weight, bias: bias)
        case .batchNorm(let norm):
            let (channels, flat) = if case .maps(let channels, _, _) = input { (channels, false) } else { (input.count, true) }
            let gamma = add(name + ".weight", Tensor(repeating: 1, shape: [channels]))
            _ = add(name + ".bias", Tensor(zeros: [channels]))
            bufferNames += [name + ".running_mean", name + ".running_var"]
            buffers += [Tensor(zeros: [channels]), Tensor(repeating: 1, shape: [channels])]
            return .batchNorm(channels: channels, epsilon: norm.epsilon, momentum: norm.momentum, gamma: gamma,
                              mean: buffers.count - 2, flat: flat)
        case .relu: return .activation(.relu)
        case .relu6: return .activation(.relu6)
        case .silu: return .activation(.silu)
        case .leakyReLU(let slope): return .activation(.leakyRelu(slope: slope))
        case .sigmoid: return .activation(.sigmoid)
        case .tanh: return .activation(.tanh)
        case .maxPool(let pool), .avgPool(let pool):
            let kind: PoolKind = if case .maxPool = layer { .max } else { .average }
            return .pool(kind, Pool2dOptions(kernel: pool.kernel, stride: pool.stride, padding: pool.padding, ceilMode: pool.ceilMode))
        case .globalAvgPool:
            return .globalAvgPool
        case .adaptiveAvgPool(let height, let width):
            return .adaptiveAvgPool(Pair(height, width))
        case .squeezeExcite(let squeeze):
            guard case .maps(let channels, _, _) = input else { preconditionFailure("checked by the summary") }
            let activation: Activation
            switch squeeze.activation {
            case .relu: activation = .relu
            case .silu: activation = .silu
            default: throw refuse(label, layer, "its activation must be relu or silu")
            }
            // PyTorch's module: reduce = Conv2d(C, squeezed, 1), expand = Conv2d(squeezed, C, 1).
            let reduceShape = [squeeze.squeezed, channels, 1, 1], expandShape = [channels, squeeze.squeezed, 1, 1]
            let reduce = add(name + ".reduce.weight", Initializer.pytorchDefault.tensor(shape: reduceShape, random: &random))
            _ = add(name + ".reduce.bias", Initializer.pytorchDefaultBias(forWeightShape: reduceShape, random: &random))
            let expand = add(name + ".expand.weight", Initializer.pytorchDefault.tensor(shape: expandShape, random: &random))
            _ = add(name + ".expand.bias", Initializer.pytorchDefaultBias(forWeightShape: expandShape, random: &random))
            weightedLayers += [WeightedLayer(label: label + ".reduce", kind: "conv", weight: reduce),
                               WeightedLayer(label: label + ".expand", kind: "conv", weight: expand)]
            return .squeezeExcite(reduce: reduce, expand: expand, activation: activation)
        case .flatten:
            return .flatten
        case .linear(let linear):
            let shape = [linear.out, input.count]
            let weight = add(name + ".weight", Initializer.pytorchDefault.tensor(shape: shape, random: &random))
            weightedLayers.append(WeightedLayer(label: label, kind: "linear", weight: weight))
            let bias = linear.bias
                ? add(name + ".bias", Initializer.pytorchDefaultBias(forWeightShape: shape, random: &random)) : nil
            let flattens = if case .maps = input { true } else { false }
            return .linear(weight: weight, bias: bias, flattens: flattens)
        case .dropout(let probability):
            return .dropout(probability)
        case .residual(let residual):
            let body = try compile(residual.body, input: input, prefix: name + ".body.", label: label + ".", rows: rows)
            // The summary resolved the shortcut already, so this cannot fail.
            let output = rows.first { $0.label == label }?.outputShape ?? input
            let shortcut = try compile(residual.shortcutLayers(input: input, bodyOutput: output), input: input,
                                       prefix: name + ".shortcut.", label: label + ".shortcut.", rows: rows)
            return .residual(body: body, shortcut: shortcut)
        case .branches(let branches):
            var compiled: [[Node]] = []
            for (index, branch) in branches.enumerated() {
                compiled.append(try compile(branch.body, input: input, prefix: "\(name).branches.\(index).",
                                            label: "\(label).b\(index + 1).", rows: rows))
            }
            return .branches(compiled)
        }
    }
}
