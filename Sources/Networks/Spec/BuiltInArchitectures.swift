/// The architectures that train here, on 28x28 digits, in about a minute each: written in the same
/// TOML a learner writes (`convtutor model --arch NAME --toml` prints it, to copy and change).
public struct BuiltInArchitecture: Sendable {
    public let name: String
    /// What it shows, in a line.
    public let summary: String
    /// The spec as TOML.
    public let toml: String

    /// The parsed spec (the text is tested to parse and to pass its shape check).
    public var spec: NetworkSpec {
        get throws(NetworkSpecError) { try NetworkSpec.parse(toml, file: "built-in \(name)") }
    }

    public static func named(_ name: String) -> BuiltInArchitecture? { all.first { $0.name == name } }

    public static let all: [BuiltInArchitecture] = [
        BuiltInArchitecture(name: "lenet5", summary: "LeNet-5 as trained today: ReLU and max pooling (LeCun et al. 1998, modernised)",
                            toml: lenet5(activation: "relu", pooling: "maxpool")),
        BuiltInArchitecture(name: "lenet5-classic", summary: "LeNet-5 as published: tanh and average pooling",
                            toml: lenet5(activation: "tanh", pooling: "avgpool")),
        BuiltInArchitecture(name: "lenet5-gap", summary: "LeNet-5's features, then a 1x1 convolution and global average pooling in place of the fully connected head (Lin et al. 2013)",
                            toml: lenet5GAP),
        BuiltInArchitecture(name: "vgg-mini", summary: "VGG's idea in small: stacks of 3x3 convolutions, the channels doubling at each pooling (Simonyan & Zisserman 2014)",
                            toml: vggMini),
        BuiltInArchitecture(name: "resnet-mini", summary: "residual blocks with batch normalisation, stride-2 downsampling and a global-average-pooling head (He et al. 2015)",
                            toml: resNetMini(skips: true)),
        BuiltInArchitecture(name: "plain-mini", summary: "resnet-mini without its skip connections: the contrast that shows why they matter",
                            toml: resNetMini(skips: false)),
        BuiltInArchitecture(name: "mobilenet-mini", summary: "depthwise-separable blocks: a 3x3 depthwise convolution, then a 1x1 pointwise one (Howard et al. 2017), with ReLU6",
                            toml: mobileNetMini),
        BuiltInArchitecture(name: "inception-mini", summary: "two Inception modules: 1x1, 3x3 and 5x5 branches and a pooling branch, concatenated (Szegedy et al. 2014)",
                            toml: inceptionMini),
    ]

    static func lenet5(activation: String, pooling: String) -> String {
        """
        name = "lenet5\(activation == "relu" ? "" : "-classic")"
        input = [1, 28, 28]
        classes = 10

        [[layer]]
        kind = "conv"
        out = 6
        kernel = 5
        padding = 2
        [[layer]]
        kind = "\(activation)"
        [[layer]]
        kind = "\(pooling)"
        kernel = 2
        [[layer]]
        kind = "conv"
        out = 16
        kernel = 5
        [[layer]]
        kind = "\(activation)"
        [[layer]]
        kind = "\(pooling)"
        kernel = 2
        [[layer]]
        kind = "flatten"
        [[layer]]
        kind = "linear"
        out = 120
        [[layer]]
        kind = "\(activation)"
        [[layer]]
        kind = "linear"
        out = 84
        [[layer]]
        kind = "\(activation)"
        [[layer]]
        kind = "linear"
        out = 10

        """
    }

    static let lenet5GAP = """
        name = "lenet5-gap"
        input = [1, 28, 28]
        classes = 10

        [[layer]]
        kind = "conv"
        out = 6
        kernel = 5
        padding = 2
        [[layer]]
        kind = "relu"
        [[layer]]
        kind = "maxpool"
        kernel = 2
        [[layer]]
        kind = "conv"
        out = 16
        kernel = 5
        [[layer]]
        kind = "relu"
        [[layer]]
        kind = "maxpool"
        kernel = 2
        # One 5x5 map per class, each averaged to its score: no fully connected layer.
        [[layer]]
        kind = "conv"
        out = 10
        kernel = 1
        [[layer]]
        kind = "gap"
        [[layer]]
        kind = "flatten"

        """

    /// Two 3x3 convolutions per stage, then max pooling; 28 -> 14 -> 7 -> 3.
    static let vggMini = """
        name = "vgg-mini"
        input = [1, 28, 28]
        classes = 10
        \(vggStage(16))\(vggStage(32))\(vggStage(64))
        [[layer]]
        kind = "flatten"
        [[layer]]
        kind = "linear"
        out = 64
        [[layer]]
        kind = "relu"
        [[layer]]
        kind = "linear"
        out = 10

        """

    static func vggStage(_ channels: Int) -> String {
        """

        [[layer]]
        kind = "conv"
        out = \(channels)
        kernel = 3
        padding = 1
        [[layer]]
        kind = "relu"
        [[layer]]
        kind = "conv"
        out = \(channels)
        kernel = 3
        padding = 1
        [[layer]]
        kind = "relu"
        [[layer]]
        kind = "maxpool"
        kernel = 2

        """
    }

