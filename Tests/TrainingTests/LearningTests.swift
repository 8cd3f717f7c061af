import ConvKernels
import Foundation
import Testing
import Training
import Networks
import Datasets
import TestSupport

/// The network learns real digits: a short Adam run on a slice of MNIST (found by `MNISTForTests`;
/// skipped without it). The same run on the built-in digits is in SyntheticDigitsTests.
@Suite("LeNet-5 learns MNIST")
struct LearningTests {
    /// Images `range` of a split as a normalised batch `[N, 1, 28, 28]` (MNIST's mean and deviation).
    private func batch(_ split: LabelledImages, _ range: Range<Int>) -> (Tensor, [Int]) {
        let pixels = split.pixels[(range.lowerBound * 784)..<(range.upperBound * 784)]
        let data = pixels.map { (Float($0) / 255 - 0.1307) / 0.3081 }
        return (Tensor(shape: [range.count, 1, 28, 28], data: data), split.labels[range].map(Int.init))
    }

    @Test("300 Adam steps of 32 images take the modern variant past 90% on 1,000 test digits",
          .enabled(if: MNISTForTests.folder != nil, Comment(rawValue: MNISTForTests.missingNote)))
    func learns() throws {
        let directory = try #require(MNISTForTests.folder)
        let dataset = try IDXDataset(directory: directory)
        var network = try Network(spec: try #require(BuiltInArchitecture.spec(named: "lenet5")), seed: 0)
        var optimizer = try Adam(learningRate: 1e-3)
        var firstLoss: Float = 0, lastLoss: Float = 0
        for step in 0..<300 {
            let (images, labels) = batch(dataset.train, (step * 32)..<(step * 32 + 32))
            var unused = SeededRandom(seed: 0)
            let trace = try network.forwardForTraining(images, random: &unused)
            let (loss, dLogits) = try SoftmaxCrossEntropy.forward(logits: trace.logits, labels: labels)
            if step == 0 { firstLoss = loss }
            lastLoss = loss
            let gradients = try network.backward(trace, dLogits: dLogits).parameters
            optimizer.step(parameters: &network.parameters, gradients: gradients)
        }
        let (testImages, testLabels) = batch(dataset.test, 0..<1000)
        let logits = try network.logits(testImages)
        var correct = 0
        for n in 0..<1000 {
            let row = logits.data[(n * 10)..<(n * 10 + 10)]
            if row.firstIndex(of: row.max()!)! - n * 10 == testLabels[n] { correct += 1 }
        }
        #expect(firstLoss > 2.0, "an untrained network starts near ln 10 = 2.30; it started at \(firstLoss)")
        #expect(lastLoss < 0.6, "the loss fell from \(firstLoss) to \(lastLoss)")
        #expect(correct >= 900, "\(correct) of 1,000 test digits right")
        print("LeNet-5 after 300 steps: loss \(firstLoss) -> \(lastLoss), \(correct) / 1000 test digits right")
    }
}
