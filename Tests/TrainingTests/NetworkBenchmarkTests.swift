import ConvKernels
import Testing
@testable import Training
import Networks
import Datasets

/// The whole-network benchmark's shape on tiny windows. Benchmarks measure, tests assert: no
/// figure here is compared with a speed.
@Suite("NetworkBenchmark")
struct NetworkBenchmarkTests {
    static let data: TrainingData = {
        let (train, test) = SyntheticDigits.make(trainCount: 300, testCount: 40, seed: 5)
        return TrainingData(source: .builtInDigits(seed: 5), train: train, test: test)
    }()

    static func tinySettings() -> NetworkBenchmark.Settings {
        var settings = NetworkBenchmark.Settings()
        settings.trainBatchSizes = [1, 16, 64, 256]
        settings.inferenceBatchSizes = [1, 32]
        settings.warmUpSeconds = 0.01
        settings.seconds = 0.02
        settings.threads = 1
        return settings
    }

    @Test("the default settings are the peer's protocol")
    func defaults() {
        let settings = NetworkBenchmark.Settings()
        #expect(settings.trainBatchSizes == [1, 16, 64, 256])
        #expect(settings.inferenceBatchSizes == [1, 256])
        #expect(settings.warmUpSeconds == 1 && settings.seconds == 3)
        #expect(settings.threads == Parallel.defaultThreads)
    }

    @Test("every batch size is measured, in order, with whole steps and positive rates")
    func shape() throws {
        var told: [String] = []
        let result = try NetworkBenchmark.run(data: Self.data, settings: Self.tinySettings()) { told.append($0) }
        #expect(result.training.map(\.batchSize) == [1, 16, 64, 256])
        #expect(result.inference.map(\.batchSize) == [1, 32])
        for rate in result.training + result.inference {
            #expect(rate.steps >= 1)
            #expect(rate.images == rate.steps * rate.batchSize)
            #expect(rate.seconds >= 0.02)
            #expect(rate.imagesPerSecond > 0 && rate.imagesPerSecond.isFinite)
        }
        #expect(result.threads == 1)
        #expect(result.parameterCount == 61_706)
        #expect(result.peakResidentMegabytes > 0)
        #expect(told == ["training, batch 1", "training, batch 16", "training, batch 64", "training, batch 256",
                         "inference, batch 1", "inference, batch 32"])
    }

    @Test("a batch larger than the set is an error that names both sizes")
    func batchTooLarge() {
        var settings = Self.tinySettings()
        settings.inferenceBatchSizes = [41]
        do {
            _ = try NetworkBenchmark.run(data: Self.data, settings: settings)
            Issue.record("a batch of 41 from 40 test images was accepted")
        } catch let error as DatasetError {
            #expect(error.message.contains("batch 41") && error.message.contains("has 40"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("the peak resident memory is this process's, in MiB")
    func peakMemory() {
        let before = NetworkBenchmark.peakResidentMegabytes()
        // 64 MiB touched: the peak cannot stay below it.
        var block = [UInt8](repeating: 1, count: 64 << 20)
        block[block.count - 1] = 2
        let after = NetworkBenchmark.peakResidentMegabytes()
        #expect(block.last == 2)
        #expect(after >= 64 && after >= before)
    }

    @Test("the screen-overhead run is one epoch of exactly the steps asked for, and the headless rate counts them")
    func overheadRun() throws {
        let trainer = try NetworkBenchmark.overheadTrainer(steps: 3, batchSize: 8, threads: 1)
        #expect(trainer.stepsPerEpoch == 3)
        #expect(trainer.configuration.epochs == 1)
        let rate = NetworkBenchmark.headlessRate(trainer)
        #expect(rate.steps == 3 && rate.images == 24 && rate.batchSize == 8)
        #expect(rate.seconds > 0 && rate.imagesPerSecond > 0)
        #expect(throws: KernelError.self) { try NetworkBenchmark.overheadTrainer(steps: 0, threads: 1) }
    }
}
