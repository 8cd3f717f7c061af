import Foundation
import Testing
@testable import Networks

@Suite("Network specs: TOML, shapes, parameters and the errors that name the layer")
struct NetworkSpecTests {
    /// The issue's example, as a learner writes it.
    static let tinyResNet = """
        name = "tiny-resnet"
        input = [1, 28, 28]        # channels, height, width
        classes = 10
        [[layer]]
        kind = "conv"              # out, kernel, stride = 1, padding = 0, dilation = 1, groups = 1, bias = true
        out = 8
        kernel = 3
        padding = 1
        [[layer]]
        kind = "relu"
        [[layer]]
        kind = "residual"          # body layers, then add the block's input
        [[layer.body]]
        kind = "conv"
        out = 8
        kernel = 3
        padding = 1
        [[layer.body]]
        kind = "batchnorm"
        [[layer]]
        kind = "gap"
        [[layer]]
        kind = "linear"            # out; the last linear's out must equal classes
        out = 10
        """

    /// `text`'s error, or a failure when it parses and checks.
    static func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            _ = try NetworkSpec.parse(text, file: "net.toml").summary(file: "net.toml")
            Issue.record("accepted", sourceLocation: sourceLocation)
            return ""
        } catch {
            return error.description
        }
    }

    /// A spec's header and then `layers` (TOML tables).
    static func spec(_ layers: String, input: String = "[1, 28, 28]", classes: Int = 10) -> String {
        "input = \(input)\nclasses = \(classes)\n" + layers
    }

    @Test func theIssuesExampleParsesAndItsCountsAreWorkedOutByHand() throws {
        let spec = try NetworkSpec.parse(Self.tinyResNet)
        #expect(spec.name == "tiny-resnet" && spec.input == .maps(channels: 1, height: 28, width: 28) && spec.classes == 10)
        let summary = try spec.summary()
        // conv 1 -> 8, 3x3: 8 x 9 + 8 = 80; the body's conv 8 -> 8: 8 x 72 + 8 = 584; batch norm 2 x 8;
        // linear 8 -> 10: 80 + 10. The body keeps the shape, so the shortcut is the input itself.
        #expect(summary.parameters == 80 + 584 + 16 + 90)
        #expect(summary.multiplyAdds == 28 * 28 * 8 * 9 + 28 * 28 * 8 * 72 + 80)
        #expect(summary.rows.map(\.label) == ["1", "2", "3", "3.1", "3.2", "4", "5.flatten", "5"])
        let block = try #require(summary.rows.first { $0.label == "3" })
        #expect(block.kind == "residual" && block.parameters == 600 && block.outputShape == .maps(channels: 8, height: 28, width: 28))
        #expect(summary.rows.first { $0.label == "4" }?.outputShape == .maps(channels: 8, height: 1, width: 1))
        #expect(summary.output == .flat(10))
    }

    @Test func everyBuiltInParsesChecksAndTrainsOnDigits() throws {
        #expect(BuiltInArchitecture.all.map(\.name) == ["lenet5", "lenet5-classic", "lenet5-gap", "vgg-mini", "resnet-mini",
                                                        "plain-mini", "mobilenet-mini", "inception-mini"])
        for architecture in BuiltInArchitecture.all {
            let spec = try architecture.spec
            #expect(spec.name == architecture.name)
            #expect(spec.input == .maps(channels: 1, height: 28, width: 28) && spec.classes == 10)
            let summary = try spec.summary()
            #expect(summary.output.count == 10, "\(architecture.name)")
            // Small enough to train on a laptop's CPU: under 300,000 parameters.
            #expect(summary.parameters < 300_000, "\(architecture.name): \(summary.parameters)")
        }
    }

    @Test func resnetMiniAndPlainMiniDifferOnlyInTheirSkips() throws {
        let resnet = try #require(BuiltInArchitecture.named("resnet-mini")).spec.summary()
        let plain = try #require(BuiltInArchitecture.named("plain-mini")).spec.summary()
        // The two downsampling shortcuts: a 1x1 convolution without bias and its batch norm each.
        #expect(resnet.parameters - plain.parameters == (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64))
        #expect(resnet.rows.filter { $0.kind == "residual" }.count == 3 && !plain.rows.contains { $0.kind == "residual" })
        #expect(resnet.output == plain.output)
    }

    @Test func inceptionMiniConcatenatesItsBranches() throws {
        let summary = try #require(BuiltInArchitecture.named("inception-mini")).spec.summary()
        let modules = summary.rows.filter { $0.kind == "branches" }
        #expect(modules.map(\.outputShape) == [.maps(channels: 8 + 16 + 8 + 8, height: 14, width: 14),
                                               .maps(channels: 16 + 32 + 16 + 16, height: 7, width: 7)])
        #expect(summary.rows.contains { $0.label == "4.b4.1" && $0.kind == "maxpool" })
    }

    @Test func aResidualBodyThatChangesTheShapeGetsAProjection() throws {
        let text = Self.spec("""
            [[layer]]
            kind = "residual"
            [[layer.body]]
            kind = "conv"
            out = 4
            kernel = 3
            stride = 2
            padding = 1
            [[layer]]
            kind = "linear"
            out = 10
            """)
        let summary = try NetworkSpec.parse(text).summary()
        let projection = try #require(summary.rows.first { $0.label == "1.shortcut.1" })
        // A 1x1 convolution 1 -> 4 with stride 2 and a bias: 28x28 -> 14x14.
        #expect(projection.kind == "conv" && projection.parameters == 4 + 4
            && projection.outputShape == .maps(channels: 4, height: 14, width: 14))
    }

    @Test func errorsNameTheFileTheLayerAndTheRule() {
        // The issue's own example of a shape that does not fit.
        let lenet = BuiltInArchitecture.lenet5(activation: "relu", pooling: "maxpool")
        #expect(Self.failure(lenet.replacingOccurrences(of: "out = 120", with: "out = 120\nin = 400")
            .replacingOccurrences(of: "padding = 2", with: "padding = 0"))
            == "net.toml: layer 8 (linear): expects 400 inputs but layer 7 gives 256")
        #expect(Self.failure(lenet.replacingOccurrences(of: "kind = \"flatten\"", with: "kind = \"relu\"")
            .replacingOccurrences(of: "out = 120", with: "out = 120\nin = 400")
            .replacingOccurrences(of: "padding = 2", with: "padding = 0"))
            == "net.toml: layer 8 (linear): expects 400 inputs but layer 7 gives 16x4x4 = 256")
        let cases: [(String, String)] = [
            (Self.spec("[[layer]]\nkind = \"convv\"\n"),
             "net.toml: layer 1: unknown kind 'convv' (did you mean 'conv'?); kinds: conv, batchnorm, relu, relu6, leaky_relu, sigmoid, tanh, silu, maxpool, avgpool, gap, adaptive_avgpool, flatten, linear, dropout, residual, branches, squeeze_excite"),
            (Self.spec("[[layer]]\nkind = \"conv\"\nout = 8\nkernel = 3\nstrid = 2\n"),
             "net.toml: layer 1 (conv): unknown key 'strid' for a conv layer (did you mean 'stride'?); known keys: kind, out, kernel, stride, padding, dilation, groups, bias"),
            (Self.spec("[[layer]]\nkind = \"conv\"\nkernel = 3\n"),
             "net.toml: layer 1 (conv): missing required key 'out' (a whole number, 1 to 4096)"),
            (Self.spec("[[layer]]\nkind = \"conv\"\nout = 0\nkernel = 3\n"),
             "net.toml: layer 1 (conv): 'out' is 0; it must be 1 to 4096"),
            (Self.spec("[[layer]]\nkind = \"conv\"\nout = 8\nkernel = -3\n"),
             "net.toml: layer 1 (conv): 'kernel' is -3; it must be 1 to 64"),
            (Self.spec("[[layer]]\nkind = \"conv\"\nout = 8\nkernel = \"three\"\n"),
             "net.toml: layer 1 (conv): 'kernel' must be a whole number or [height, width], 1 to 64"),
            (Self.spec("[[layer]]\nkind = \"conv\"\nout = 8\nkernel = 30\n[[layer]]\nkind = \"linear\"\nout = 10\n"),
             "net.toml: layer 1 (conv): cannot take the 28x28 maps the input gives: kernel height 30 is larger than the padded input height 28 (input 28 + 2 x padding 0)"),
            (Self.spec("[[layer]]\nkind = \"linear\"\nout = 12\n"),
             "net.toml: layer 1 (linear): gives 12 outputs (12) but the network has 10 classes: the last layer must give one score per class"),
            (Self.spec("[[layer]]\nkind = \"flatten\"\n[[layer]]\nkind = \"conv\"\nout = 10\nkernel = 1\n"),
             "net.toml: layer 2 (conv): takes maps (channels x height x width) but layer 1 gives a flat vector of 784"),
            (Self.spec("[[layer]]\nkind = \"conv\"\nout = 8\nkernel = 3\ngroups = 3\n"),
             "net.toml: layer 1 (conv): groups = 3 must divide both its 1 input channels (from the input) and its 8 outputs"),
            (Self.spec("[[layer]]\nkind = \"residual\"\n[[layer.body]]\nkind = \"conv\"\nout = 4\nkernel = 3\n"),
             "net.toml: layer 1 (residual): its body takes 28x28 to 26x26, which a 1x1 projection with stride 1 gives as 28x28: give the block a shortcut"),
            (Self.spec("[[layer]]\nkind = \"residual\"\n"),
             "net.toml: layer 1 (residual): missing its body: write the block's layers as [[layer.body]] tables after it"),
            (Self.spec("[[layer]]\nkind = \"branches\"\n[[layer.branch]]\n[[layer.branch]]\n[[layer.branch.body]]\nkind = \"maxpool\"\nkernel = 2\n"),
             "net.toml: layer 1 (branches): branch 2 gives 14x14 maps but branch 1 gives 28x28: concatenated maps must share their size"),
            (Self.spec("[[layer]]\nkind = \"dropout\"\np = 1\n"),
             "net.toml: layer 1 (dropout): 'p' is 1.0; it must be at least 0 and below 1"),
            ("classes = 10\n[[layer]]\nkind = \"relu\"\n",
             "net.toml: missing required key 'input' (the example's [channels, height, width], e.g. [1, 28, 28])"),
            ("input = [1, 28]\nclasses = 10\n", "net.toml: 'input' must be [channels, height, width] as three whole numbers, e.g. [1, 28, 28]"),
            ("input = [1, 28, 28]\nclasses = 10\n", "net.toml: missing the layers: write each as a [[layer]] table with its kind"),
            ("input = [1, 28, 28]\nclasses = 10\nlayers = 3\n",
             "net.toml: unknown key 'layers' for a network spec (did you mean 'layer'?); known keys: name, input, classes, layer"),
            ("input = [1, 28, 28\n", "net.toml: line 2, column 1: expected ',' or ']' after a value in the array, found end of file"),
        ]
        for (text, expected) in cases {
            #expect(Self.failure(text) == expected)
        }
    }

    @Test func blocksNestedTooDeepAreRefused() {
        var text = Self.spec("[[layer]]\nkind = \"residual\"\n")
        var table = "layer"
        for _ in 0..<9 {
            table += ".body"
            text += "[[\(table)]]\nkind = \"residual\"\n"
        }
        #expect(Self.failure(text).contains("blocks are nested more than 8 deep"))
    }

    @Test func filesThatCannotBeSpecs() throws {
        let folder = NSTemporaryDirectory() + "convtutor-spec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: NetworkSpecError.self) { try NetworkSpec.load(contentsOf: folder + "/missing.toml") }
        #expect(throws: NetworkSpecError.self) { try NetworkSpec.load(contentsOf: folder) }
        try Data([0xff, 0xfe, 0x00]).write(to: URL(fileURLWithPath: folder + "/binary.toml"))
        do {
            _ = try NetworkSpec.load(contentsOf: folder + "/binary.toml")
            Issue.record("binary accepted")
        } catch {
            #expect(error.description == folder + "/binary.toml: is not UTF-8 text, so it cannot be a network spec")
        }
        try Self.tinyResNet.write(toFile: folder + "/net.toml", atomically: true, encoding: .utf8)
        #expect(try NetworkSpec.load(contentsOf: folder + "/net.toml").name == "tiny-resnet")
    }
}

