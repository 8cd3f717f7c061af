import ConvKernels
import Foundation
import Testing
@testable import Training
import Networks
@testable import Datasets

/// What a user's data, checkpoint or settings can do to a training run: every value out of range
/// is refused with its rule before any work, never a crash.
@Suite("Training: hostile input")
struct HostileTrainingInputTests {
    static func images(count: Int, labels: [UInt8]? = nil, name: String = "labels.idx") -> LabelledImages {
        var images = LabelledImages(count: count, rows: 28, columns: 28, pixels: [UInt8](repeating: 50, count: count * 784),
                                    labels: labels ?? (0..<count).map { UInt8($0 % 10) })
        images.labelsName = name
        return images
    }

    static func data(train: LabelledImages, test: LabelledImages) -> TrainingData {
        TrainingData(source: .idx(directory: "set"), train: train, test: test)
    }

    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as DatasetError {
            return error.message
        } catch let error as CheckpointError {
            return error.message
        } catch let error as KernelError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("a label of 10 or more (EMNIST letters go to 26) is refused naming the file, the label and its item")
    func labelsOutOfRange() {
        let data = Self.data(train: Self.images(count: 8, labels: [0, 1, 2, 3, 4, 26, 6, 7], name: "train-labels.idx"),
                             test: Self.images(count: 2))
        let message = Self.message { _ = try Trainer(configuration: TrainerTests.configuration(), data: data) }
        #expect(message?.hasPrefix("labels must be 0...9 for a 10-class network; train-labels.idx holds 26 at item 5") == true,
                "\(message ?? "accepted")")
        let badTest = Self.data(train: Self.images(count: 300), test: Self.images(count: 3, labels: [1, 10, 2], name: "t10k.idx"))
        let testMessage = Self.message { _ = try Trainer(configuration: TrainerTests.configuration(), data: badTest) }
        #expect(testMessage?.contains("t10k.idx holds 10 at item 1") == true, "\(testMessage ?? "accepted")")
    }

    @Test("an empty training set, no validation and no test images, and a validation split that takes everything are refused with the rule")
    func emptySets() {
        var configuration = TrainerTests.configuration()
        configuration.validationCount = 0
        let noTraining = Self.data(train: Self.images(count: 0), test: Self.images(count: 5))
        #expect(Self.message { _ = try Trainer(configuration: configuration, data: noTraining) }
            == "IDX files in set: the training set holds no images; give a dataset with training images")
        let noTest = Self.data(train: Self.images(count: 50), test: Self.images(count: 0))
        #expect(Self.message { _ = try Trainer(configuration: configuration, data: noTest) }
            == "IDX files in set: the test set holds no images and --validation 0 holds none out; give --validation 1 "
            + "or more, or a dataset with test images, so that there is an image to evaluate and show")
        // With a validation set, an empty test set is fine (the overfitting lesson trains so).
        configuration.validationCount = 10
        #expect(Self.message { _ = try Trainer(configuration: configuration, data: noTest) } == nil)
        configuration.validationCount = 50
        #expect(Self.message { _ = try Trainer(configuration: configuration, data: noTest.withTest(Self.images(count: 1))) }
            == "--validation 50 leaves no training images out of the 50 in IDX files in set; give fewer than 50")
    }

    @Test("--validation 0 with one test image trains (the probe comes from the test set)")
    func noValidation() throws {
        var configuration = TrainerTests.configuration()
        configuration.validationCount = 0
        configuration.snapshotInterval = 0
        var trainer = try Trainer(configuration: configuration, data: Self.data(train: Self.images(count: 60), test: Self.images(count: 1)))
        let (_, outcome, snapshots) = TrainerTests.run(&trainer)
        #expect(outcome.reason == .completed && snapshots > 0)
    }

    @Test("resume counts near Int.max, negative or not numbers are refused with the range", arguments: [
        ("epoch", "9223372036854775807", "epoch \"9223372036854775807\" in the metadata is not a count from 0 to 10000"),
        ("epoch", "10001", "is not a count from 0 to 10000"),
        ("step", "9223372036854775806", "step \"9223372036854775806\" in the metadata is not a count from 0 to 10000000000"),
        ("batch", "-1", "batch \"-1\" in the metadata is not a count"),
        ("optimizer.step", "9223372036854775807", "optimizer.step \"9223372036854775807\" in the metadata is not a count from 0 to 10000000000"),
        ("optimizer.step", "many", "optimizer.step \"many\" in the metadata is not a count"),
    ])
    func resumeCounts(key: String, value: String, expected: String) throws {
        let configuration = TrainerTests.configuration()
        var trainer = try Trainer(configuration: configuration, data: TrainerTests.data)
        let control = TrainingControl()
        control.stop()
        _ = trainer.run(control: control, emit: { _ in })
        var checkpoint = trainer.checkpoint()
        checkpoint.metadata[key] = value
        let message = Self.message { _ = try Trainer(configuration: configuration, data: TrainerTests.data, resume: (checkpoint, "run.safetensors")) }
        #expect(message?.hasPrefix("run.safetensors: ") == true && message?.contains(expected) == true, "\(message ?? "accepted")")
    }

    @Test("the largest accepted resume counts take a step without overflowing")
    func largestResumeCounts() throws {
        var configuration = TrainerTests.configuration(epochs: 10_000)
        configuration.snapshotInterval = 1e9
        var first = try Trainer(configuration: TrainerTests.configuration(), data: TrainerTests.data)
        _ = TrainerTests.run(&first)
        var checkpoint = first.checkpoint()
        checkpoint.metadata["epoch"] = "9999"
        checkpoint.metadata["step"] = "\(ResumePosition.maximumSteps)"
        checkpoint.metadata["optimizer.step"] = "\(ResumePosition.maximumSteps)"
        var resumed = try Trainer(configuration: configuration, data: TrainerTests.data, resume: (checkpoint, "big.safetensors"))
        let control = TrainingControl()
        let outcome = resumed.run(control: control, emit: { event in
            if case .step = event { control.stop() }
        })
        #expect(outcome.reason == .stopped && outcome.steps == ResumePosition.maximumSteps + 1)
    }

    @Test("every numeric setting is range-checked, naming its flag and the rule", arguments: [
        ("subset", Int.max, "--subset must be from 1 to 10000000 images"),
        ("subset", 0, "--subset must be from 1 to 10000000 images"),
        ("validation", -1, "--validation must be from 0 to 10000000 images; got -1"),
        ("validation", Int.max, "--validation must be from 0 to 10000000 images; got 9223372036854775807"),
        ("warmup", -1, "--warmup must be from 0 to 10000000 steps; got -1"),
        ("patience", 0, "--patience must be from 1 to 10000 epochs; got 0"),
        ("threads", 0, "--threads must be from 1 to 256 threads; got 0"),
        ("batch", Int.max, "--batch-size must be from 1 to 2048 images per step"),
        ("epochs", Int.max, "--epochs must be from 1 to 10000 epochs"),
    ])
    func ranges(setting: String, value: Int, expected: String) {
        var configuration = TrainerTests.configuration()
        switch setting {
        case "subset": configuration.trainingSubset = value
        case "validation": configuration.validationCount = value
        case "warmup": configuration.warmupSteps = value
        case "patience": configuration.patience = value
        case "threads": configuration.threads = value
        case "batch": configuration.batchSize = value
        default: configuration.epochs = value
        }
        let message = Self.message { try configuration.validate() }
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "accepted")")
    }

    @Test("the largest subset and validation counts are accepted and take what the set holds")
    func largestCounts() throws {
        var configuration = TrainerTests.configuration()
        configuration.trainingSubset = TrainingConfiguration.Limits.images.upperBound
        configuration.validationCount = 200
        let trainer = try Trainer(configuration: configuration, data: TrainerTests.data)
        #expect(trainer.trainingIndices.count == 1_000)
    }
}

extension TrainingData {
    func withTest(_ test: LabelledImages) -> TrainingData { TrainingData(source: source, train: train, test: test) }
}
