import ConvKernels

/// LeNet-5 for 1 x 28 x 28 digits, built from the shared kernels, with PyTorch's parameter names
/// and shapes (the same network as ../shared/bench/lenet_peer.py):
///
///     input [N, 1, 28, 28]
///     conv1  6 @ 5x5, padding 2 -> [N, 6, 28, 28] -> (bn1) -> activation -> pool 2 -> [N, 6, 14, 14]
///     conv2 16 @ 5x5            -> [N, 16, 10, 10] -> (bn2) -> activation -> pool 2 -> [N, 16, 5, 5]
///     flatten [N, 400] -> fc1 120 -> activation -> (dropout) -> fc2 84 -> activation -> (dropout)
///     -> fc3 10 (logits)
///
/// `modern` uses ReLU and max pooling, `classic` tanh and average pooling (LeCun et al. 1998).
/// 61,706 parameters either way; batch normalisation (off by default) adds 44.
public struct LeNet5: Sendable {
    public enum Variant: String, CaseIterable, Sendable {
        case modern, classic

        var activation: Activation { self == .modern ? .relu : .tanh }
        var pooling: PoolKind { self == .modern ? .max : .average }
    }

    /// Architecture options, all off by default (the plain LeNet-5 that PyTorch's peer defines).
    public struct Options: Hashable, Sendable {
        /// Dropout probability after fc1's and fc2's activations, in training only (0 = none).
        public var dropout: Float
        /// Batch normalisation after each convolution, before its activation.
        public var batchNorm: Bool

        public init(dropout: Float = 0, batchNorm: Bool = false) {
            self.dropout = dropout
            self.batchNorm = batchNorm
        }

        /// Checks the dropout probability (`--dropout` names it for the command line).
        public func validate() throws(KernelError) {
            guard dropout >= 0 && dropout < 1 else {
                throw KernelError("dropout \(dropout) is invalid; it must be at least 0 and below 1")
            }
        }
    }

    public let variant: Variant
    public let options: Options
    /// The parameters, in `parameterNames` order.
    public var parameters: [Tensor]
    /// Batch normalisation's running statistics (bn1.running_mean, bn1.running_var, bn2.running_mean,
    /// bn2.running_var), updated by training-mode forward passes; empty without batch normalisation.
    public var runningStatistics: [Tensor]

    /// PyTorch's names for the parameters of the plain network's `nn.Module`, in order.
    public static let parameterNames = [
        "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
        "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias",
    ]
    /// Their shapes, as PyTorch has them.
    public static let parameterShapes: [[Int]] = [
        [6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 400], [120], [84, 120], [84], [10, 84], [10],
    ]
    /// The batch normalisation parameters that follow them when `options.batchNorm` is on.
    static let batchNormParameterNames = ["bn1.weight", "bn1.bias", "bn2.weight", "bn2.bias"]
    static let batchNormParameterShapes: [[Int]] = [[6], [6], [16], [16]]
    /// The running statistics' names and shapes.
    static let runningStatisticNames = ["bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"]
    static let runningStatisticShapes: [[Int]] = [[6], [6], [16], [16]]

    /// This network's parameter names, in `parameters` order.
    public var parameterNames: [String] {
        Self.parameterNames + (options.batchNorm ? Self.batchNormParameterNames : [])
    }

    /// conv1 5x5 with padding 2 (28x28 stays 28x28), conv2 5x5 unpadded, both poolings 2x2 stride 2:
    /// the geometry the inspector's receptive fields are computed from.
    public static let conv1Options = Conv2dOptions(padding: 2)
    public static let conv2Options = Conv2dOptions()
    public static let poolOptions = Pool2dOptions(kernel: 2)

    /// A network initialised as PyTorch initialises `nn.Conv2d` and `nn.Linear` (uniform within
    /// 1 / sqrt(fan-in)), from `seed`; batch normalisation starts at gamma 1, beta 0.
    public init(variant: Variant = .modern, options: Options = Options(), seed: UInt64) {
        self.variant = variant
        self.options = options
        var random = SeededRandom(seed: seed)
        var parameters: [Tensor] = []
        for index in stride(from: 0, to: Self.parameterShapes.count, by: 2) {
            let weightShape = Self.parameterShapes[index]
            parameters.append(Initializer.pytorchDefault.tensor(shape: weightShape, random: &random))
            parameters.append(Initializer.pytorchDefaultBias(forWeightShape: weightShape, random: &random))
        }
        var statistics: [Tensor] = []
        if options.batchNorm {
            for channels in [6, 16] {
                parameters += [Tensor(repeating: 1, shape: [channels]), Tensor(zeros: [channels])]
                statistics += [Tensor(zeros: [channels]), Tensor(repeating: 1, shape: [channels])]
            }
        }
        self.parameters = parameters
        self.runningStatistics = statistics
    }

    /// A network with the given parameters (in `parameterNames` order) and running statistics.
    init(variant: Variant, options: Options, parameters: [Tensor], runningStatistics: [Tensor]) {
        self.variant = variant
        self.options = options
        self.parameters = parameters
        self.runningStatistics = runningStatistics
    }

