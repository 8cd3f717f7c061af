import ConvKernels

/// LeNet-5 for 1 x 28 x 28 digits, built from the shared kernels, with PyTorch's parameter names
/// and shapes (the same network as ../shared/bench/lenet_peer.py):
///
///     input [N, 1, 28, 28]
///     conv1  6 @ 5x5, padding 2 -> [N, 6, 28, 28] -> activation -> pool 2 -> [N, 6, 14, 14]
///     conv2 16 @ 5x5            -> [N, 16, 10, 10] -> activation -> pool 2 -> [N, 16, 5, 5]
///     flatten [N, 400] -> fc1 120 -> activation -> fc2 84 -> activation -> fc3 10 (logits)
///
/// `modern` uses ReLU and max pooling, `classic` tanh and average pooling (LeCun et al. 1998).
/// 61,706 parameters either way.
public struct LeNet5: Sendable {
    public enum Variant: String, CaseIterable, Sendable {
        case modern, classic

        var activation: Activation { self == .modern ? .relu : .tanh }
        var pooling: PoolKind { self == .modern ? .max : .average }
    }

    public let variant: Variant
    /// The parameters, in `parameterNames` order.
    public var parameters: [Tensor]

    /// PyTorch's names for the parameters of the equivalent `nn.Module`, in order.
    public static let parameterNames = [
        "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
        "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias",
    ]
    /// Their shapes, as PyTorch has them.
    public static let parameterShapes: [[Int]] = [
        [6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 400], [120], [84, 120], [84], [10, 84], [10],
    ]

    static let conv1Options = Conv2dOptions(padding: 2)
    static let conv2Options = Conv2dOptions()
    static let poolOptions = Pool2dOptions(kernel: 2)

    /// A network initialised as PyTorch initialises `nn.Conv2d` and `nn.Linear` (uniform within
    /// 1 / sqrt(fan-in)), from `seed`.
    public init(variant: Variant = .modern, seed: UInt64) {
        self.variant = variant
        var random = SeededRandom(seed: seed)
        var parameters: [Tensor] = []
        for index in stride(from: 0, to: Self.parameterShapes.count, by: 2) {
            let weightShape = Self.parameterShapes[index]
            parameters.append(Initializer.pytorchDefault.tensor(shape: weightShape, random: &random))
            parameters.append(Initializer.pytorchDefaultBias(forWeightShape: weightShape, random: &random))
        }
        self.parameters = parameters
    }

    /// The number of parameters (61,706).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// What the forward pass keeps for the backward pass, and for showing what each layer sees.
    public struct Activations: Sendable {
        public var input: Tensor
        public var conv1: Tensor, conv1Activated: Tensor, pool1: Tensor
        public var conv2: Tensor, conv2Activated: Tensor, pool2: Tensor
        public var flat: Tensor
        public var fc1: Tensor, fc1Activated: Tensor
        public var fc2: Tensor, fc2Activated: Tensor
        public var logits: Tensor
    }

    /// The forward pass of a batch `[N, 1, 28, 28]`, keeping every layer's output.
    public func forward(_ input: Tensor, threads: Int = Parallel.defaultThreads) throws(KernelError) -> Activations {
        let p = parameters, activation = variant.activation, pooling = variant.pooling
        let conv1 = try Conv2d.forward(input: input, weight: p[0], bias: p[1], options: Self.conv1Options, threads: threads)
        let conv1Activated = activation.forward(conv1)
        let pool1 = try Pool2d.forward(input: conv1Activated, kind: pooling, options: Self.poolOptions)
        let conv2 = try Conv2d.forward(input: pool1, weight: p[2], bias: p[3], options: Self.conv2Options, threads: threads)
        let conv2Activated = activation.forward(conv2)
        let pool2 = try Pool2d.forward(input: conv2Activated, kind: pooling, options: Self.poolOptions)
        let flat = Flatten.forward(pool2)
        let fc1 = try Linear.forward(input: flat, weight: p[4], bias: p[5], threads: threads)
        let fc1Activated = activation.forward(fc1)
        let fc2 = try Linear.forward(input: fc1Activated, weight: p[6], bias: p[7], threads: threads)
        let fc2Activated = activation.forward(fc2)
        let logits = try Linear.forward(input: fc2Activated, weight: p[8], bias: p[9], threads: threads)
        return Activations(input: input, conv1: conv1, conv1Activated: conv1Activated, pool1: pool1,
                           conv2: conv2, conv2Activated: conv2Activated, pool2: pool2, flat: flat,
                           fc1: fc1, fc1Activated: fc1Activated, fc2: fc2, fc2Activated: fc2Activated, logits: logits)
    }

    /// The gradients of every parameter, in `parameterNames` order, given the logits' gradient.
    public func backward(_ a: Activations, dLogits: Tensor, threads: Int = Parallel.defaultThreads) throws(KernelError) -> [Tensor] {
        let p = parameters, activation = variant.activation, pooling = variant.pooling
        let fc3 = try Linear.backward(input: a.fc2Activated, weight: p[8], dOutput: dLogits, threads: threads)
        let dFc2 = activation.backward(input: a.fc2, dOutput: fc3.dInput)
        let fc2 = try Linear.backward(input: a.fc1Activated, weight: p[6], dOutput: dFc2, threads: threads)
        let dFc1 = activation.backward(input: a.fc1, dOutput: fc2.dInput)
        let fc1 = try Linear.backward(input: a.flat, weight: p[4], dOutput: dFc1, threads: threads)
        let dPool2 = Flatten.backward(dOutput: fc1.dInput, inputShape: a.pool2.shape)
        let dConv2Activated = try Pool2d.backward(input: a.conv2Activated, dOutput: dPool2, kind: pooling, options: Self.poolOptions)
        let dConv2 = activation.backward(input: a.conv2, dOutput: dConv2Activated)
        let conv2 = try Conv2d.backward(input: a.pool1, weight: p[2], dOutput: dConv2, options: Self.conv2Options, threads: threads)
        let dConv1Activated = try Pool2d.backward(input: a.conv1Activated, dOutput: conv2.dInput, kind: pooling, options: Self.poolOptions)
        let dConv1 = activation.backward(input: a.conv1, dOutput: dConv1Activated)
        // The first layer's input gradient is never needed.
        let conv1 = try Conv2d.backward(input: a.input, weight: p[0], dOutput: dConv1, options: Self.conv1Options,
                                        needInputGradient: false, threads: threads)
        return [conv1.dWeight, biasGradient(conv1.dBias), conv2.dWeight, biasGradient(conv2.dBias),
                fc1.dWeight, biasGradient(fc1.dBias), fc2.dWeight, biasGradient(fc2.dBias),
                fc3.dWeight, biasGradient(fc3.dBias)]
    }

    /// Every layer here has a bias, so its backward pass always returns one.
    private func biasGradient(_ gradient: Tensor?) -> Tensor {
        guard let gradient else { preconditionFailure("a LeNet-5 layer's backward pass returned no bias gradient") }
        return gradient
    }
}
