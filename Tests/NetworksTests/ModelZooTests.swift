import ConvKernels
import Testing
@testable import Networks

@Suite("The model zoo")
struct ModelZooTests {
    /// torchvision's figures for each architecture at 3x224x224 with 1000 classes: its exact
    /// parameter count (`sum(p.numel() for p in model.parameters())`) and the "GFLOPS" its model
    /// table publishes, which are multiply-adds (of convolutions and linear layers) in billions.
    struct TorchvisionFigures: Sendable, CustomTestStringConvertible {
        let name: String
        let parameters: Int
        let gigaMultiplyAdds: Double

        var testDescription: String { name }
    }

    static let torchvision = [
        TorchvisionFigures(name: "alexnet", parameters: 61_100_840, gigaMultiplyAdds: 0.71),
        TorchvisionFigures(name: "vgg16", parameters: 138_357_544, gigaMultiplyAdds: 15.47),
        TorchvisionFigures(name: "resnet18", parameters: 11_689_512, gigaMultiplyAdds: 1.81),
        TorchvisionFigures(name: "resnet50", parameters: 25_557_032, gigaMultiplyAdds: 4.09),
        TorchvisionFigures(name: "mobilenet_v2", parameters: 3_504_872, gigaMultiplyAdds: 0.30),
        TorchvisionFigures(name: "googlenet", parameters: 6_624_904, gigaMultiplyAdds: 1.50),
        TorchvisionFigures(name: "densenet121", parameters: 7_978_856, gigaMultiplyAdds: 2.83),
        TorchvisionFigures(name: "efficientnet_b0", parameters: 5_288_548, gigaMultiplyAdds: 0.39),
    ]

    @Test("the zoo holds the eight architectures, by torchvision's names")
    func names() {
        #expect(ModelZoo.names == Self.torchvision.map(\.name))
        #expect(ModelZoo.spec(named: "resnet34") == nil)
    }

    @Test("parameters equal torchvision's exactly, multiply-adds its published figure", arguments: torchvision)
    func matchesTorchvision(_ expected: TorchvisionFigures) throws {
        let spec = try #require(ModelZoo.spec(named: expected.name))
        #expect(spec.input == .maps(channels: 3, height: 224, width: 224) && spec.classes == 1000)
        let summary = try spec.summary()
        #expect(summary.parameters == expected.parameters)
        let gigaMultiplyAdds = Double(summary.multiplyAdds) / 1e9
        #expect(abs(gigaMultiplyAdds - expected.gigaMultiplyAdds) <= 0.02, "\(gigaMultiplyAdds) GMACs")
        #expect(summary.output == .flat(1000))
    }

    /// The output shapes of the top-level rows of `kind`, in order.
    func outputs(of name: String, kind: String, input: FeatureShape = ModelZoo.defaultInput) throws -> [String] {
        let summary = try #require(ModelZoo.spec(named: name, input: input)).summary()
        return summary.rows.filter { $0.depth == 0 && $0.kind == kind }.map(\.outputShape.description)
    }

    @Test("ResNet-18's stages give 64x56x56, 128x28x28, 256x14x14 and 512x7x7, two blocks each")
    func resNet18Stages() throws {
        #expect(try outputs(of: "resnet18", kind: "residual") == [
            "64x56x56", "64x56x56", "128x28x28", "128x28x28", "256x14x14", "256x14x14", "512x7x7", "512x7x7",
        ])
        #expect(try outputs(of: "resnet18", kind: "maxpool") == ["64x56x56"])
    }

    @Test("ResNet-50's first block projects its shortcut with a 1x1 convolution without a bias and a batch norm")
    func resNet50Shortcut() throws {
        let summary = try #require(ModelZoo.spec(named: "resnet50")).summary()
        let shortcut = summary.rows.filter { $0.label.hasPrefix("5.shortcut.") }
        #expect(shortcut.map(\.kind) == ["conv", "batchnorm"])
        // 64 -> 256 channels: 64 x 256 weights; the batch norm's scale and shift for 256 channels.
        #expect(shortcut.map(\.parameters) == [16_384, 512])
        #expect(shortcut.first?.multiplyAdds == 16_384 * 56 * 56)
    }

    @Test("GoogLeNet's Inception modules stack their four branches: 256, 480, then 512 to 832, then 1024 channels")
    func googLeNetInceptions() throws {
        #expect(try outputs(of: "googlenet", kind: "branches") == [
            "256x28x28", "480x28x28", "512x14x14", "512x14x14", "512x14x14", "528x14x14", "832x14x14",
            "832x7x7", "1024x7x7",
        ])
        // Rounding up: 112x112 pools to 56x56, 28x28 to 14x14 and 14x14 to 7x7, as torchvision's ceil_mode does.
        #expect(try outputs(of: "googlenet", kind: "maxpool") == ["64x56x56", "192x28x28", "480x14x14", "832x7x7"])
    }

    @Test("DenseNet-121's transitions halve the channels: 256 -> 128, 512 -> 256, 1024 -> 512")
    func denseNetTransitions() throws {
        #expect(try outputs(of: "densenet121", kind: "avgpool") == ["128x28x28", "256x14x14", "512x7x7"])
        let dense = try outputs(of: "densenet121", kind: "branches")
        #expect(dense.count == 6 + 12 + 24 + 16)
        #expect(dense.first == "96x56x56" && dense.last == "1024x7x7")
    }

    @Test("EfficientNet-B0's first squeeze-excite squeezes 32 channels to 8, and its blocks add only when the shape holds")
    func efficientNetSqueezeExcite() throws {
        let summary = try #require(ModelZoo.spec(named: "efficientnet_b0")).summary()
        let squeeze = try #require(summary.rows.first { $0.kind == "squeeze_excite" })
        // 32 -> 8 -> 32 with biases: 2 x 32 x 8 weights, 8 + 32 biases.
        #expect(squeeze.parameters == 552 && squeeze.outputShape.description == "32x112x112")
        // 16 blocks; 7 stages each start with a block that changes the shape, the other 9 add their input.
        #expect(summary.rows.filter { $0.depth == 0 && $0.kind == "residual" }.count == 9)
        #expect(try outputs(of: "mobilenet_v2", kind: "residual").count == 10)
    }

    @Test("a smaller input: ResNet-18 takes 3x64x64, with the same parameters and its last stage at 2x2")
    func smallerInput() throws {
        let input = FeatureShape.maps(channels: 3, height: 64, width: 64)
        let summary = try #require(ModelZoo.spec(named: "resnet18", input: input)).summary()
        #expect(summary.parameters == 11_689_512)
        #expect(try outputs(of: "resnet18", kind: "residual", input: input).last == "512x2x2")
    }

    @Test("AlexNet cannot take 3x32x32: its last max pool gets 1x1 maps, and the error names it")
    func tooSmallInput() throws {
        let spec = try #require(ModelZoo.spec(named: "alexnet", input: .maps(channels: 3, height: 32, width: 32)))
        let error = #expect(throws: NetworkSpecError.self) { try spec.summary() }
        #expect(error?.layer == "layer 13 (maxpool)")
        #expect(error?.description.contains("1x1") == true, "\(String(describing: error))")
    }
}
