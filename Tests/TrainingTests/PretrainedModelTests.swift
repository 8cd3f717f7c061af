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
        #expect(network.variant == .modern && network.parameterCount == 61_706)
        #expect(checkpoint.metadata["trainer"] == "convtutor")
        #expect(checkpoint.metadata["normalization_mean"].flatMap(Float.init) != nil)
        #expect(checkpoint.metadata["normalization_std"].flatMap(Float.init) != nil)
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
            let logits = try network.forward(images).logits
            for (row, label) in labels.enumerated() {
                confusion.add(actual: label, predicted: Trainer.argmax(logits.data, row: row, width: 10))
            }
        }
        #expect(confusion.accuracy >= 0.99, "\(confusion.correct) of 10,000 right")
        print("pretrained LeNet-5: \(confusion.correct) of 10,000 MNIST test digits right")
    }
}
