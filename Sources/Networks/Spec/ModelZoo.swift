import ConvKernels

/// Well-known ImageNet classifiers as specs, at full size and without weights, laid out layer for
/// layer as torchvision builds them, so their tables (`summary()`) give torchvision's parameter
/// counts exactly. They are for reading, not for training here: a 224x224 ResNet-50 is far beyond
/// what the trainer is for.
public enum ModelZoo {
    /// The zoo's architectures, by torchvision's function names.
    public static let names = architectures.map(\.name)

    /// What torchvision's ImageNet models take: three colour channels of 224x224.
    public static let defaultInput = FeatureShape.maps(channels: 3, height: 224, width: 224)

    /// ImageNet's classes.
    public static let classes = 1000

    /// The architecture called `name` (one of `names`) taking `input`, or nil for a name the zoo
    /// does not have. The spec is not checked here: `summary()` says whether `input` fits it.
    public static func spec(named name: String, input: FeatureShape = defaultInput) -> NetworkSpec? {
        guard let architecture = architectures.first(where: { $0.name == name }) else { return nil }
        return NetworkSpec(name: name, input: input, classes: classes, layers: architecture.layers(classes))
    }

    /// Each architecture's name and the function that lays out its layers for a number of classes.
    private static let architectures: [(name: String, layers: @Sendable (Int) -> [LayerSpec])] = [
        ("alexnet", { alexNet(classes: $0) }),
        ("vgg16", { vgg(stages: [2, 2, 3, 3, 3], classes: $0) }),
        ("resnet18", { resNet(block: .basic, depths: [2, 2, 2, 2], classes: $0) }),
        ("resnet50", { resNet(block: .bottleneck, depths: [3, 4, 6, 3], classes: $0) }),
        ("mobilenet_v2", { mobileNetV2(classes: $0) }),
        ("googlenet", { googLeNet(classes: $0) }),
        ("densenet121", { denseNet(growth: 32, depths: [6, 12, 24, 16], initialChannels: 64, classes: $0) }),
        ("efficientnet_b0", { efficientNetB0(classes: $0) }),
    ]
}

// MARK: - Building blocks

extension ModelZoo {
    /// A convolution as PyTorch's `nn.Conv2d` makes it (with a bias unless told otherwise).
    static func conv(_ out: Int, kernel: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1,
                     bias: Bool = true) -> LayerSpec {
        .conv(LayerSpec.Convolution(out: out, kernel: Pair(kernel), stride: Pair(stride), padding: Pair(padding),
                                    groups: groups, bias: bias))
    }

    /// A convolution without a bias (the batch norm after it has its own shift), its batch norm and
    /// an activation when given: torchvision's `Conv2dNormActivation`, and GoogLeNet's `BasicConv2d`.
    /// The padding keeps the size at stride 1, as `Conv2dNormActivation`'s default does.
    static func convNorm(_ out: Int, kernel: Int, stride: Int = 1, padding: Int? = nil, groups: Int = 1,
                         epsilon: Float = 1e-5, activation: LayerSpec?) -> [LayerSpec] {
        [conv(out, kernel: kernel, stride: stride, padding: padding ?? (kernel - 1) / 2, groups: groups, bias: false),
         .batchNorm(LayerSpec.BatchNorm(epsilon: epsilon))] + (activation.map { [$0] } ?? [])
    }

    static func maxPool(_ kernel: Int, stride: Int, padding: Int = 0, ceilMode: Bool = false) -> LayerSpec {
        .maxPool(LayerSpec.Pooling(kernel: Pair(kernel), stride: Pair(stride), padding: Pair(padding), ceilMode: ceilMode))
    }

    static func linear(_ out: Int) -> LayerSpec { .linear(LayerSpec.FullyConnected(out: out)) }

    /// Every map averaged to one value, then the values in a row: the end of every zoo network but
    /// AlexNet's and VGG's, before its classifier.
    static let poolAndFlatten: [LayerSpec] = [.adaptiveAvgPool(height: 1, width: 1), .flatten]

    /// MobileNetV2's and EfficientNet's block: a 1x1 convolution widens the channels `expansion`
    /// times (skipped when that is 1), a depthwise convolution filters each channel on its own
    /// (and strides), an optional squeeze-excite reweights the channels, and a 1x1 convolution
    /// without an activation narrows them again. The input is added back only when the block keeps
    /// the shape (stride 1, as many channels out as in).
    static func invertedResidual(from input: Int, to output: Int, stride: Int, expansion: Int, kernel: Int,
                                 activation: LayerSpec, squeezed: Int? = nil) -> [LayerSpec] {
        let expanded = input * expansion
        var body: [LayerSpec] = []
        if expanded != input { body += convNorm(expanded, kernel: 1, activation: activation) }
        body += convNorm(expanded, kernel: kernel, stride: stride, groups: expanded, activation: activation)
        if let squeezed { body.append(.squeezeExcite(LayerSpec.SqueezeExcite(squeezed: squeezed, activation: activation))) }
        body += convNorm(output, kernel: 1, activation: nil)
        return stride == 1 && input == output ? [.residual(LayerSpec.Residual(body: body))] : body
    }
}

