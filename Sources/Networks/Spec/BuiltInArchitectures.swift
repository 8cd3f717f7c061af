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

    /// The parsed spec of the built-in called `name` (nil when there is none); the built-ins are
    /// tested to parse.
    public static func spec(named name: String) -> NetworkSpec? {
        guard let architecture = named(name) else { return nil }
        do {
            return try architecture.spec
        } catch {
            preconditionFailure("the built-in \(name) does not parse: \(error)")
        }
    }

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

    // MARK: The specs' text, from small pieces

    /// The spec's first lines: its name, 28x28 digits in, 10 classes out.
    static func header(_ name: String) -> String {
        "name = \"\(name)\"\ninput = [1, 28, 28]\nclasses = 10\n"
    }

    /// A `[[table]]` of `kind` with `keys` (written in order).
    static func layer(_ kind: String, _ keys: KeyValuePairs<String, String> = [:], table: String = "[[layer]]") -> String {
        "\n\(table)\nkind = \"\(kind)\"\n" + keys.map { "\($0.key) = \($0.value)\n" }.joined()
    }

    /// A convolution; `stride`, `padding`, `groups` and `bias` only when not their defaults.
    static func conv(_ out: Int, kernel: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1, bias: Bool = true,
                     table: String = "[[layer]]") -> String {
        var keys: [(String, String)] = [("out", "\(out)"), ("kernel", "\(kernel)")]
        if stride != 1 { keys.append(("stride", "\(stride)")) }
        if padding != 0 { keys.append(("padding", "\(padding)")) }
        if groups != 1 { keys.append(("groups", "\(groups)")) }
        if !bias { keys.append(("bias", "false")) }
        return "\n\(table)\nkind = \"conv\"\n" + keys.map { "\($0.0) = \($0.1)\n" }.joined()
    }

    /// A 3x3 convolution to 16 channels without bias, batch norm, `activation`: the stem of the
    /// batch-normalised architectures.
    static func stem(_ activation: String) -> String {
        conv(16, kernel: 3, padding: 1, bias: false) + layer("batchnorm") + layer(activation)
    }

    /// Global average pooling and a linear layer to the 10 classes.
    static let poolingHead = layer("gap") + layer("linear", ["out": "10"])

    /// LeNet-5's feature extractor: two convolutions, each followed by `activation` and 2x2 `pooling`.
    static func lenetFeatures(activation: String, pooling: String) -> String {
        conv(6, kernel: 5, padding: 2) + layer(activation) + layer(pooling, ["kernel": "2"])
            + conv(16, kernel: 5) + layer(activation) + layer(pooling, ["kernel": "2"])
    }

    static func lenet5(activation: String, pooling: String) -> String {
        header(activation == "relu" ? "lenet5" : "lenet5-classic") + lenetFeatures(activation: activation, pooling: pooling)
            + layer("flatten") + layer("linear", ["out": "120"]) + layer(activation) + layer("linear", ["out": "84"])
            + layer(activation) + layer("linear", ["out": "10"])
    }

    /// One 5x5 map per class after LeNet's features, each averaged to its score: no fully connected layer.
    static let lenet5GAP = header("lenet5-gap") + lenetFeatures(activation: "relu", pooling: "maxpool")
        + conv(10, kernel: 1) + layer("gap") + layer("flatten")

    /// Two 3x3 convolutions per stage, then max pooling; 28 -> 14 -> 7 -> 3.
    static let vggMini = header("vgg-mini") + [16, 32, 64].map { channels in
        conv(channels, kernel: 3, padding: 1) + layer("relu") + conv(channels, kernel: 3, padding: 1) + layer("relu")
            + layer("maxpool", ["kernel": "2"])
    }.joined() + layer("flatten") + layer("linear", ["out": "64"]) + layer("relu") + layer("linear", ["out": "10"])

    /// A stem, then three stages of one basic block each (16, 32, 64 channels; the last two halve
    /// the size), global average pooling and a linear layer. Without skips, each block's body is
    /// written inline.
    static func resNetMini(skips: Bool) -> String {
        header(skips ? "resnet-mini" : "plain-mini") + stem("relu")
            + [(16, 1), (32, 2), (64, 2)].map { basicBlock(channels: $0.0, stride: $0.1, skip: skips) }.joined()
            + poolingHead
    }

    /// conv-bn-relu-conv-bn (+ the input, through a 1x1 convolution and batch norm when the size
    /// changes), then relu.
    static func basicBlock(channels: Int, stride: Int, skip: Bool) -> String {
        let table = skip ? "[[layer.body]]" : "[[layer]]"
        var text = skip ? layer("residual") : ""
        text += conv(channels, kernel: 3, stride: stride, padding: 1, bias: false, table: table) + layer("batchnorm", table: table)
            + layer("relu", table: table)
            + conv(channels, kernel: 3, padding: 1, bias: false, table: table) + layer("batchnorm", table: table)
        if skip && stride != 1 {
            text += conv(channels, kernel: 1, stride: stride, bias: false, table: "[[layer.shortcut]]")
                + layer("batchnorm", table: "[[layer.shortcut]]")
        }
        return text + layer("relu")
    }

    /// A stem, then depthwise-separable blocks: a 3x3 depthwise convolution (groups = channels), a
    /// 1x1 pointwise one, each with batch norm and ReLU6.
    static let mobileNetMini = header("mobilenet-mini") + stem("relu6")
        + [(16, 32, 1), (32, 64, 2), (64, 64, 1), (64, 128, 2)].map { channels, out, stride in
            conv(channels, kernel: 3, stride: stride, padding: 1, groups: channels, bias: false) + layer("batchnorm")
                + layer("relu6") + conv(out, kernel: 1, bias: false) + layer("batchnorm") + layer("relu6")
        }.joined() + poolingHead

    /// A stem, two Inception modules with a pooling between, global average pooling, a linear layer.
    static let inceptionMini = header("inception-mini") + conv(16, kernel: 3, padding: 1) + layer("relu")
        + layer("maxpool", ["kernel": "2"])
        + inceptionModule(ones: 8, threeReduce: 8, threes: 16, fiveReduce: 4, fives: 8, poolProjection: 8)
        + layer("maxpool", ["kernel": "2"])
        + inceptionModule(ones: 16, threeReduce: 16, threes: 32, fiveReduce: 8, fives: 16, poolProjection: 16)
        + poolingHead

    /// Four branches on the same input, concatenated: 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max
    /// pooling then 1x1. Each convolution is followed by a ReLU.
    static func inceptionModule(ones: Int, threeReduce: Int, threes: Int, fiveReduce: Int, fives: Int,
                                poolProjection: Int) -> String {
        let body = "[[layer.branch.body]]"
        func convolution(_ out: Int, _ kernel: Int) -> String {
            conv(out, kernel: kernel, padding: kernel / 2, table: body) + layer("relu", table: body)
        }
        let branch = "\n[[layer.branch]]\n"
        return layer("branches")
            + branch + convolution(ones, 1)
            + branch + convolution(threeReduce, 1) + convolution(threes, 3)
            + branch + convolution(fiveReduce, 1) + convolution(fives, 5)
            + branch + layer("maxpool", ["kernel": "3", "stride": "1", "padding": "1"], table: body) + convolution(poolProjection, 1)
    }
}
