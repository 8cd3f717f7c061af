import ConvKernels
import Foundation
import Synchronization
import Networks
import Datasets

/// Whole-network speed of the default network (LeNet-5), measured the way ../shared/bench/lenet_peer.py measures PyTorch,
/// so that the two sets of figures can stand side by side:
///
/// - Training: for each batch size, walk a random permutation of the training images; each step
///   assembles the normalised batch (`Trainer.trainingBatch`, as the peer's indexing copies its
///   batch) and takes one whole Adam step (`Trainer.trainStep`: forward in training mode,
///   cross-entropy, backward, update). One model and optimizer carry on across the batch sizes, as
///   in the peer.
/// - Inference: evaluation-mode forward passes over consecutive test images. The batch is made from
///   the image bytes inside the timed step (the peer slices an already normalised tensor, so this
///   counts a little more work against us).
/// - Each measurement: `warmUpSeconds` of steps, then steps until `seconds` have passed; images per
///   second = images in the timed steps / their wall time.
public enum NetworkBenchmark {
    /// What to measure and for how long. The defaults are the peer's protocol.
    public struct Settings: Sendable {
        public var trainBatchSizes: [Int] = [1, 16, 64, 256]
        public var inferenceBatchSizes: [Int] = [1, 256]
        /// Untimed seconds of steps before each timed window.
        public var warmUpSeconds: Double = 1
        /// The timed window per batch size.
        public var seconds: Double = 3
        public var threads: Int = Parallel.defaultThreads
        /// Seeds the network's initialisation and the permutations.
        public var seed: UInt64 = 0

        public init() {}
    }

    /// One measured batch size.
    public struct Rate: Sendable, Equatable {
        public let batchSize: Int
        /// Steps and images in the timed window, and its wall time in seconds.
        public let steps: Int
        public let images: Int
        public let seconds: Double

        public var imagesPerSecond: Double { Double(images) / seconds }

        public init(batchSize: Int, steps: Int, images: Int, seconds: Double) {
            self.batchSize = batchSize
            self.steps = steps
            self.images = images
            self.seconds = seconds
        }
    }

    /// Every figure of one run.
    public struct Result: Sendable {
        public let threads: Int
        public let parameterCount: Int
        /// One rate per `Settings.trainBatchSizes`, in that order.
        public let training: [Rate]
        /// One rate per `Settings.inferenceBatchSizes`, in that order.
        public let inference: [Rate]
        /// The process's peak resident memory when the measurements ended, in MiB (`peakResidentMegabytes()`).
        public let peakResidentMegabytes: Double
    }

    /// Measures training and inference throughput on `data` (its training images for training, its
    /// test images for inference).
    ///
    /// - Parameter progress: told what is being measured next ("training, batch 64"), on this thread.
    /// - Throws: `DatasetError` when a set has fewer images than a batch size asks for;
    ///   `KernelError` for settings the trainer refuses (a batch size or thread count out of range).
    public static func run(data: TrainingData, settings: Settings = Settings(),
                           progress: (String) -> Void = { _ in }) throws -> Result {
        for batchSize in settings.trainBatchSizes where batchSize > data.train.count {
            throw DatasetError("batch \(batchSize) needs \(batchSize) training images; \(data.name) has "
                + "\(data.train.count); give a set with at least \(batchSize)")
        }
        for batchSize in settings.inferenceBatchSizes where batchSize > data.test.count {
            throw DatasetError("batch \(batchSize) needs \(batchSize) test images; \(data.name) has "
                + "\(data.test.count); give a set with at least \(batchSize)")
        }
        guard settings.warmUpSeconds >= 0, settings.seconds > 0 else {
            throw KernelError("benchmark window \(settings.warmUpSeconds) s warm-up + \(settings.seconds) s is invalid; "
                + "the warm-up must be 0 or more and the timed window above 0")
        }

        var configuration = TrainingConfiguration()
        configuration.optimizer = .adam
        configuration.learningRate = 1e-3
        configuration.validationCount = 0
        configuration.threads = settings.threads
        configuration.seed = settings.seed
        // Only the range check reads it: `trainStep` takes whatever batch it is given.
        configuration.batchSize = settings.trainBatchSizes.max() ?? 1
        var trainer = try Trainer(configuration: configuration, data: data)

        var training: [Rate] = []
        for batchSize in settings.trainBatchSizes {
            progress("training, batch \(batchSize)")
            // A fresh permutation per batch size, walked in order and started again at its end.
            var order = trainer.trainingIndices
            var random = SeededRandom(seed: settings.seed &+ UInt64(batchSize))
            Trainer.shuffle(&order, random: &random)
            var position = 0
            training.append(try measure(batchSize: batchSize, settings: settings) { () throws(KernelError) in
                if position + batchSize > order.count { position = 0 }
                let (images, labels) = trainer.trainingBatch(order[position..<(position + batchSize)])
                position += batchSize
                _ = try trainer.trainStep(images: images, labels: labels)
            })
        }

        let network = trainer.network
        let testBatches = BatchMaker(images: data.test, mean: data.mean, standardDeviation: data.standardDeviation)
        let testIndices = Array(0..<data.test.count)
        var unused = SeededRandom(seed: 0)
        var inference: [Rate] = []
        for batchSize in settings.inferenceBatchSizes {
            progress("inference, batch \(batchSize)")
            var position = 0
            inference.append(try measure(batchSize: batchSize, settings: settings) { () throws(KernelError) in
                if position + batchSize > testIndices.count { position = 0 }
                let (images, _) = testBatches.batch(testIndices[position..<(position + batchSize)], random: &unused)
                position += batchSize
                _ = try network.logits(images, threads: settings.threads)
            })
        }
        return Result(threads: settings.threads, parameterCount: network.parameterCount, training: training,
                      inference: inference, peakResidentMegabytes: peakResidentMegabytes())
    }

