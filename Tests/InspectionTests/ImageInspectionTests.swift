import ConvKernels
import Foundation
import Imaging
import Testing
import Networks
@testable import Inspection
import Datasets

/// The inspection's model of an image: every layer of a real forward pass, receptive fields that
/// match what the network actually reads, the plain and JSON renderings, and kernels on colour images.
@Suite("Image inspection")
struct ImageInspectionTests {
    /// Digit `digit` drawn dark on light at `size` px, as a decoded 8-bit grey file would hold it.
    static func digitImage(_ digit: Int, size: Int = 64, seed: UInt64 = 1) -> PixelImage {
        var random = SeededRandom(seed: seed)
        let ink = SyntheticDigits.render(digit: digit, style: DigitStyle(), size: size, random: &random)
        return PixelImage(width: size, height: size, channels: 1, maxValue: 255,
                          samples: ink.map { 255 - UInt16($0) }, format: .pgm, detail: "PGM, 8-bit grey")
    }

    static let pretrained: InspectedModel? = try? InspectedModel.load(path: nil)

    /// A built-in architecture's spec.
    static func spec(_ name: String) throws -> NetworkSpec {
        try #require(BuiltInArchitecture.named(name)).spec
    }

    /// A model of `spec` built from `seed`, with MNIST's normalisation.
    static func model(_ spec: NetworkSpec, seed: UInt64 = 1, name: String = "built") throws -> InspectedModel {
        InspectedModel(network: try Network(spec: spec, seed: seed), name: name, mean: 0.1307, standardDeviation: 0.3081)
    }