    /// The number of parameters (61,706 for the plain network).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// What the forward pass keeps for the backward pass, and for showing what each layer sees.
    public struct Activations: Sendable {
        public var input: Tensor
        public var conv1: Tensor
        /// conv1 after batch normalisation, when the network has it.
        public var conv1Normalized: Tensor?
        public var conv1Activated: Tensor, pool1: Tensor
        public var conv2: Tensor
        public var conv2Normalized: Tensor?
        public var conv2Activated: Tensor, pool2: Tensor
        public var flat: Tensor
        public var fc1: Tensor, fc1Activated: Tensor
        public var fc2: Tensor, fc2Activated: Tensor
        public var logits: Tensor
        var batchNorm1: BatchNorm2d.Cache?, batchNorm2: BatchNorm2d.Cache?
        /// The dropout masks, in training with dropout only.
        var dropoutMask1: Tensor?, dropoutMask2: Tensor?
        /// fc1's and fc2's activations after dropout (what the next layer read).
        var fc1Dropped: Tensor?, fc2Dropped: Tensor?
    }

    /// The forward pass of a batch `[N, 1, 28, 28]` in evaluation mode (no dropout, batch
    /// normalisation with the running statistics), keeping every layer's output.
    public func forward(_ input: Tensor, threads: Int = Parallel.defaultThreads) throws(KernelError) -> Activations {
        var unused = SeededRandom(seed: 0)
        var statistics = runningStatistics
        return try run(input, training: false, random: &unused, statistics: &statistics, threads: threads)
    }

    /// The forward pass in training mode: dropout draws its masks from `random`, and batch
    /// normalisation uses the batch's statistics and updates the running ones.
    public mutating func forwardForTraining(_ input: Tensor, random: inout SeededRandom,
                                            threads: Int = Parallel.defaultThreads) throws(KernelError) -> Activations {
        var statistics = runningStatistics
        let activations = try run(input, training: true, random: &random, statistics: &statistics, threads: threads)
        runningStatistics = statistics
        return activations
    }

    /// A batch normalisation layer holding parameters `index, index + 1` and statistics `statistic, statistic + 1`.
    private func batchNorm(channels: Int, parameter index: Int, statistic: Int, _ statistics: [Tensor]) throws(KernelError) -> BatchNorm2d {
        var layer = try BatchNorm2d(channels: channels)
        layer.gamma = parameters[index]
        layer.beta = parameters[index + 1]
        layer.runningMean = statistics[statistic]
        layer.runningVariance = statistics[statistic + 1]
        return layer
    }

    /// Batch normalisation of a conv output when the network has it (nil, nil otherwise), writing the
    /// updated running statistics back into `statistics`.
    private func normalize(_ convOutput: Tensor, channels: Int, parameter: Int, statistic: Int, training: Bool,
                           statistics: inout [Tensor]) throws(KernelError) -> (Tensor?, BatchNorm2d.Cache?) {
        guard options.batchNorm else { return (nil, nil) }
        var layer = try batchNorm(channels: channels, parameter: parameter, statistic: statistic, statistics)
        let (output, cache) = try layer.forward(convOutput, training: training)
        statistics[statistic] = layer.runningMean
        statistics[statistic + 1] = layer.runningVariance
        return (output, cache)
    }

    private func run(_ input: Tensor, training: Bool, random: inout SeededRandom, statistics: inout [Tensor],
                     threads: Int) throws(KernelError) -> Activations {
        let p = parameters, activation = variant.activation, pooling = variant.pooling
        let conv1 = try Conv2d.forward(input: input, weight: p[0], bias: p[1], options: Self.conv1Options, threads: threads)
        let (conv1Normalized, batchNorm1) = try normalize(conv1, channels: 6, parameter: 10, statistic: 0,
                                                          training: training, statistics: &statistics)
        let conv1Activated = activation.forward(conv1Normalized ?? conv1)
        let pool1 = try Pool2d.forward(input: conv1Activated, kind: pooling, options: Self.poolOptions, threads: threads)
        let conv2 = try Conv2d.forward(input: pool1, weight: p[2], bias: p[3], options: Self.conv2Options, threads: threads)
        let (conv2Normalized, batchNorm2) = try normalize(conv2, channels: 16, parameter: 12, statistic: 2,
                                                          training: training, statistics: &statistics)
        let conv2Activated = activation.forward(conv2Normalized ?? conv2)
        let pool2 = try Pool2d.forward(input: conv2Activated, kind: pooling, options: Self.poolOptions, threads: threads)
        let flat = Flatten.forward(pool2)
        let dropout = training && options.dropout > 0 ? try Dropout(probability: options.dropout) : nil
        let fc1 = try Linear.forward(input: flat, weight: p[4], bias: p[5], threads: threads)
        let fc1Activated = activation.forward(fc1)
        let dropped1 = dropout?.forward(fc1Activated, training: true, random: &random)
        let fc2 = try Linear.forward(input: dropped1?.output ?? fc1Activated, weight: p[6], bias: p[7], threads: threads)
        let fc2Activated = activation.forward(fc2)
        let dropped2 = dropout?.forward(fc2Activated, training: true, random: &random)
        let logits = try Linear.forward(input: dropped2?.output ?? fc2Activated, weight: p[8], bias: p[9], threads: threads)
        return Activations(input: input, conv1: conv1, conv1Normalized: conv1Normalized, conv1Activated: conv1Activated,
                           pool1: pool1, conv2: conv2, conv2Normalized: conv2Normalized, conv2Activated: conv2Activated,
                           pool2: pool2, flat: flat, fc1: fc1, fc1Activated: fc1Activated, fc2: fc2,
                           fc2Activated: fc2Activated, logits: logits, batchNorm1: batchNorm1, batchNorm2: batchNorm2,
                           dropoutMask1: dropped1?.mask, dropoutMask2: dropped2?.mask,
                           fc1Dropped: dropped1?.output, fc2Dropped: dropped2?.output)
    }