@Suite("Network specs written as TOML")
struct NetworkSpecWritingTests {
    @Test func everyBuiltInAndZooSpecReadsBackTheSame() throws {
        var specs = try BuiltInArchitecture.all.map { try $0.spec }
        specs += ModelZoo.names.compactMap { ModelZoo.spec(named: $0) }
        specs.append(try NetworkSpec.parse(NetworkSpecTests.tinyResNet))
        #expect(specs.count == 17)
        for spec in specs {
            let text = spec.toml
            #expect(try NetworkSpec.parse(text) == spec, "\(spec.name):\n\(text)")
        }
    }

    @Test func defaultsAreLeftOutAndNamesQuoted() throws {
        var spec = try NetworkSpec.parse(NetworkSpecTests.tinyResNet)
        spec.name = "a \"quoted\" name\n"
        let text = spec.toml
        #expect(text.hasPrefix("name = \"a \\\"quoted\\\" name\\n\"\ninput = [1, 28, 28]\nclasses = 10\n"))
        #expect(text.contains("[[layer]]\nkind = \"conv\"\nout = 8\nkernel = 3\npadding = 1\n"))
        #expect(text.contains("[[layer.body]]\nkind = \"batchnorm\"\n") && !text.contains("stride"))
        #expect(try NetworkSpec.parse(text).name == spec.name)
    }
}