// MARK: - AlexNet and VGG

extension ModelZoo {
    /// torchvision's AlexNet (the one-GPU variant of Krizhevsky et al. 2012, as in Krizhevsky 2014).
    static func alexNet(classes: Int) -> [LayerSpec] {
        [conv(64, kernel: 11, stride: 4, padding: 2), .relu, maxPool(3, stride: 2),
         conv(192, kernel: 5, padding: 2), .relu, maxPool(3, stride: 2),
         conv(384, kernel: 3, padding: 1), .relu,
         conv(256, kernel: 3, padding: 1), .relu,
         conv(256, kernel: 3, padding: 1), .relu, maxPool(3, stride: 2),
         .adaptiveAvgPool(height: 6, width: 6), .flatten,
         .dropout(probability: 0.5), linear(4096), .relu,
         .dropout(probability: 0.5), linear(4096), .relu,
         linear(classes)]
    }

    /// VGG without batch norm: stages of 3x3 convolutions (64, 128, 256, 512, 512 channels), each
    /// stage ending in a 2x2 max pool; `stages` says how many convolutions each has ([2, 2, 3, 3, 3] is VGG-16).
    static func vgg(stages: [Int], classes: Int) -> [LayerSpec] {
        var layers: [LayerSpec] = []
        for (stage, convolutions) in stages.enumerated() {
            let channels = min(64 << stage, 512)
            for _ in 0..<convolutions { layers += [conv(channels, kernel: 3, padding: 1), .relu] }
            layers.append(maxPool(2, stride: 2))
        }
        return layers + [.adaptiveAvgPool(height: 7, width: 7), .flatten,
                         linear(4096), .relu, .dropout(probability: 0.5),
                         linear(4096), .relu, .dropout(probability: 0.5),
                         linear(classes)]
    }
}

// MARK: - ResNet

extension ModelZoo {
    enum ResNetBlock {
        /// Two 3x3 convolutions (ResNet-18 and -34).
        case basic
        /// 1x1 down to the stage's width, 3x3, 1x1 up to four times it (ResNet-50 and deeper).
        case bottleneck

        var expansion: Int { self == .basic ? 1 : 4 }
    }

    /// torchvision's ResNet (v1.5: a bottleneck strides in its 3x3 convolution): a 7x7 stem, four
    /// stages of 64, 128, 256 and 512 channels (times the block's expansion), each stage after the
    /// first halving the size in its first block.
    static func resNet(block: ResNetBlock, depths: [Int], classes: Int) -> [LayerSpec] {
        var layers = convNorm(64, kernel: 7, stride: 2, padding: 3, activation: .relu) + [maxPool(3, stride: 2, padding: 1)]
        var channels = 64
        for (stage, depth) in depths.enumerated() {
            let width = 64 << stage
            for index in 0..<depth {
                let stride = stage > 0 && index == 0 ? 2 : 1
                layers += [resNetBlock(block, from: channels, width: width, stride: stride), .relu]
                channels = width * block.expansion
            }
        }
        return layers + poolAndFlatten + [linear(classes)]
    }

    /// One block, without the ReLU after the sum. When the block changes the shape, its shortcut is
    /// a strided 1x1 convolution without a bias and a batch norm (torchvision's `downsample`).
    static func resNetBlock(_ block: ResNetBlock, from input: Int, width: Int, stride: Int) -> LayerSpec {
        let output = width * block.expansion
        let body: [LayerSpec] = switch block {
        case .basic:
            convNorm(width, kernel: 3, stride: stride, activation: .relu) + convNorm(width, kernel: 3, activation: nil)
        case .bottleneck:
            convNorm(width, kernel: 1, activation: .relu) + convNorm(width, kernel: 3, stride: stride, activation: .relu)
                + convNorm(output, kernel: 1, activation: nil)
        }
        let downsample = stride != 1 || input != output
        return .residual(LayerSpec.Residual(body: body,
                                            shortcut: downsample ? convNorm(output, kernel: 1, stride: stride, activation: nil) : nil))
    }
}

// MARK: - MobileNetV2 and EfficientNet-B0

extension ModelZoo {
    /// torchvision's MobileNetV2 at width 1.0: inverted residuals with ReLU6.
    static func mobileNetV2(classes: Int) -> [LayerSpec] {
        // (expansion t, output channels c, blocks n, first block's stride s), as in the paper's table 2.
        let stages = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        var layers = convNorm(32, kernel: 3, stride: 2, activation: .relu6)
        var channels = 32
        for (expansion, output, blocks, stride) in stages {
            for index in 0..<blocks {
                layers += invertedResidual(from: channels, to: output, stride: index == 0 ? stride : 1,
                                           expansion: expansion, kernel: 3, activation: .relu6)
                channels = output
            }
        }
        return layers + convNorm(1280, kernel: 1, activation: .relu6) + poolAndFlatten
            + [.dropout(probability: 0.2), linear(classes)]
    }