    /// A stem, then three stages of one basic block each (16, 32, 64 channels; the last two halve
    /// the size), global average pooling and a linear layer. Without skips, each block's body is
    /// written inline.
    static func resNetMini(skips: Bool) -> String {
        var text = """
            name = "\(skips ? "resnet-mini" : "plain-mini")"
            input = [1, 28, 28]
            classes = 10

            [[layer]]
            kind = "conv"
            out = 16
            kernel = 3
            padding = 1
            bias = false
            [[layer]]
            kind = "batchnorm"
            [[layer]]
            kind = "relu"

            """
        for (channels, stride) in [(16, 1), (32, 2), (64, 2)] {
            text += basicBlock(channels: channels, stride: stride, skip: skips, downsample: stride != 1)
        }
        text += """

            [[layer]]
            kind = "gap"
            [[layer]]
            kind = "linear"
            out = 10

            """
        return text
    }

    /// conv-bn-relu-conv-bn (+ the input, through a 1x1 conv and batch norm when the size changes), relu.
    static func basicBlock(channels: Int, stride: Int, skip: Bool, downsample: Bool) -> String {
        let table = skip ? "[[layer.body]]" : "[[layer]]"
        var text = skip ? "\n[[layer]]\nkind = \"residual\"\n" : "\n"
        text += """
            \(table)
            kind = "conv"
            out = \(channels)
            kernel = 3
            stride = \(stride)
            padding = 1
            bias = false
            \(table)
            kind = "batchnorm"
            \(table)
            kind = "relu"
            \(table)
            kind = "conv"
            out = \(channels)
            kernel = 3
            padding = 1
            bias = false
            \(table)
            kind = "batchnorm"

            """
        if skip && downsample {
            text += """
                [[layer.shortcut]]
                kind = "conv"
                out = \(channels)
                kernel = 1
                stride = \(stride)
                bias = false
                [[layer.shortcut]]
                kind = "batchnorm"

                """
        }
        return text + "[[layer]]\nkind = \"relu\"\n"
    }

    /// A stem, then depthwise-separable blocks: 3x3 depthwise (groups = channels), 1x1 pointwise,
    /// each with batch norm and ReLU6.
    static let mobileNetMini: String = {
        var text = """
            name = "mobilenet-mini"
            input = [1, 28, 28]
            classes = 10

            [[layer]]
            kind = "conv"
            out = 16
            kernel = 3
            padding = 1
            bias = false
            [[layer]]
            kind = "batchnorm"
            [[layer]]
            kind = "relu6"

            """
        for (channels, out, stride) in [(16, 32, 1), (32, 64, 2), (64, 64, 1), (64, 128, 2)] {
            text += """

                [[layer]]
                kind = "conv"
                out = \(channels)
                kernel = 3
                stride = \(stride)
                padding = 1
                groups = \(channels)
                bias = false
                [[layer]]
                kind = "batchnorm"
                [[layer]]
                kind = "relu6"
                [[layer]]
                kind = "conv"
                out = \(out)
                kernel = 1
                bias = false
                [[layer]]
                kind = "batchnorm"
                [[layer]]
                kind = "relu6"

                """
        }
        return text + """

            [[layer]]
            kind = "gap"
            [[layer]]
            kind = "linear"
            out = 10

            """
    }()

    /// A stem, two Inception modules with a pooling between, global average pooling, a linear layer.
    static let inceptionMini: String = {
        var text = """
            name = "inception-mini"
            input = [1, 28, 28]
            classes = 10

            [[layer]]
            kind = "conv"
            out = 16
            kernel = 3
            padding = 1
            [[layer]]
            kind = "relu"
            [[layer]]
            kind = "maxpool"
            kernel = 2

            """
        text += inceptionModule(ones: 8, threeReduce: 8, threes: 16, fiveReduce: 4, fives: 8, poolProjection: 8)
        text += "\n[[layer]]\nkind = \"maxpool\"\nkernel = 2\n"
        text += inceptionModule(ones: 16, threeReduce: 16, threes: 32, fiveReduce: 8, fives: 16, poolProjection: 16)
        return text + """

            [[layer]]
            kind = "gap"
            [[layer]]
            kind = "linear"
            out = 10

            """
    }()

    /// Four branches on the same input, concatenated: 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max
    /// pooling then 1x1. Each convolution is followed by a ReLU.
    static func inceptionModule(ones: Int, threeReduce: Int, threes: Int, fiveReduce: Int, fives: Int,
                                poolProjection: Int) -> String {
        func conv(_ out: Int, _ kernel: Int) -> String {
            """
            [[layer.branch.body]]
            kind = "conv"
            out = \(out)
            kernel = \(kernel)
            padding = \(kernel / 2)
            [[layer.branch.body]]
            kind = "relu"

            """
        }
        return "\n[[layer]]\nkind = \"branches\"\n"
            + "[[layer.branch]]\n" + conv(ones, 1)
            + "[[layer.branch]]\n" + conv(threeReduce, 1) + conv(threes, 3)
            + "[[layer.branch]]\n" + conv(fiveReduce, 1) + conv(fives, 5)
            + "[[layer.branch]]\n[[layer.branch.body]]\nkind = \"maxpool\"\nkernel = 3\nstride = 1\npadding = 1\n"
            + conv(poolProjection, 1)
    }
}