    /// The gradients of every parameter, in `parameterNames` order, given the logits' gradient.
    public func backward(_ a: Activations, dLogits: Tensor, threads: Int = Parallel.defaultThreads) throws(KernelError) -> [Tensor] {
        let p = parameters, activation = variant.activation, pooling = variant.pooling
        let fc3 = try Linear.backward(input: a.fc2Dropped ?? a.fc2Activated, weight: p[8], dOutput: dLogits, threads: threads)
        let dFc2Activated = try dropoutBackward(fc3.dInput, mask: a.dropoutMask2)
        let dFc2 = activation.backward(input: a.fc2, dOutput: dFc2Activated)
        let fc2 = try Linear.backward(input: a.fc1Dropped ?? a.fc1Activated, weight: p[6], dOutput: dFc2, threads: threads)
        let dFc1Activated = try dropoutBackward(fc2.dInput, mask: a.dropoutMask1)
        let dFc1 = activation.backward(input: a.fc1, dOutput: dFc1Activated)
        let fc1 = try Linear.backward(input: a.flat, weight: p[4], dOutput: dFc1, threads: threads)
        let dPool2 = Flatten.backward(dOutput: fc1.dInput, inputShape: a.pool2.shape)
        let dConv2Activated = try Pool2d.backward(input: a.conv2Activated, dOutput: dPool2, kind: pooling, options: Self.poolOptions, threads: threads)
        var dConv2 = activation.backward(input: a.conv2Normalized ?? a.conv2, dOutput: dConv2Activated)
        var batchNormGradients: [Tensor] = []
        if let cache2 = a.batchNorm2 {
            let layer2 = try batchNorm(channels: 16, parameter: 12, statistic: 2, runningStatistics)
            let gradients2 = layer2.backward(dOutput: dConv2, cache: cache2)
            dConv2 = gradients2.dInput
            batchNormGradients = [gradients2.dGamma, gradients2.dBeta]
        }
        let conv2 = try Conv2d.backward(input: a.pool1, weight: p[2], dOutput: dConv2, options: Self.conv2Options, threads: threads)
        let dConv1Activated = try Pool2d.backward(input: a.conv1Activated, dOutput: conv2.dInput, kind: pooling, options: Self.poolOptions, threads: threads)
        var dConv1 = activation.backward(input: a.conv1Normalized ?? a.conv1, dOutput: dConv1Activated)
        if let cache1 = a.batchNorm1 {
            let layer1 = try batchNorm(channels: 6, parameter: 10, statistic: 0, runningStatistics)
            let gradients1 = layer1.backward(dOutput: dConv1, cache: cache1)
            dConv1 = gradients1.dInput
            batchNormGradients = [gradients1.dGamma, gradients1.dBeta] + batchNormGradients
        }
        // The first layer's input gradient is never needed.
        let conv1 = try Conv2d.backward(input: a.input, weight: p[0], dOutput: dConv1, options: Self.conv1Options,
                                        needInputGradient: false, threads: threads)
        return [conv1.dWeight, biasGradient(conv1.dBias), conv2.dWeight, biasGradient(conv2.dBias),
                fc1.dWeight, biasGradient(fc1.dBias), fc2.dWeight, biasGradient(fc2.dBias),
                fc3.dWeight, biasGradient(fc3.dBias)] + batchNormGradients
    }

    private func dropoutBackward(_ dOutput: Tensor, mask: Tensor?) throws(KernelError) -> Tensor {
        guard let mask else { return dOutput }
        return try Dropout(probability: options.dropout).backward(dOutput: dOutput, mask: mask)
    }

    /// Every layer here has a bias, so its backward pass always returns one.
    private func biasGradient(_ gradient: Tensor?) -> Tensor {
        guard let gradient else { preconditionFailure("a LeNet-5 layer's backward pass returned no bias gradient") }
        return gradient
    }
}