    @Test("the pretrained model reads drawn digits right and every layer has LeNet-5's shape")
    func layersAndPrediction() throws {
        let model = try #require(Self.pretrained)
        #expect(model.name == "pretrained LeNet-5 (modern, 99.16% on MNIST test)")
        for digit in [0, 3, 7] {
            let inspection = try ImageInspection.inspect(Self.digitImage(digit), name: "digit-\(digit).pgm", model: model)
            #expect(inspection.prediction == digit)
            #expect(abs(inspection.probabilities.reduce(0, +) - 1) < 1e-4)
            // LeNet-5's twelve layers: each ReLU shown with the layer before it, the flatten left out.
            #expect(inspection.layers.map(\.name) == ["input", "1 conv", "3 maxpool", "4 conv", "6 maxpool", "8 linear",
                                                     "10 linear", "12 linear"])
            #expect(inspection.layers.map(\.values.shape) == [[1, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10],
                                                             [16, 5, 5], [1, 1, 120], [1, 1, 84], [1, 1, 10]])
            #expect(inspection.layers.map(\.isMap) == [true, true, true, true, true, false, false, false])
            #expect(inspection.layers.map(\.isOutput) == [false, false, false, false, false, false, false, true])
            #expect(inspection.layers.map(\.layersApplied) == [0, 2, 3, 5, 6, 9, 11, 12])
            #expect(inspection.layers[1].title == "1 conv 6@5x5 + 2 relu: 6 maps of 28x28")
            #expect(inspection.layers[1].stages.map(\.label) == ["1", "2"] && inspection.layers[1].stages.map(\.kind) == ["conv", "relu"])
            #expect(inspection.layers[4].title == "6 maxpool 2x2: 16 maps of 5x5")
            #expect(inspection.layers[5].title == "8 linear 120 + 9 relu: 120 values")
            #expect(inspection.layers[7].title == "12 linear 10 (logits): 10 values")
            // ReLU maps are never negative; the input is the normalised preprocessed image.
            #expect(inspection.layers[1].values.data.allSatisfy { $0 >= 0 })
            let expectedInput = inspection.preprocessing.input(mean: model.mean, standardDeviation: model.standardDeviation)
            #expect(inspection.layers[0].values.data == expectedInput.data)
            #expect(inspection.input == inspection.preprocessing.centred)
            // The softmax of the output layer is the probabilities.
            let logits = inspection.layers[7].values.data
            let top = logits.indices.max { logits[$0] < logits[$1] }
            #expect(top == digit)
        }
    }

    @Test("resnet-mini: the stem, each residual block (with its ReLU), global pooling as a vector, the logits")
    func resNetMini() throws {
        let model = try Self.model(try Self.spec("resnet-mini"))
        let inspection = try ImageInspection.inspect(Self.digitImage(3), name: "three.pgm", model: model)
        #expect(inspection.layers.map(\.name) == ["input", "1 conv", "4 residual", "6 residual", "8 residual", "10 gap",
                                                 "11 linear"])
        #expect(inspection.layers.map(\.values.shape) == [[1, 28, 28], [16, 28, 28], [16, 28, 28], [32, 14, 14],
                                                         [64, 7, 7], [1, 1, 64], [1, 1, 10]])
        #expect(inspection.layers.map(\.isMap) == [true, true, true, true, true, false, false])
        #expect(inspection.layers[1].title == "1 conv 16@3x3 + 2 batchnorm + 3 relu: 16 maps of 28x28")
        #expect(inspection.layers[3].title == "6 residual + 7 relu: 32 maps of 14x14")
        #expect(inspection.layers[5].title == "10 gap: 64 values (64 maps of 1x1)")
        #expect(inspection.layers[6].title == "11 linear 10 (logits): 10 values" && inspection.layers[6].isOutput)
        // The stages are the network's own: the output's values are its logits.
        let stages = try model.network.stages(inspection.layers[0].values.reshaped([1, 1, 28, 28]), threads: 1)
        #expect(inspection.layers[6].values.data == stages[10].output.data)
        #expect(inspection.layers[3].values.data == stages[6].output.data)
        #expect(abs(inspection.probabilities.reduce(0, +) - 1) < 1e-4)
        #expect(inspection.lenet5Variant == nil)
        // Receptive fields: 3x3 convolutions grow the field by 2 a layer; after pooling, the whole input.
        let stem = inspection.receptiveField(layer: 1, row: 10, column: 10)
        #expect(stem.rows == 9...11 && stem.columns == 9...11)
        // Block 4: the stem's 3x3, then its body's two 3x3 (the identity shortcut is inside): 7x7.
        let first = inspection.receptiveField(layer: 2, row: 10, column: 10)
        #expect(first.rows == 7...13 && first.columns == 7...13)
        // Block 6 halves: cell 5 of 14; its body's second 3x3 reads 4...6 of the first's output,
        // the first (stride 2, padding 1) reads 7...13 of the 28x28 maps (the 1x1 stride-2
        // projection only 10, inside); block 4 adds 2 each side (5...15), the stem 1 (4...16).
        let second = inspection.receptiveField(layer: 3, row: 5, column: 5)
        #expect(second.rows == 4...16 && second.columns == 4...16)
        let pooled = inspection.receptiveField(layer: 5, row: 0, column: 3)
        #expect(pooled.rows == 0...27 && pooled.columns == 0...27)
    }

    @Test("every built-in architecture opens, its layers' titles naming the spec's layers, plain text and JSON alike",
          arguments: BuiltInArchitecture.all.map(\.name))
    func everyArchitecture(name: String) throws {
        let spec = try Self.spec(name)
        let inspection = try ImageInspection.inspect(Self.digitImage(5), name: "five.pgm", model: try Self.model(spec))
        #expect(inspection.layers.first?.name == "input" && inspection.layers.last?.isOutput == true)
        #expect(inspection.layers.last?.values.count == 10)
        // The layers' stages are the spec's layers, in order.
        let labels = inspection.layers.dropFirst().flatMap { $0.stages.map(\.label) }
        #expect(labels == labels.sorted { Int($0)! < Int($1)! })
        for (index, layer) in inspection.layers.enumerated().dropFirst() {
            let first = try #require(layer.stages.first)
            #expect(layer.title.hasPrefix("\(first.label) \(spec.layers[Int(first.label)! - 1].kind)"), "\(layer.title)")
            for cell in [(0, 0), (layer.height - 1, layer.width - 1)] where layer.isMap {
                let field = inspection.receptiveField(layer: index, row: cell.0, column: cell.1)
                #expect(field.rows.lowerBound >= 0 && field.rows.upperBound < 28 && field.columns.upperBound < 28)
            }
        }
        let text = InspectionPlainText().render(inspection)
        for layer in inspection.layers { #expect(text.contains(layer.title), "\(name): no \(layer.title)") }
        let json = InspectionJSON.render(inspection)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["architecture"] as? String == name)
        #expect((object["layers"] as? [[String: Any]])?.count == inspection.layers.count)
    }

    @Test("receptive fields follow each layer's kernel, stride and padding, clipped to the input", arguments: [
        (0, 5, 7, 5...5, 7...7),
        (1, 0, 0, 0...2, 0...2),
        (1, 10, 20, 8...12, 18...22),
        (2, 3, 4, 4...9, 6...11),
        (3, 0, 0, 0...11, 0...11),
        (3, 5, 9, 8...21, 16...27),
        (4, 0, 0, 0...13, 0...13),
        (4, 4, 4, 14...27, 14...27),
        (5, 0, 0, 0...27, 0...27),
        (7, 0, 9, 0...27, 0...27),
    ])
    func receptiveFields(layer: Int, row: Int, column: Int, rows: ClosedRange<Int>, columns: ClosedRange<Int>) throws {
        // LeNet-5's known fields (the layers as the inspection lists them: input, conv1, pool1,
        // conv2, pool2, fc1, fc2, output), from its spec.
        let inspection = try ImageInspection.inspect(Self.digitImage(3), name: "three.pgm",
                                                     model: try #require(Self.pretrained))
        let field = inspection.receptiveField(layer: layer, row: row, column: column)
        #expect(field.rows == rows && field.columns == columns)
    }

    /// Input 1x16x16: a 3x3 convolution with stride 2 and padding 1 (16 -> 8), then a 3x3 one with
    /// dilation 2 and no padding (8 -> 4). Worked by hand: cell o of the second reads cells o, o+2,
    /// o+4 of the first, so o...o+4; cell i of the first reads input 2i-1...2i+1; together
    /// 2o-1...2o+9, clipped to 0...15.
    static let stridedDilated = NetworkSpec(name: "strided-dilated", input: .maps(channels: 1, height: 16, width: 16),
                                            classes: 16, layers: [
        .conv(LayerSpec.Convolution(out: 2, kernel: 3, stride: 2, padding: 1)), .tanh,
        .conv(LayerSpec.Convolution(out: 1, kernel: 3, dilation: 2)), .tanh, .flatten,
    ])

    @Test("a stride-2 layer then a dilated one: the fields worked by hand", arguments: [
        (2, 0, 0, 0...1, 0...1), (2, 3, 7, 5...7, 13...15),
        (4, 0, 0, 0...9, 0...9), (4, 2, 1, 3...13, 1...11), (4, 3, 3, 5...15, 5...15),
    ])
    func stridedAndDilated(layers: Int, row: Int, column: Int, rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
        let field = ReceptiveField.of(Self.stridedDilated, layers: layers, row: row, column: column)
        #expect(field.rows == rows && field.columns == columns)
    }

    @Test("blocks: a residual block or branches reads the union of its paths; an adaptive pooling its span")
    func blocks() {
        func spec(_ layers: [LayerSpec], size: Int = 16) -> NetworkSpec {
            NetworkSpec(name: "blocks", input: .maps(channels: 1, height: size, width: size), classes: 1,
                        layers: layers + [.globalAvgPool, .flatten, .linear(LayerSpec.FullyConnected(out: 1))])
        }
        func field(_ spec: NetworkSpec, _ layers: Int, _ row: Int, _ column: Int) -> [ClosedRange<Int>] {
            let field = ReceptiveField.of(spec, layers: layers, row: row, column: column)
            return [field.rows, field.columns]
        }
        let conv3 = LayerSpec.conv(LayerSpec.Convolution(out: 1, kernel: 3, padding: 1))
        // Body 3x3 then 3x3 (5x5), the identity shortcut inside it.
        let residual = spec([.residual(LayerSpec.Residual(body: [conv3, .relu, conv3]))])
        #expect(field(residual, 1, 6, 6) == [4...8, 4...8])
        // A shortcut wider than the body: the union is the shortcut's 7x7.
        let wide = spec([.residual(LayerSpec.Residual(body: [conv3], shortcut: [
            .conv(LayerSpec.Convolution(out: 1, kernel: 7, padding: 3)),
        ]))])
        #expect(field(wide, 1, 6, 6) == [3...9, 3...9])
        // Branches: 1x1, 3x3, 5x5 (padding keeping the size): the largest, 5x5.
        let branches = spec([.branches([
            LayerSpec.Branch(body: [.conv(LayerSpec.Convolution(out: 1, kernel: 1))]),
            LayerSpec.Branch(body: [conv3]),
            LayerSpec.Branch(body: [.conv(LayerSpec.Convolution(out: 1, kernel: 5, padding: 2))]),
        ])])
        #expect(field(branches, 1, 6, 6) == [4...8, 4...8])
        // Adaptive average pooling of 16 to 3: cell 1 averages rows floor(16/3) = 5 to ceil(32/3) - 1 = 10.
        let adaptive = spec([.adaptiveAvgPool(height: 3, width: 3)])
        #expect(field(adaptive, 1, 1, 2) == [5...10, 10...15])
        // Global pooling and what follows it: the whole input.
        #expect(field(residual, 2, 0, 0) == [0...15, 0...15])
        #expect(field(residual, 4, 0, 0) == [0...15, 0...15])
    }

    /// Changing an input pixel outside a cell's receptive field never changes the cell; changing
    /// one at each corner inside it does: classic LeNet-5 (tanh and average pooling, so every input
    /// in the window counts), and a network of blocks, strides and dilation with tanh throughout.
    @Test("the receptive field is exactly what the network reads", arguments: ["lenet5-classic", "blocks"])
    func receptiveFieldIsExact(name: String) throws {
        func conv(_ out: Int, _ kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) -> LayerSpec {
            .conv(LayerSpec.Convolution(out: out, kernel: Pair(kernel), stride: Pair(stride), padding: Pair(padding),
                                        dilation: Pair(dilation)))
        }
        let blocks = NetworkSpec(name: "blocks", input: .maps(channels: 1, height: 28, width: 28), classes: 10, layers: [
            conv(2, 3, stride: 2, padding: 1), .tanh,
            .residual(LayerSpec.Residual(body: [conv(3, 3, padding: 2, dilation: 2), .tanh, conv(3, 3, padding: 1)])), .tanh,
            .avgPool(LayerSpec.Pooling(kernel: 2)),
            .branches([LayerSpec.Branch(body: [conv(1, 1)]), LayerSpec.Branch(body: [conv(2, 3, padding: 1), .tanh])]),
            .flatten, .linear(LayerSpec.FullyConnected(out: 10)),
        ])
        let spec = name == "blocks" ? blocks : try Self.spec(name)
        let network = try Network(spec: spec, seed: 11)
        var random = SeededRandom(seed: 5)
        let base = Tensor(shape: [1, 1, 28, 28], data: (0..<784).map { _ in random.nextFloat(in: -1..<1) })
        let before = try network.stages(base, threads: 1)
        // (layers applied, channel, row, column)
        let cases: [(Int, Int, Int, Int)] = name == "blocks"
            ? [(1, 1, 5, 9), (3, 2, 6, 6), (3, 0, 0, 13), (5, 1, 3, 4), (6, 2, 6, 0)]
            : [(2, 2, 10, 20), (3, 1, 3, 4), (5, 5, 5, 9), (6, 7, 2, 3), (6, 0, 4, 4)]
        for (layers, channel, row, column) in cases {
            let field = ReceptiveField.of(spec, layers: layers, row: row, column: column)
            let original = before[layers - 1].output[0, channel, row, column]
            for inputRow in 0..<28 {
                for inputColumn in 0..<28 {
                    let inside = field.rows.contains(inputRow) && field.columns.contains(inputColumn)
                    let corner = (inputRow == field.rows.lowerBound || inputRow == field.rows.upperBound)
                        && (inputColumn == field.columns.lowerBound || inputColumn == field.columns.upperBound)
                    guard !inside || corner else { continue }
                    var changed = base
                    changed[0, 0, inputRow, inputColumn] += 0.5
                    let after = try network.stages(changed, threads: 1)[layers - 1].output[0, channel, row, column]
                    if inside {
                        #expect(after != original, "\(name) after \(layers) layers (\(row), \(column)): its corner (\(inputRow), \(inputColumn)) made no difference")
                    } else {
                        #expect(after == original, "\(name) after \(layers) layers (\(row), \(column)) changed with input (\(inputRow), \(inputColumn)) outside \(field)")
                    }
                }
            }
        }
    }

    @Test("an image with no digit (a kernel test pattern) still opens: the network reads the whole image; a blank one is refused")
    func patternsOpenBlankIsRefused() throws {
        let model = try #require(Self.pretrained)
        // Vertical bars 8 pixels wide, 48x32: light background overall, no single digit.
        let samples = (0..<(48 * 32)).map { UInt16(($0 % 48) / 8 % 2 == 0 ? 0 : 255) }
        let bars = PixelImage(width: 48, height: 32, channels: 1, maxValue: 255, samples: samples, format: .pgm, detail: "test")
        #expect(throws: ImageError.self) { try DigitPreprocessor.prepare(bars.grayscale(), name: "bars.pgm") }
        let inspection = try ImageInspection.inspect(bars, name: "bars.pgm", model: model)
        let last = try #require(inspection.preprocessing.steps.last)
        #expect(last.title == "the whole image" && last.note.hasPrefix("no single digit stands out (no ink stands out"))
        // Fitted 28 wide (the 3:2 shape kept, so about 19 tall), centred in 28x28, the bars still there.
        let centred = inspection.preprocessing.centred
        #expect((0..<28).allSatisfy { centred[0, $0] == 0 && centred[27, $0] == 0 }, "the rows above and below are empty")
        #expect(Set((0..<28).map { centred[14, $0] }).count > 2, "the bars alternate across a row")
        #expect(abs(inspection.probabilities.reduce(0, +) - 1) < 1e-4)
        let flat = PixelImage(width: 10, height: 10, channels: 1, maxValue: 255,
                              samples: [UInt16](repeating: 200, count: 100), format: .pgm, detail: "test")
        #expect(throws: ImageError.self) { try ImageInspection.inspect(flat, name: "flat.pgm", model: model) }
    }

    @Test("a checkpoint without metadata is assumed to use MNIST's normalisation, and says so")
    func checkpointWithoutMetadata() throws {
        let network = try Network(spec: try Self.spec("lenet5"), seed: 2)
        // The spec, and nothing else, in the metadata.
        let bare = Checkpoint(tensors: network.checkpoint().tensors, metadata: [Network.specMetadataKey: network.spec.toml])
        let model = try InspectedModel.from(try Network(checkpoint: bare, file: "bare.safetensors"), checkpoint: bare,
                                            name: "bare.safetensors", path: "bare.safetensors")
        #expect(model.mean == 0.1307 && model.standardDeviation == 0.3081)
        #expect(model.name == "bare.safetensors (LeNet-5 modern, no normalisation in its metadata: MNIST's 0.1307 / 0.3081 assumed)")
    }

    @Test("plain text: image, model, prediction, probabilities, the preprocessing and every layer; --ascii stays ASCII")
    func plainText() throws {
        let model = try #require(Self.pretrained)
        let inspection = try ImageInspection.inspect(Self.digitImage(3), name: "three.pgm", model: model)
        let text = InspectionPlainText().render(inspection)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Image: three.pgm (PGM, 8-bit grey, 64x64)")
        #expect(lines[1] == "Model: pretrained LeNet-5 (modern, 99.16% on MNIST test)")
        #expect(lines[2].hasPrefix("Prediction: 3 ("))
        #expect(lines.contains { $0.hasPrefix("  3 ") && $0.hasSuffix(" <") })
        for title in ["1. grayscale", "2. inverted", "3. cleaned", "4. cropped to the ink", "5. scaled to fit 20x20",
                      "6. centred by mass in 28x28", "1 conv 6@5x5 + 2 relu: 6 maps of 28x28", "3 maxpool 2x2: 6 maps of 14x14",
                      "4 conv 16@5x5 + 5 relu: 16 maps of 10x10", "6 maxpool 2x2: 16 maps of 5x5", "8 linear 120 + 9 relu: 120 values",
                      "10 linear 84 + 11 relu: 84 values", "12 linear 10 (logits): 10 values", "map 16: ", "digit 9"] {
            #expect(text.contains(title), "no \(title)")
        }
        #expect(!lines.contains { $0.count > 100 }, "wider than 100 columns: \(lines.filter { $0.count > 100 })")
        #expect(text.contains("█"))

        let ascii = InspectionPlainText(glyphs: .ascii, numbers: true).render(inspection)
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(ascii.contains("4 conv map 16 values:"))
        #expect(ascii.count > text.count)
    }

    @Test("JSON: prediction, probabilities, preprocessing and every layer's values, parseable")
    func json() throws {
        let model = try #require(Self.pretrained)
        let inspection = try ImageInspection.inspect(Self.digitImage(7), name: "seven \"quoted\".pgm", model: model)
        let text = InspectionJSON.render(inspection)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["image"] as? String == "seven \"quoted\".pgm")
        #expect(object["prediction"] as? Int == 7)
        #expect((object["probabilities"] as? [Double])?.count == 10)
        let preprocessing = try #require(object["preprocessing"] as? [String: Any])
        #expect(preprocessing["inverted"] as? Bool == true)
        #expect((preprocessing["input"] as? [[Double]])?.count == 28)
        #expect((preprocessing["steps"] as? [[String: Any]])?.count == 6)
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(object["architecture"] as? String == "lenet5" && object["variant"] as? String == "modern")
        #expect(object["input_shape"] as? [Int] == [1, 28, 28])
        #expect(layers.map { $0["name"] as? String } == ["input", "1 conv", "3 maxpool", "4 conv", "6 maxpool", "8 linear",
                                                         "10 linear", "12 linear"])
        let stages = try #require(layers[1]["stages"] as? [[String: String]])
        #expect(stages == [["label": "1", "kind": "conv"], ["label": "2", "kind": "relu"]])
        #expect((layers[0]["stages"] as? [Any])?.isEmpty == true)
        let conv2 = try #require(layers[3]["values"] as? [[[Double]]])
        #expect(conv2.count == 16 && conv2[0].count == 10 && conv2[0][0].count == 10)
        #expect(Float(conv2[4][2][6]) == inspection.layers[3].values.data[4 * 100 + 2 * 10 + 6])
        #expect((layers[5]["values"] as? [Double])?.count == 120)
        #expect(layers[5]["shape"] as? [Int] == [120])
    }

    @Test("JSON numbers: integers plain, others as Swift prints them, no NaN")
    func jsonNumbers() {
        #expect(InspectionJSON.number(3) == "3")
        #expect(InspectionJSON.number(-0.25) == "-0.25")
        #expect(InspectionJSON.number(1e-5) == "1e-05")
        #expect(InspectionJSON.number(.nan) == "null")
        #expect(InspectionJSON.string("a\u{1}\n") == "\"a\\u0001\\n\"")
    }

    // MARK: Kernels on colour images

    /// Left half dark red, right half bright white, 8x6.
    static let edgeImage = RGBImage(width: 8, height: 6, pixels: (0..<48).map { index in
        index % 8 < 4 ? SIMD3<Float>(0.5, 0, 0) : SIMD3<Float>(1, 1, 1)
    })

    @Test("the identity kernel gives the image back; a blur keeps a flat image flat")
    func identityAndBlur() throws {
        let same = try ImageKernel.apply([[0, 0, 0], [0, 1, 0], [0, 0, 0]], to: Self.edgeImage, width: 8, height: 6)
        #expect(same == Self.edgeImage)
        let flat = RGBImage(width: 5, height: 5, pixels: Array(repeating: SIMD3(0.2, 0.4, 0.6), count: 25))
        let blurred = try ImageKernel.apply(Array(repeating: Array(repeating: 1 / 9, count: 3), count: 3), to: flat, width: 5, height: 5)
        // The mean of equal values everywhere: the edge pixels are repeated, so the border does not darken.
        for (row, column) in [(2, 2), (0, 0), (0, 4), (4, 2)] {
            #expect(abs(blurred[row, column].x - 0.2) < 1e-5 && abs(blurred[row, column].z - 0.6) < 1e-5)
        }
        // And an edge detector finds no edge at the border of a flat image (zero padding made one).
        let sobel = try ImageKernel.apply([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], to: flat, width: 5, height: 5)
        #expect(sobel.pixels.allSatisfy { $0 == .zero })
    }

    @Test("Sobel-x lights the vertical edge, per channel, and nothing in flat areas")
    func sobel() throws {
        let edges = try ImageKernel.apply([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], to: Self.edgeImage, width: 8, height: 6)
        // Rows 1-4 away from the padding: the edge between columns 3 and 4.
        for row in 1...4 {
            #expect(edges[row, 1] == SIMD3(0, 0, 0) && edges[row, 6] == SIMD3(0, 0, 0))
            // Green and blue jump 0 -> 1 (the strongest response, 4), red 0.5 -> 1 (2).
            #expect(edges[row, 3] == SIMD3(0.5, 1, 1) && edges[row, 4] == SIMD3(0.5, 1, 1))
        }
    }

    @Test("the kernel is applied at the size asked for (the image is resized first)")
    func resizedFirst() throws {
        let result = try ImageKernel.apply([[1]], to: Self.edgeImage, width: 4, height: 3)
        #expect(result.width == 4 && result.height == 3)
        #expect(Self.difference(result[1, 0], SIMD3(0.5, 0, 0)) < 1e-5 && Self.difference(result[1, 3], SIMD3(1, 1, 1)) < 1e-5)
    }

    static func difference(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float {
        let d = a - b
        return max(abs(d.x), abs(d.y), abs(d.z))
    }

    @Test("bad kernels are refused with the rule", arguments: [
        ([[Float]](), "the kernel is empty; give at least one row of at least one number"),
        ([[1, 2], [3]], "the kernel's rows have 2, 1 numbers; every row must have as many as the first"),
        (Array(repeating: Array(repeating: Float(1), count: 16), count: 16), "a 16x16 kernel is too large; at most 15x15"),
        ([[Float.nan]], "the kernel holds a value that is not a finite number"),
    ])
    func badKernels(kernel: [[Float]], message: String) {
        #expect(throws: KernelError(message)) {
            try ImageKernel.apply(kernel, to: Self.edgeImage, width: 8, height: 6)
        }
    }
}
