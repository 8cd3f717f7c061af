import ConvKernels
import Foundation
import Testing
@testable import Networks
@testable import Training
import Datasets
import TestSupport

/// The LeNet-5 shipped as a resource: it loads, says how it was made, and is as good on MNIST's
/// test set as the README claims.
@Suite("Pretrained model")
struct PretrainedModelTests {
    @Test("it loads from the resource bundle with its recipe in the metadata")
    func loads() throws {
        let (network, checkpoint) = try PretrainedModel.load()
        // A LeNet-5 checkpoint from before specs: it loads as the built-in modern LeNet-5.
        #expect(network.spec == (try #require(BuiltInArchitecture.named("lenet5")).spec) && network.parameterCount == 61_706)
        #expect(checkpoint.metadata["trainer"] == "convtutor")
        #expect(checkpoint.metadata["normalization_mean"].flatMap(Float.init) != nil)
        #expect(checkpoint.metadata["normalization_std"].flatMap(Float.init) != nil)
    }

    @Test("it ships without optimizer state, its weights those it was trained to, bit for bit")
    func weightsOnly() throws {
        let file = try PretrainedModel.path()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        // 61,706 weights of 4 bytes and a header of about a kilobyte; with Adam's state it was 911,632.
        #expect(size < 250_000, "\(file) is \(size) bytes")
        let (network, checkpoint) = try PretrainedModel.load()
        #expect(checkpoint.tensors.map(\.name) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight",
                                                    "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"])
        for key in TrainingOptimizer.stateKeys { #expect(checkpoint.metadata[key] == nil, "\(key) is still in the metadata") }
        #expect(!checkpoint.metadata.keys.contains { $0.contains("exp_avg") || $0.contains("momentum_buffer") })
        // The recipe stays.
        #expect(checkpoint.metadata["optimizer"] == "adam" && checkpoint.metadata["learning_rate"] == "0.003")
        #expect(checkpoint.metadata["epoch"] == "10" && checkpoint.metadata["test_accuracy"] == "0.9916")
        // FNV-1a over every weight's bit pattern, in parameter order, taken from the file as trained
        // (with its Adam state, before tools/strip_optimizer_state.py).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for tensor in network.parameters {
            for value in tensor.data { hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01b3 }
        }
        #expect(hash == 0xa98f_3cb2_c324_5105, "the weights differ from the trained ones")
    }

    @Test("it gets 99% or more of MNIST's 10,000 test digits right",
          .enabled(if: MNISTForTests.folder != nil, Comment(rawValue: MNISTForTests.missingNote)))
    func accuracy() throws {
        let directory = try #require(MNISTForTests.folder)
        let test = try IDXDataset(directory: directory).test
        let (network, checkpoint) = try PretrainedModel.load()
        let mean = try #require(checkpoint.metadata["normalization_mean"].flatMap(Float.init))
        let deviation = try #require(checkpoint.metadata["normalization_std"].flatMap(Float.init))
        let maker = BatchMaker(images: test, mean: mean, standardDeviation: deviation)
        var confusion = ConfusionMatrix()
        var unused = SeededRandom(seed: 0)
        for start in stride(from: 0, to: test.count, by: 1_000) {
            let (images, labels) = maker.batch(Array(start..<(start + 1_000))[...], random: &unused)
            let logits = try network.logits(images)
            for (row, label) in labels.enumerated() {
                confusion.add(actual: label, predicted: Trainer.argmax(logits.data, row: row, width: 10))
            }
        }
        #expect(confusion.accuracy >= 0.99, "\(confusion.correct) of 10,000 right")
        // What the trainer measured when it wrote the file (kernels that add in another order may
        // move a borderline digit, hence the digit's leeway).
        let recorded = try #require(checkpoint.metadata["test_accuracy"].flatMap(Double.init))
        #expect(abs(confusion.correct - Int((recorded * 10_000).rounded())) <= 1,
                "\(confusion.correct) right; the metadata records \(recorded)")
        print("pretrained LeNet-5: \(confusion.correct) of 10,000 MNIST test digits right")
    }
}