    /// torchvision's EfficientNet-B0: inverted residuals with SiLU and squeeze-excite, the squeezed
    /// vector a quarter of the block's input channels. (Its stochastic depth drops whole blocks
    /// while training and has no parameters, so the table leaves it out.)
    static func efficientNetB0(classes: Int) -> [LayerSpec] {
        // (expansion, kernel, first block's stride, output channels, blocks), as torchvision's `_efficientnet_conf`.
        let stages = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3), (6, 5, 1, 112, 3),
                      (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
        var layers = convNorm(32, kernel: 3, stride: 2, activation: .silu)
        var channels = 32
        for (expansion, kernel, stride, output, blocks) in stages {
            for index in 0..<blocks {
                layers += invertedResidual(from: channels, to: output, stride: index == 0 ? stride : 1,
                                           expansion: expansion, kernel: kernel, activation: .silu,
                                           squeezed: max(1, channels / 4))
                channels = output
            }
        }
        return layers + convNorm(4 * channels, kernel: 1, activation: .silu) + poolAndFlatten
            + [.dropout(probability: 0.2), linear(classes)]
    }
}

// MARK: - GoogLeNet

extension ModelZoo {
    /// torchvision's GoogLeNet without its auxiliary classifiers: every convolution is a
    /// `BasicConv2d` (batch norm with epsilon 1e-3), and the max pools round up (`ceil_mode`).
    static func googLeNet(classes: Int) -> [LayerSpec] {
        func pool(_ kernel: Int) -> LayerSpec { maxPool(kernel, stride: 2, ceilMode: true) }
        return basicConv(64, kernel: 7, stride: 2) + [pool(3)]
            + basicConv(64, kernel: 1) + basicConv(192, kernel: 3) + [pool(3),
            inception(64, 96, 128, 16, 32, 32), inception(128, 128, 192, 32, 96, 64), pool(3),
            inception(192, 96, 208, 16, 48, 64), inception(160, 112, 224, 24, 64, 64),
            inception(128, 128, 256, 24, 64, 64), inception(112, 144, 288, 32, 64, 64),
            inception(256, 160, 320, 32, 128, 128), pool(2),
            inception(256, 160, 320, 32, 128, 128), inception(384, 192, 384, 48, 128, 128)]
            + poolAndFlatten + [.dropout(probability: 0.2), linear(classes)]
    }

    static func basicConv(_ out: Int, kernel: Int, stride: Int = 1) -> [LayerSpec] {
        convNorm(out, kernel: kernel, stride: stride, epsilon: 1e-3, activation: .relu)
    }

    /// Four branches concatenated: a 1x1; a 1x1 reduction then a 3x3; another reduction then a
    /// second 3x3 (the paper's 5x5, which torchvision builds as 3x3); a 3x3 max pool then a 1x1.
    static func inception(_ oneByOne: Int, _ reduceForThree: Int, _ three: Int, _ reduceForFive: Int, _ five: Int,
                          _ poolProjection: Int) -> LayerSpec {
        .branches([
            LayerSpec.Branch(body: basicConv(oneByOne, kernel: 1)),
            LayerSpec.Branch(body: basicConv(reduceForThree, kernel: 1) + basicConv(three, kernel: 3)),
            LayerSpec.Branch(body: basicConv(reduceForFive, kernel: 1) + basicConv(five, kernel: 3)),
            LayerSpec.Branch(body: [maxPool(3, stride: 1, padding: 1, ceilMode: true)] + basicConv(poolProjection, kernel: 1)),
        ])
    }
}

// MARK: - DenseNet

extension ModelZoo {
    /// torchvision's DenseNet-BC: dense blocks whose every layer adds `growth` channels to all
    /// those before it, and between blocks a transition that halves the channels and the size.
    static func denseNet(growth: Int, depths: [Int], initialChannels: Int, classes: Int) -> [LayerSpec] {
        var layers = convNorm(initialChannels, kernel: 7, stride: 2, padding: 3, activation: .relu)
            + [maxPool(3, stride: 2, padding: 1)]
        var channels = initialChannels
        for (block, depth) in depths.enumerated() {
            layers += Array(repeating: denseLayer(growth: growth), count: depth)
            channels += depth * growth
            if block < depths.count - 1 {
                channels /= 2
                layers += [.batchNorm(LayerSpec.BatchNorm()), .relu, conv(channels, kernel: 1, bias: false),
                           .avgPool(LayerSpec.Pooling(kernel: 2, stride: 2))]
            }
        }
        return layers + [.batchNorm(LayerSpec.BatchNorm()), .relu] + poolAndFlatten + [linear(classes)]
    }

    /// The layer's input passed on beside what it makes of it: batch norm, ReLU, a 1x1 bottleneck
    /// to four times `growth`, batch norm, ReLU, and a 3x3 convolution giving `growth` new channels.
    static func denseLayer(growth: Int) -> LayerSpec {
        let body: [LayerSpec] = [.batchNorm(LayerSpec.BatchNorm()), .relu, conv(4 * growth, kernel: 1, bias: false),
                                 .batchNorm(LayerSpec.BatchNorm()), .relu, conv(growth, kernel: 3, padding: 1, bias: false)]
        return .branches([LayerSpec.Branch(body: []), LayerSpec.Branch(body: body)])
    }
}
