import ConvKernels
import Testing
@testable import Training
import Networks
import Datasets

/// The misclassified validation images an epoch report carries for the training screen's gallery.
@Suite("Misclassified examples")
struct MisclassifiedExamplesTests {
    static let data: TrainingData = {
        let (train, test) = SyntheticDigits.make(trainCount: 600, testCount: 100, seed: 11)
        return TrainingData(source: .builtInDigits(seed: 11), train: train, test: test)
    }()

    static func configuration() -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        configuration.batchSize = 50
        configuration.threads = 1
        configuration.validationCount = 200
        configuration.trainingSubset = 100  // two steps: many validation digits are still wrong
        configuration.seed = 5
        configuration.learningRate = 1e-3
        configuration.schedule = .perEpoch(.constant)
        configuration.warmupSteps = 0
        return configuration
    }

    /// The network's class for `example`'s pixels, normalised as the trainer feeds them.
    static func prediction(of example: MisclassifiedExample, by trainer: Trainer) throws -> Int {
        let input = example.pixels.map { ($0 - data.mean) / data.standardDeviation }
        let logits = try trainer.network.logits(Tensor(shape: [1, 1, example.rows, example.columns], data: input),
                                                threads: 1)
        return Trainer.argmax(logits.data, row: 0, width: 10)
    }

    @Test("an epoch report keeps the first validation images the network got wrong, at most the limit")
    func reallyMisclassified() throws {
        var trainer = try Trainer(configuration: Self.configuration(), data: Self.data)
        var reports: [EpochReport] = []
        _ = trainer.run(emit: { if case .epoch(let report) = $0 { reports.append(report) } })
        let report = try #require(reports.last)
        let wrong = report.confusion.total - report.confusion.correct
        #expect(wrong > 0, "two steps leave mistakes to show")
        #expect(report.misclassified.count == min(wrong, MisclassifiedExample.limit))
        #expect(report.misclassified.count <= MisclassifiedExample.limit)
        let validation = Set(trainer.validationIndices)
        for example in report.misclassified {
            #expect(validation.contains(example.index), "image \(example.index) is a validation image")
            #expect(example.label == Int(Self.data.train.labels[example.index]))
            #expect(example.rows == 28 && example.columns == 28 && example.pixels.count == 784)
            #expect(example.pixels.allSatisfy { (0...1).contains($0) })
            #expect(example.predicted != example.label)
            // The network (the weights after the epoch, which the evaluation used) really gets it wrong.
            #expect(try Self.prediction(of: example, by: trainer) == example.predicted)
        }
        // In the validation set's order: the first mistakes.
        let positions = report.misclassified.map { trainer.validationIndices.firstIndex(of: $0.index) ?? -1 }
        #expect(positions == positions.sorted())
    }

    @Test("without a validation split the test set's mistakes are kept")
    func testSetWithoutValidation() throws {
        var configuration = Self.configuration()
        configuration.validationCount = 0
        var trainer = try Trainer(configuration: configuration, data: Self.data)
        var reports: [EpochReport] = []
        _ = trainer.run(emit: { if case .epoch(let report) = $0 { reports.append(report) } })
        let report = try #require(reports.last)
        #expect(report.confusion.total == 100)
        let wrong = report.confusion.total - report.confusion.correct
        #expect(report.misclassified.count == min(wrong, MisclassifiedExample.limit))
        for example in report.misclassified {
            #expect(example.label == Int(Self.data.test.labels[example.index]))
            #expect(try Self.prediction(of: example, by: trainer) == example.predicted)
            #expect(example.predicted != example.label)
        }
    }
}
