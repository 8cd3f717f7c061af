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

    @Test("the pretrained model reads drawn digits right and every layer has LeNet-5's shape")
    func layersAndPrediction() throws {
        let model = try #require(Self.pretrained)
        #expect(model.name == "pretrained LeNet-5 (modern, 99.16% on MNIST test)")
        for digit in [0, 3, 7] {
            let inspection = try ImageInspection.inspect(Self.digitImage(digit), name: "digit-\(digit).pgm", model: model)
            #expect(inspection.prediction == digit)
            #expect(abs(inspection.probabilities.reduce(0, +) - 1) < 1e-4)
            #expect(inspection.layers.map(\.name) == ["input", "conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "output"])
            #expect(inspection.layers.map(\.values.shape) == [[1, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10],
                                                              [16, 5, 5], [1, 1, 120], [1, 1, 84], [1, 1, 10]])
            #expect(inspection.layers.map(\.isMap) == [true, true, true, true, true, false, false, false])
            #expect(inspection.layers[1].title == "conv1 + ReLU: 6 maps of 28x28")
            #expect(inspection.layers[4].title == "pool2 (max 2x2): 16 maps of 5x5")
            #expect(inspection.layers[5].title == "fc1 + ReLU: 120 values")
            // ReLU maps are never negative; the input is the normalised preprocessed image.
            #expect(inspection.layers[1].values.data.allSatisfy { $0 >= 0 })
            let expectedInput = inspection.preprocessing.input(mean: model.mean, standardDeviation: model.standardDeviation)
            #expect(inspection.layers[0].values.data == expectedInput.data)
            // The softmax of the output layer is the probabilities.
            let logits = inspection.layers[7].values.data
            let top = logits.indices.max { logits[$0] < logits[$1] }
            #expect(top == digit)
        }
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
        let field = LeNet5Windows.receptiveField(layer: layer, row: row, column: column)
        #expect(field.rows == rows && field.columns == columns)
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

    @Test("the windows' geometry gives the real forward pass's shapes")
    func geometryMatchesNetwork() throws {
        let network = LeNet5(seed: 3)
        let activations = try network.forward(Tensor(zeros: [1, 1, 28, 28]))
        let shapes = [activations.conv1.shape, activations.pool1.shape, activations.conv2.shape, activations.pool2.shape]
        #expect(LeNet5Windows.geometries.map(\.outputShape) == shapes)
    }

    /// Changing an input pixel outside a cell's receptive field never changes the cell; changing
    /// one at each corner inside it does (classic LeNet-5: tanh and average pooling, so every input
    /// in the window counts).
    @Test("the receptive field is exactly what the network reads")
    func receptiveFieldIsExact() throws {
        let network = LeNet5(variant: .classic, seed: 11)
        var random = SeededRandom(seed: 5)
        let base = Tensor(shape: [1, 1, 28, 28], data: (0..<784).map { _ in random.nextFloat(in: -1..<1) })
        let before = try network.forward(base)
        let cases: [(layer: Int, channel: Int, row: Int, column: Int)] = [(1, 2, 10, 20), (2, 1, 3, 4), (3, 5, 5, 9), (4, 7, 2, 3), (4, 0, 4, 4)]
        func output(_ a: LeNet5.Activations, layer: Int) -> Tensor {
            [a.conv1Activated, a.pool1, a.conv2Activated, a.pool2][layer - 1]
        }
        for (layer, channel, row, column) in cases {
            let field = LeNet5Windows.receptiveField(layer: layer, row: row, column: column)
            let original = output(before, layer: layer)[0, channel, row, column]
            for inputRow in 0..<28 {
                for inputColumn in 0..<28 {
                    let inside = field.rows.contains(inputRow) && field.columns.contains(inputColumn)
                    let corner = (inputRow == field.rows.lowerBound || inputRow == field.rows.upperBound)
                        && (inputColumn == field.columns.lowerBound || inputColumn == field.columns.upperBound)
                    guard !inside || corner else { continue }
                    var changed = base
                    changed[0, 0, inputRow, inputColumn] += 0.5
                    let after = output(try network.forward(changed), layer: layer)[0, channel, row, column]
                    if inside {
                        #expect(after != original, "layer \(layer) (\(row), \(column)): its corner (\(inputRow), \(inputColumn)) made no difference")
                    } else {
                        #expect(after == original, "layer \(layer) (\(row), \(column)) changed with input (\(inputRow), \(inputColumn)) outside \(field)")
                    }
                }
            }
        }
    }

    @Test("a checkpoint without metadata is assumed to use MNIST's normalisation, and says so")
    func checkpointWithoutMetadata() throws {
        let network = LeNet5(seed: 2)
        let bare = Checkpoint(tensors: network.checkpoint().tensors, metadata: [:])
        let model = try InspectedModel.from(try LeNet5(checkpoint: bare, name: "bare.safetensors"), checkpoint: bare,
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
                      "6. centred by mass in 28x28", "conv1 + ReLU: 6 maps of 28x28", "pool1 (max 2x2): 6 maps of 14x14",
                      "conv2 + ReLU: 16 maps of 10x10", "pool2 (max 2x2): 16 maps of 5x5", "fc1 + ReLU: 120 values",
                      "fc2 + ReLU: 84 values", "output (logits): 10 values", "map 16: "] {
            #expect(text.contains(title), "no \(title)")
        }
        #expect(!lines.contains { $0.count > 100 }, "wider than 100 columns: \(lines.filter { $0.count > 100 })")
        #expect(text.contains("█"))

        let ascii = InspectionPlainText(glyphs: .ascii, numbers: true).render(inspection)
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(ascii.contains("conv2 map 16 values:"))
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
        #expect(layers.map { $0["name"] as? String } == ["input", "conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "output"])
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
