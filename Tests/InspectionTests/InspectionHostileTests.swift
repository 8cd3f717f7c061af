import ConvKernels
import Foundation
import Imaging
import Networks
import Testing
@testable import Inspection

/// Issue 13: numbers that are not numbers. A model whose sums overflow, or a normalisation that
/// would divide by zero, is reported by name: never a crash, never "prediction 0" from NaN.
@Suite("Image inspection: non-finite values are reported, not predicted from")
struct InspectionHostileTests {
    static func lenet5(seed: UInt64 = 5) throws -> Network {
        try Network(spec: try #require(BuiltInArchitecture.named("lenet5")).spec, seed: seed)
    }

    /// LeNet-5 (seed 5) with every value of parameter `name` set to `value` (finite: a checkpoint refuses NaN and infinity).
    static func model(setting name: String, to value: Float, mean: Float = 0.1307,
                      standardDeviation: Float = 0.3081) throws -> InspectedModel {
        var network = try lenet5()
        let index = try #require(network.parameterNames.firstIndex(of: name))
        let shape = network.parameters[index].shape
        network.parameters[index] = Tensor(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
        return InspectedModel(network: network, name: "huge.safetensors", mean: mean, standardDeviation: standardDeviation)
    }

    func message(_ model: InspectedModel) -> String? {
        do {
            _ = try ImageInspection.inspect(ImageInspectionTests.digitImage(3), name: "three.png", model: model)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("finite weights whose sums overflow: the first layer that is not finite is named, with its counts",
          arguments: [("layers.0.weight", "1 (conv)"), ("layers.3.weight", "4 (conv)"), ("layers.7.weight", "8 (linear)"),
                      ("layers.11.weight", "12 (linear)")])
    func overflowingLayers(tensorName: String, layer: String) throws {
        let text = try #require(message(try Self.model(setting: tensorName, to: 3e38)))
        #expect(text.hasPrefix("three.png: the output of the network's layer \(layer) holds "), "\(text)")
        #expect(text.contains("so there is no prediction to show"))
    }

    @Test("a model built with a normalisation that would divide by zero or make NaN is refused, not a crash",
          arguments: [(Float(0.1), Float(0)), (0.1, -1), (0.1, .nan), (.nan, 0.3), (.infinity, 0.3)])
    func badNormalization(mean: Float, standardDeviation: Float) throws {
        let network = try Self.lenet5()
        let model = InspectedModel(network: network, name: "odd", mean: mean, standardDeviation: standardDeviation)
        #expect(message(model)?.hasPrefix("three.png: odd normalises with mean ") == true)
    }

    @Test("a huge but finite mean makes the input infinite: reported as the input, not predicted from")
    func hugeMean() throws {
        let network = try Self.lenet5()
        let model = InspectedModel(network: network, name: "odd", mean: -3e38, standardDeviation: 0.001)
        #expect(message(model)?.hasPrefix("three.png: the normalised input holds ") == true, "\(message(model) ?? "")")
    }

    @Test("loading a checkpoint with NaN weights or odd normalisation names the file and the problem")
    func loadingRefuses() throws {
        let folder = NSTemporaryDirectory() + "inspection-hostile-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var checkpoint = try Self.lenet5().checkpoint(metadata: ["normalization_mean": "0.1", "normalization_std": "0.3"])
        let index = try #require(checkpoint.tensors.firstIndex { $0.name == "layers.3.weight" })
        checkpoint.tensors[index].tensor = Tensor(shape: checkpoint.tensors[index].tensor.shape,
                                                  data: [Float](repeating: .infinity, count: 2400))
        let infinite = folder + "/inf.safetensors"
        try checkpoint.write(to: infinite)
        #expect(throws: CheckpointError.self) { try InspectedModel.load(path: infinite) }
        do { _ = try InspectedModel.load(path: infinite) } catch {
            #expect(error.message.hasPrefix("\(infinite): layers.3.weight holds 2,400 infinite values."), "\(error.message)")
        }
        let odd = folder + "/odd.safetensors"
        try Self.lenet5().checkpoint(metadata: ["normalization_mean": "0.1", "normalization_std": "0"]).write(to: odd)
        do {
            _ = try InspectedModel.load(path: odd)
            Issue.record("std 0 was accepted")
        } catch {
            #expect(error.message.hasPrefix("\(odd): normalization_std 0.0 in the metadata is out of range; accepted: a number from 0.001 to 1.0"))
        }
    }

    // MARK: Checkpoints of other networks

    /// A checkpoint of `spec` (seed 1) with MNIST's normalisation, written to `folder`.
    static func write(_ spec: NetworkSpec, to folder: String, name: String) throws -> String {
        let path = folder + "/" + name
        try Network(spec: spec, seed: 1).checkpoint(metadata: ["normalization_mean": "0.1307", "normalization_std": "0.3081"])
            .write(to: path)
        return path
    }

    static func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "inspection-networks-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a checkpoint that is not a network, or of a network that does not read grey digits, is refused by name")
    func otherNetworksRefused() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func loadError(_ path: String) -> String? {
            do { _ = try InspectedModel.load(path: path); return nil } catch { return error.message }
        }
        // Tensors, no spec, not LeNet-5's names.
        let stray = folder + "/stray.safetensors"
        try Checkpoint(tensors: [(name: "weight", tensor: Tensor(zeros: [3, 3]))], metadata: [:]).write(to: stray)
        #expect(loadError(stray)?.hasPrefix("\(stray): records no network spec") == true, "\(loadError(stray) ?? "")")
        // Colour in: refused, saying what it takes.
        let colour = NetworkSpec(name: "colour-net", input: .maps(channels: 3, height: 32, width: 32), classes: 10, layers: [
            .conv(LayerSpec.Convolution(out: 4, kernel: 3)), .relu, .globalAvgPool, .flatten, .linear(LayerSpec.FullyConnected(out: 10)),
        ])
        let colourPath = try Self.write(colour, to: folder, name: "colour.safetensors")
        #expect(loadError(colourPath) == "\(colourPath): the network 'colour-net' takes 3x32x32 images (3 channels, colour); "
            + "the inspector reads a grey digit and needs a network with one input channel, 1xHxW (MNIST's is 1x28x28); "
            + "give a checkpoint of a network trained on grey digits (convtutor train writes one)")
        // Letters, not digits.
        var letters = colour
        letters.name = "letters-net"
        letters.input = .maps(channels: 1, height: 28, width: 28)
        letters.classes = 26
        letters.layers[4] = .linear(LayerSpec.FullyConnected(out: 26))
        let lettersPath = try Self.write(letters, to: folder, name: "letters.safetensors")
        #expect(loadError(lettersPath)?.hasPrefix("\(lettersPath): the network 'letters-net' scores 26 classes; the "
            + "inspector reads a digit and needs a network that scores the 10 digits 0-9") == true)
        // Built in code, the same refusal at inspection, naming the image and the model.
        let model = InspectedModel(network: try Network(spec: colour, seed: 1), name: "colour", mean: 0.1, standardDeviation: 0.3)
        #expect(message(model)?.hasPrefix("three.png: colour the network 'colour-net' takes 3x32x32 images") == true)
    }

    @Test("a grey network of another size reads the digit resized to its input; its fields are in its own input's cells")
    func otherSizeIsResized() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spec = NetworkSpec(name: "small-net", input: .maps(channels: 1, height: 16, width: 20), classes: 10, layers: [
            .conv(LayerSpec.Convolution(out: 4, kernel: 3, padding: 1)), .relu, .maxPool(LayerSpec.Pooling(kernel: 2)),
            .flatten, .linear(LayerSpec.FullyConnected(out: 10)),
        ])
        let path = try Self.write(spec, to: folder, name: "small.safetensors")
        let model = try InspectedModel.load(path: path)
        #expect(model.name == "\(path) (small-net, reads 16x20: the 28x28 digit is resized to it)")
        let inspection = try ImageInspection.inspect(ImageInspectionTests.digitImage(3), name: "three.png", model: model)
        #expect(inspection.input.width == 20 && inspection.input.height == 16)
        #expect(inspection.layers.map(\.values.shape) == [[1, 16, 20], [4, 16, 20], [4, 8, 10], [1, 1, 10]])
        let field = inspection.receptiveField(layer: 2, row: 7, column: 9)
        #expect(field.rows == 13...15 && field.columns == 17...19)
        #expect(InspectionPlainText().render(inspection).contains("the network reads the last image resized to its input, 20x16"))
    }
}