    /// Images per second of `step` over a window of `seconds`, after a warm-up of a fifth of it.
    static func rate(batchSize: Int, seconds: Double, _ step: () throws(KernelError) -> Void) throws(KernelError) -> Double {
        var settings = Settings()
        settings.seconds = seconds
        settings.warmUpSeconds = seconds / 5
        return try measure(batchSize: batchSize, settings: settings, step).imagesPerSecond
    }

    // MARK: Training with and without a screen reading it

    /// A short run for comparing a `TrainingSession` nobody reads with one a screen draws from: the
    /// default recipe (Adam, batch `batchSize`) on the built-in digits, one epoch of exactly `steps`
    /// steps, then an evaluation of 256 validation and 256 test images (cheap next to the steps, and
    /// the same in both runs).
    ///
    /// - Throws: `KernelError` for a step count, batch size or thread count out of range.
    public static func overheadTrainer(steps: Int, batchSize: Int = 32, threads: Int, seed: UInt64 = 0) throws -> Trainer {
        guard steps >= 1 else { throw KernelError("steps \(steps) is invalid; give 1 or more") }
        let validation = 256
        let data = overheadData(trainCount: steps * batchSize + validation)
        var configuration = TrainingConfiguration()
        configuration.batchSize = batchSize
        configuration.epochs = 1
        configuration.threads = threads
        configuration.seed = seed
        configuration.validationCount = validation
        return try Trainer(configuration: configuration, data: data)
    }

    /// The built-in digits for `overheadTrainer`, made once per size.
    private static func overheadData(trainCount: Int) -> TrainingData {
        overheadDataCache.withLock { cache in
            if let data = cache, data.train.count == trainCount { return data }
            let data = TrainingData.builtInDigits(seed: 0, trainCount: trainCount, testCount: 256)
            cache = data
            return data
        }
    }
    private static let overheadDataCache = Mutex<TrainingData?>(nil)

    /// Trains `trainer` to its end on a `TrainingSession` whose events and snapshots nobody reads
    /// (as `convtutor train --no-tui` without a terminal); the training steps' rate, timed from the
    /// session's start to its end.
    public static func headlessRate(_ trainer: Trainer) -> Rate {
        let clock = ContinuousClock()
        let start = clock.now
        let session = TrainingSession(trainer: trainer)
        let (finished, _) = session.wait()
        let elapsed = (clock.now - start).seconds
        let steps = finished.stepsTaken - trainer.stepsTaken
        return Rate(batchSize: trainer.configuration.batchSize, steps: steps,
                    images: steps * trainer.configuration.batchSize, seconds: elapsed)
    }

    /// Runs `step` (one batch of `batchSize` images) for the warm-up, then for the timed window.
    static func measure(batchSize: Int, settings: Settings, _ step: () throws(KernelError) -> Void) throws(KernelError) -> Rate {
        let clock = ContinuousClock()
        let warmUpStart = clock.now
        while (clock.now - warmUpStart).seconds < settings.warmUpSeconds { try step() }
        var steps = 0
        let start = clock.now
        // As the peer: the clock is read after each step, so the window ends on a whole step.
        repeat {
            try step()
            steps += 1
        } while (clock.now - start).seconds < settings.seconds
        let elapsed = (clock.now - start).seconds
        return Rate(batchSize: batchSize, steps: steps, images: steps * batchSize, seconds: elapsed)
    }

    /// This process's peak resident set size so far, in MiB (`getrusage`'s `ru_maxrss`, as the peer
    /// reports it: Linux counts it in KiB, macOS in bytes).
    public static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        #if canImport(Darwin)
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / (1024 * 1024)
        #else
        // Glibc imports RUSAGE_SELF as an enum case; the function takes its raw value.
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / 1024
        #endif
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
