import ConvKernels

/// A network as data: its input, its classes and its layers, some of them blocks that hold layers
/// of their own (a residual block's body, an Inception module's branches). The spec says what the
/// network is; its summary (`summary()`) checks the shapes once and counts parameters and
/// multiply-adds; the engine builds it into parameters named as PyTorch names them.
///
/// Written as TOML (`NetworkSpec.parse(_:file:)`), or in Swift for the model zoo.
public struct NetworkSpec: Hashable, Sendable {
    public var name: String
    /// What one example is: channels, height and width.
    public var input: FeatureShape
    /// How many classes the last layer scores.
    public var classes: Int
    public var layers: [LayerSpec]

    public init(name: String, input: FeatureShape, classes: Int, layers: [LayerSpec]) {
        self.name = name
        self.input = input
        self.classes = classes
        self.layers = layers
    }
}

/// The shape of one example's features between layers: a stack of maps, or a flat vector.
public enum FeatureShape: Hashable, Sendable, CustomStringConvertible {
    case maps(channels: Int, height: Int, width: Int)
    case flat(Int)

    /// How many numbers the shape holds.
    public var count: Int {
        switch self {
        case .maps(let channels, let height, let width): channels * height * width
        case .flat(let count): count
        }
    }

    /// [C, H, W] or [F], as PyTorch prints a shape without its batch.
    public var dimensions: [Int] {
        switch self {
        case .maps(let channels, let height, let width): [channels, height, width]
        case .flat(let count): [count]
        }
    }

    /// "16x5x5" or "400".
    public var description: String { dimensions.map(String.init).joined(separator: "x") }
}

/// One layer of a spec. Layers without settings of their own are plain cases; blocks hold layers.
public indirect enum LayerSpec: Hashable, Sendable {
    case conv(Convolution)
    case batchNorm(BatchNorm)
    case relu
    /// min(max(0, x), 6), as MobileNetV2 uses.
    case relu6
    case leakyReLU(slope: Float)
    case sigmoid
    case tanh
    /// x * sigmoid(x) (also called swish), as EfficientNet uses.
    case silu
    case maxPool(Pooling)
    case avgPool(Pooling)
    /// Global average pooling: each map to its mean.
    case globalAvgPool
    /// Average pooling to a fixed output size, as PyTorch's `AdaptiveAvgPool2d`.
    case adaptiveAvgPool(height: Int, width: Int)
    case flatten
    case linear(FullyConnected)
    case dropout(probability: Float)
    /// The body, then the block's input added (through `shortcut` when given).
    case residual(Residual)
    /// Several branches on the same input, their outputs concatenated along channels.
    case branches([Branch])
    /// Squeeze-and-excitation: each channel scaled by a gate computed from all channels' means.
    case squeezeExcite(SqueezeExcite)

    public struct Convolution: Hashable, Sendable {
        public var out: Int
        public var kernel: Pair
        public var stride: Pair
        public var padding: Pair
        public var dilation: Pair
        public var groups: Int
        public var bias: Bool

        public init(out: Int, kernel: Pair, stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, groups: Int = 1,
                    bias: Bool = true) {
            self.out = out
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            self.dilation = dilation
            self.groups = groups
            self.bias = bias
        }
    }

    public struct BatchNorm: Hashable, Sendable {
        /// Added to the variance before its square root (PyTorch's default 1e-5; GoogLeNet uses 1e-3).
        public var epsilon: Float
        public var momentum: Float

        public init(epsilon: Float = 1e-5, momentum: Float = 0.1) {
            self.epsilon = epsilon
            self.momentum = momentum
        }
    }

    /// A pooling's kernel, stride (the kernel when not given), padding and PyTorch's `ceil_mode`:
    /// the kernels' own options.
    public typealias Pooling = Pool2dOptions

    public struct FullyConnected: Hashable, Sendable {
        public var out: Int
        public var bias: Bool
        /// The inputs the writer expects (checked against what the layer before gives); nil takes
        /// whatever it gives.
        public var inputs: Int?

        public init(out: Int, bias: Bool = true, inputs: Int? = nil) {
            self.out = out
            self.bias = bias
            self.inputs = inputs
        }
    }

    public struct Residual: Hashable, Sendable {
        public var body: [LayerSpec]
        /// Layers the input goes through before it is added; nil for the input itself, or, when
        /// the body changes the shape, a 1x1 convolution with the body's stride (a projection).
        public var shortcut: [LayerSpec]?

        public init(body: [LayerSpec], shortcut: [LayerSpec]? = nil) {
            self.body = body
            self.shortcut = shortcut
        }
    }

    public struct Branch: Hashable, Sendable {
        /// No layers: the branch passes its input on (DenseNet's identity branch).
        public var body: [LayerSpec]

        public init(body: [LayerSpec]) {
            self.body = body
        }
    }

    public struct SqueezeExcite: Hashable, Sendable {
        /// The channels of the squeezed vector.
        public var squeezed: Int
        /// The activation between the two 1x1 convolutions (ReLU in the paper, SiLU in EfficientNet).
        public var activation: LayerSpec

        public init(squeezed: Int, activation: LayerSpec = .relu) {
            self.squeezed = squeezed
            self.activation = activation
        }
    }

    /// The name the spec's `kind` key gives the layer.
    public var kind: String {
        switch self {
        case .conv: "conv"
        case .batchNorm: "batchnorm"
        case .relu: "relu"
        case .relu6: "relu6"
        case .leakyReLU: "leaky_relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .silu: "silu"
        case .maxPool: "maxpool"
        case .avgPool: "avgpool"
        case .globalAvgPool: "gap"
        case .adaptiveAvgPool: "adaptive_avgpool"
        case .flatten: "flatten"
        case .linear: "linear"
        case .dropout: "dropout"
        case .residual: "residual"
        case .branches: "branches"
        case .squeezeExcite: "squeeze_excite"
        }
    }
}
