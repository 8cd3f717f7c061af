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
    /// LeNet-5 (seed 5) with every value of `tensorName` set to `value` (finite: a checkpoint refuses NaN and infinity).
    static func model(setting tensorName: String, to value: Float, mean: Float = 0.1307,
                      standardDeviation: Float = 0.3081) throws -> InspectedModel {
        var checkpoint = LeNet5(seed: 5).checkpoint()
        let index = try #require(checkpoint.tensors.firstIndex { $0.name == tensorName })
        let shape = checkpoint.tensors[index].tensor.shape
        checkpoint.tensors[index].tensor = Tensor(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
        let network = try LeNet5(checkpoint: checkpoint, name: "huge.safetensors")
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
          arguments: [("conv1.weight", "conv1"), ("conv2.weight", "conv2"), ("fc1.weight", "fc1"), ("fc3.weight", "output")])
    func overflowingLayers(tensorName: String, layer: String) throws {
        let text = try #require(message(try Self.model(setting: tensorName, to: 3e38)))
        #expect(text.hasPrefix("three.png: the network's \(layer) output holds "), "\(text)")
        #expect(text.contains("so there is no prediction to show"))
    }

    @Test("a model built with a normalisation that would divide by zero or make NaN is refused, not a crash",
          arguments: [(Float(0.1), Float(0)), (0.1, -1), (0.1, .nan), (.nan, 0.3), (.infinity, 0.3)])
    func badNormalization(mean: Float, standardDeviation: Float) throws {
        let network = LeNet5(seed: 5)
        let model = InspectedModel(network: network, name: "odd", mean: mean, standardDeviation: standardDeviation)
        #expect(message(model)?.hasPrefix("three.png: odd normalises with mean ") == true)
    }

    @Test("a huge but finite mean makes the input infinite: reported as the input, not predicted from")
    func hugeMean() throws {
        let network = LeNet5(seed: 5)
        let model = InspectedModel(network: network, name: "odd", mean: -3e38, standardDeviation: 0.001)
        #expect(message(model)?.hasPrefix("three.png: the normalised input holds ") == true, "\(message(model) ?? "")")
    }

    @Test("loading a checkpoint with NaN weights or odd normalisation names the file and the problem")
    func loadingRefuses() throws {
        let folder = NSTemporaryDirectory() + "inspection-hostile-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var checkpoint = LeNet5(seed: 5).checkpoint(metadata: ["normalization_mean": "0.1", "normalization_std": "0.3"])
        let index = try #require(checkpoint.tensors.firstIndex { $0.name == "conv2.weight" })
        checkpoint.tensors[index].tensor = Tensor(shape: checkpoint.tensors[index].tensor.shape,
                                                  data: [Float](repeating: .infinity, count: 2400))
        let infinite = folder + "/inf.safetensors"
        try checkpoint.write(to: infinite)
        #expect(throws: CheckpointError.self) { try InspectedModel.load(path: infinite) }
        do { _ = try InspectedModel.load(path: infinite) } catch {
            #expect(error.message.hasPrefix("\(infinite): conv2.weight holds 2,400 infinite values."))
        }
        let odd = folder + "/odd.safetensors"
        try LeNet5(seed: 5).checkpoint(metadata: ["normalization_mean": "0.1", "normalization_std": "0"]).write(to: odd)
        do {
            _ = try InspectedModel.load(path: odd)
            Issue.record("std 0 was accepted")
        } catch {
            #expect(error.message.hasPrefix("\(odd): normalization_std 0.0 in the metadata is out of range; accepted: a number from 0.001 to 1.0"))
        }
    }
}
