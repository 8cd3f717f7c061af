import ConvKernels
import Foundation
import Networks
import Datasets

/// The training loop: mini-batches shuffled by seed, the optimizer, evaluation on the validation
/// and test sets after every epoch, early stopping, divergence, events and snapshots.
///
/// `run` is synchronous; `TrainingSession` runs it on a background thread. The loop never waits for
/// whoever reads its events: they are handed over as values.
public struct Trainer: Sendable {
    public private(set) var configuration: TrainingConfiguration
    public let data: TrainingData
    public private(set) var network: Network
    public private(set) var optimizer: TrainingOptimizer
    /// Epochs finished, steps taken, and batches done in the current epoch (0 at an epoch boundary).
    public private(set) var epochsCompleted = 0
    public private(set) var stepsTaken = 0
    public private(set) var batchesDoneInEpoch = 0
    /// The training images (after the validation split), the validation images, by index into `data.train`.
    public let trainingIndices: [Int]
    public let validationIndices: [Int]
    private let trainBatches: BatchMaker
    private let testBatches: BatchMaker
    private var latestConfusion: ConfusionMatrix?
    /// The gradients at the last step taken (nil before the first): every snapshot carries what
    /// the screen shows of them, those taken at an epoch's end or after the run too.
    private var lastStepGradients: [Tensor]?
    /// Which image of the probe set (the validation set, else the test set) snapshots show.
    public private(set) var probePosition: Int
    /// Random draws for dropout and augmentation.
    private var random: SeededRandom

    /// A trainer at step 0, or continuing `resume` (a checkpoint written by a trainer: its network,
    /// weights, optimizer state, position and seed). The checkpoint's network must be
    /// `configuration.spec`.
    ///
    /// - Throws: `KernelError` for a bad configuration (naming the flag), `NetworkSpecError` for a
    ///   network too large to train, `CheckpointError` for a checkpoint that does not fit (naming the
    ///   file), `DatasetError` for data or a split that does not fit the network.
    public init(configuration: TrainingConfiguration, data: TrainingData,
                resume: (checkpoint: Checkpoint, name: String)? = nil) throws {
        try configuration.validate()
        var configuration = configuration
        var network = try Network(spec: configuration.spec, seed: configuration.seed)
        var optimizer = try TrainingOptimizer(kind: configuration.optimizer, learningRate: configuration.baseLearningRate,
                                              momentum: configuration.momentum, weightDecay: configuration.weightDecay,
                                              threads: configuration.threads)
        if let (checkpoint, name) = resume {
            network = try Network(checkpoint: checkpoint, file: name)
            guard network.spec == configuration.spec else {
                throw CheckpointError("\(name): holds the network '\(network.spec.name)' (\(network.spec.layers.count) "
                    + "layers, \(network.parameterCount.formatted()) parameters), not the one asked for "
                    + "('\(configuration.spec.name)', \(configuration.spec.layers.count) layers); resume it without --arch, "
                    + "--variant, --batch-norm or --dropout, which its checkpoint records")
            }
            try optimizer.restore(from: checkpoint.metadata, shapes: network.parameters.map(\.shape), name: name)
            if let seed = checkpoint.metadata["seed"].flatMap(UInt64.init) { configuration.seed = seed }
        }
        try Self.checkFits(data, network: network.spec, configuration: configuration)
        // Both are at most 10 million (validate()), so the sum cannot overflow.
        let usable = min(configuration.trainingSubset.map { $0 + configuration.validationCount } ?? data.train.count,
                         data.train.count)
        // The split is fixed by the seed: the same images are held out on every resume.
        var splitRandom = SeededRandom(seed: configuration.seed &+ 0x5EED)
        var order = Array(0..<data.train.count)
        Self.shuffle(&order, random: &splitRandom)
        validationIndices = Array(order[0..<configuration.validationCount])
        trainingIndices = Array(order[configuration.validationCount..<usable])
        guard configuration.probeIndex >= 0 else {
            throw KernelError("--probe \(configuration.probeIndex) is invalid; give an image number, 0 or more")
        }

        self.configuration = configuration
        self.data = data
        self.network = network
        self.optimizer = optimizer
        probePosition = configuration.probeIndex
        trainBatches = BatchMaker(images: data.train, mean: data.mean, standardDeviation: data.standardDeviation)
        testBatches = BatchMaker(images: data.test, mean: data.mean, standardDeviation: data.standardDeviation)
        random = SeededRandom(seed: configuration.seed &+ 0xD12017)
        if let (checkpoint, name) = resume {
            let position = try ResumePosition(metadata: checkpoint.metadata, name: name)
            epochsCompleted = position.epoch
            stepsTaken = position.step
            batchesDoneInEpoch = position.batch < stepsPerEpoch ? position.batch : 0
        }
    }

    /// Refuses data this network cannot train on or report about: images of another size than it
    /// takes, labels outside its classes, an empty training set, no validation and no test images at
    /// all, or a validation split that leaves nothing to train on.
    static func checkFits(_ data: TrainingData, network spec: NetworkSpec,
                          configuration: TrainingConfiguration) throws(DatasetError) {
        let given = FeatureShape.maps(channels: 1, height: data.train.rows, width: data.train.columns)
        guard spec.input == given else {
            throw DatasetError("\(spec.name) takes \(spec.input) input (channels x height x width) but the images of "
                + "\(data.name) are \(given); give a network whose input is \(given.dimensions.map(String.init).joined(separator: ", ")) "
                + "(input = [\(given.dimensions.map(String.init).joined(separator: ", "))] in its spec)")
        }
        try data.checkLabels(classes: spec.classes)
        guard data.train.count > 0 else {
            throw DatasetError("\(data.name): the training set holds no images; give a dataset with training images")
        }
        // Snapshots follow a probe image from the validation set, else from the test set: one of them must hold one.
        guard data.test.count > 0 || configuration.validationCount > 0 else {
            throw DatasetError("\(data.name): the test set holds no images and --validation 0 holds none out; give "
                + "--validation 1 or more, or a dataset with test images, so that there is an image to evaluate and show")
        }
        guard configuration.validationCount < data.train.count else {
            throw DatasetError("--validation \(configuration.validationCount) leaves no training images out of the "
                + "\(data.train.count) in \(data.name); give fewer than \(data.train.count)")
        }
    }

    public var stepsPerEpoch: Int { (trainingIndices.count + configuration.batchSize - 1) / configuration.batchSize }

    /// The learning rate for step `step` (from 0): the base rate times the schedule's factor and the
    /// warm-up ramp, times `scale` (the screen's + and - keys).
    func learningRate(step: Int, scale: Float) -> Float {
        var rate = configuration.baseLearningRate
            * configuration.schedule.factor(step: step, stepsPerEpoch: stepsPerEpoch, epochs: configuration.epochs)
        if configuration.warmupSteps > 0 && step < configuration.warmupSteps {
            rate *= Float(step + 1) / Float(configuration.warmupSteps)
        }
        return rate * scale
    }

    /// Trains until every epoch has run, early stopping, divergence, or `control` says stop.
    ///
    /// - Parameters:
    ///   - emit: receives every event, on this thread, in order.
    ///   - snapshot: receives a snapshot at most every `configuration.snapshotInterval` seconds.
    public mutating func run(control: TrainingControl = TrainingControl(),
                             emit: (TrainingEvent) -> Void,
                             snapshot: (TrainingSnapshot) -> Void = { _ in }) -> TrainingOutcome {
        let started = Date()
        let threads = configuration.threads, batchSize = configuration.batchSize
        emit(.started(TrainingStart(
            datasetName: data.name, datasetDescription: data.description, trainingImages: trainingIndices.count,
            validationImages: validationIndices.count, testImages: data.test.count, stepsPerEpoch: stepsPerEpoch,
            epochs: configuration.epochs, firstEpoch: epochsCompleted + 1, firstStep: stepsTaken,
            networkName: network.spec.name, parameterCount: network.parameterCount)))

        var lastEpoch: EpochReport?
        var bestValidationLoss = Double.infinity, bestEpoch = epochsCompleted, bestParameters = network.parameters
        var bestStatistics = network.buffers
        var epochsWithoutImprovement = 0
        var lastSnapshot = Date.distantPast
        // Images per second over a sliding window of about half a second.
        var rateWindowStart = Date(), rateWindowImages = 0, recentRate = 0.0

        func finish(_ reason: TrainingOutcome.Reason) -> TrainingOutcome {
            let outcome = TrainingOutcome(reason: reason, epochsCompleted: epochsCompleted, steps: stepsTaken,
                                          lastEpoch: lastEpoch, seconds: Date().timeIntervalSince(started))
            emit(.finished(outcome))
            return outcome
        }

        while epochsCompleted < configuration.epochs {
            let epoch = epochsCompleted
            let epochStarted = Date()
            var trainingSeconds = 0.0, trainedImages = 0
            var lossSum = 0.0, correct = 0, lossBatches = 0
            var order = trainingIndices
            var shuffleRandom = SeededRandom(seed: configuration.seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
            Self.shuffle(&order, random: &shuffleRandom)

            while batchesDoneInEpoch < stepsPerEpoch {
                let keepGoing = control.waitForNextStep { requests in
                    serve(requests, emit: emit, snapshot: snapshot)
                }
                guard keepGoing else { return finish(.stopped) }
                let stepStarted = Date()
                let range = (batchesDoneInEpoch * batchSize)..<min(order.count, (batchesDoneInEpoch + 1) * batchSize)
                let (images, labels) = trainBatches.batch(order[range], augmentation: configuration.augmentation,
                                                          random: &random)
                let rate = learningRate(step: stepsTaken, scale: control.learningRateScale)
                optimizer.learningRate = rate
                let result: (loss: Float, correct: Int, gradients: [Tensor])
                do {
                    result = try step(images: images, labels: labels, threads: threads)
                } catch {
                    preconditionFailure("a \(network.spec.name) step failed on a well-formed batch: \(error)")
                }
                guard result.loss.isFinite && Self.allFinite(result.gradients) else {
                    // The update is not applied: the weights stay those of the last good step.
                    return finish(.diverged(step: stepsTaken + 1, suggestedLearningRate: Self.suggestion(below: rate)))
                }
                optimizer.step(parameters: &network.parameters, gradients: result.gradients)
                lastStepGradients = result.gradients
                stepsTaken += 1
                batchesDoneInEpoch += 1
                lossSum += Double(result.loss) * Double(labels.count)
                lossBatches += labels.count
                correct += result.correct

                let now = Date()
                trainingSeconds += now.timeIntervalSince(stepStarted)
                trainedImages += labels.count
                rateWindowImages += labels.count
                let windowSeconds = now.timeIntervalSince(rateWindowStart)
                if windowSeconds >= 0.5 || recentRate == 0 {
                    recentRate = Double(rateWindowImages) / max(windowSeconds, 1e-9)
                    rateWindowStart = now
                    rateWindowImages = 0
                }
                emit(.step(StepReport(epoch: epoch + 1, batch: batchesDoneInEpoch, batchesPerEpoch: stepsPerEpoch,
                                      step: stepsTaken, loss: result.loss,
                                      accuracy: Float(result.correct) / Float(labels.count),
                                      learningRate: rate, imagesPerSecond: recentRate)))
                if now.timeIntervalSince(lastSnapshot) >= configuration.snapshotInterval {
                    snapshot(takeSnapshot(epoch: epoch + 1, gradients: result.gradients))
                    lastSnapshot = Date()
                }
            }

            // The epoch's end: evaluation, the report, early stopping.
            let validation = validationIndices.isEmpty ? nil
                : evaluate(trainBatches, indices: validationIndices, threads: threads,
                           misclassifiedLimit: MisclassifiedExample.limit)
            let test = evaluate(testBatches, indices: Array(0..<data.test.count), threads: threads,
                                misclassifiedLimit: validation == nil ? MisclassifiedExample.limit : 0)
            latestConfusion = validation?.confusion ?? test.confusion
            epochsCompleted += 1
            batchesDoneInEpoch = 0
            let report = EpochReport(
                epoch: epoch + 1, step: stepsTaken, loss: lossBatches == 0 ? 0 : lossSum / Double(lossBatches),
                trainAccuracy: lossBatches == 0 ? 0 : Double(correct) / Double(lossBatches),
                validationLoss: validation?.loss, validationAccuracy: validation?.confusion.accuracy,
                testLoss: test.loss, testAccuracy: test.confusion.accuracy,
                learningRate: optimizer.learningRate,
                imagesPerSecond: trainingSeconds > 0 ? Double(trainedImages) / trainingSeconds : 0,
                seconds: Date().timeIntervalSince(epochStarted), confusion: latestConfusion ?? test.confusion,
                misclassified: validation?.misclassified ?? test.misclassified)
            lastEpoch = report
            emit(.epoch(report))
            snapshot(takeSnapshot(epoch: epoch + 1, gradients: nil))
            lastSnapshot = Date()

            if let patience = configuration.patience, let validationLoss = validation?.loss {
                if validationLoss < bestValidationLoss {
                    bestValidationLoss = validationLoss
                    bestEpoch = epoch + 1
                    bestParameters = network.parameters
                    bestStatistics = network.buffers
                    epochsWithoutImprovement = 0
                } else {
                    epochsWithoutImprovement += 1
                    if epochsWithoutImprovement >= patience {
                        network.parameters = bestParameters
                        network.buffers = bestStatistics
                        return finish(.earlyStopped(bestEpoch: bestEpoch))
                    }
                }
            }
        }
        serve(control.takeRequests(), emit: emit, snapshot: snapshot)
        return finish(.completed)
    }

    /// Forward (training mode), loss and backward for one batch, with L1 added to the weights'
    /// gradients; the update is left to the caller.
    mutating func step(images: Tensor, labels: [Int], threads: Int) throws(KernelError)
        -> (loss: Float, correct: Int, gradients: [Tensor]) {
        let trace = try network.forwardForTraining(images, random: &random, threads: threads)
        let (loss, dLogits) = try SoftmaxCrossEntropy.forward(logits: trace.logits, labels: labels)
        var gradients = try network.backward(trace, dLogits: dLogits, threads: threads).parameters
        if configuration.l1 > 0 {
            for layer in network.weightedLayers { addL1(&gradients[layer.weight], weights: network.parameters[layer.weight]) }
        }
        return (loss, Self.correctCount(logits: trace.logits, labels: labels), gradients)
    }

    /// One whole training step on a batch outside the run's schedule (for benchmarks): forward,
    /// loss, backward and the optimizer's update at the current learning rate.
    ///
    /// - Parameters: images `[N, C, H, W]` as the spec's input, already normalised; `labels` N classes.
    public mutating func trainStep(images: Tensor, labels: [Int]) throws(KernelError) -> (loss: Float, correct: Int) {
        let result = try step(images: images, labels: labels, threads: configuration.threads)
        optimizer.step(parameters: &network.parameters, gradients: result.gradients)
        return (result.loss, result.correct)
    }

    /// Normalised input batches of training images `indices` (for benchmarks), as a step takes them.
    public func trainingBatch(_ indices: ArraySlice<Int>) -> (images: Tensor, labels: [Int]) {
        var unused = SeededRandom(seed: 0)
        return trainBatches.batch(indices, random: &unused)
    }

    private func addL1(_ gradient: inout Tensor, weights: Tensor) {
        let l1 = configuration.l1
        for index in 0..<gradient.count {
            let w = weights.data[index]
            gradient.data[index] += w > 0 ? l1 : (w < 0 ? -l1 : 0)
        }
    }

    /// The mean loss and the confusion matrix over `indices`, in evaluation mode, and the first
    /// `misclassifiedLimit` images it got wrong.
    func evaluate(_ maker: BatchMaker, indices: [Int], threads: Int, misclassifiedLimit: Int = 0)
        -> (loss: Double, confusion: ConfusionMatrix, misclassified: [MisclassifiedExample]) {
        let classes = network.spec.classes
        var confusion = ConfusionMatrix(classes: classes)
        var misclassified: [MisclassifiedExample] = []
        var lossSum = 0.0
        var unused = SeededRandom(seed: 0)
        var start = 0
        while start < indices.count {
            let end = min(indices.count, start + Self.evaluationBatchSize)
            let (images, labels) = maker.batch(indices[start..<end], random: &unused)
            do {
                let logits = try network.logits(images, threads: threads)
                let (loss, _) = try SoftmaxCrossEntropy.forward(logits: logits, labels: labels)
                lossSum += Double(loss) * Double(labels.count)
                for (row, label) in labels.enumerated() {
                    let predicted = Self.argmax(logits.data, row: row, width: classes)
                    confusion.add(actual: label, predicted: predicted)
                    if predicted != label && misclassified.count < misclassifiedLimit {
                        misclassified.append(maker.misclassifiedExample(index: indices[start + row], predicted: predicted))
                    }
                }
            } catch {
                preconditionFailure("evaluating \(network.spec.name) failed on a well-formed batch: \(error)")
            }
            start = end
        }
        return (indices.isEmpty ? 0 : lossSum / Double(indices.count), confusion, misclassified)
    }

    /// Images per evaluation pass: large enough to keep the cores busy, small enough that a wide
    /// network's unfolded windows stay small (resnet-mini's first 3x3 convolutions unfold 144 values
    /// per pixel: 225 MB for 500 images, 45 MB for 100).
    static let evaluationBatchSize = 100

    /// The figures for a split (`validation` or `test`) with the current weights.
    public func evaluate(split: EvaluationSplit) -> (loss: Double, confusion: ConfusionMatrix) {
        let result = switch split {
        case .validation: evaluate(trainBatches, indices: validationIndices, threads: configuration.threads)
        case .test: evaluate(testBatches, indices: Array(0..<data.test.count), threads: configuration.threads)
        }
        return (result.loss, result.confusion)
    }

    public enum EvaluationSplit: Sendable { case validation, test }

    /// Serves what a screen asked between steps: checkpoints, another probe, an evaluation.
    mutating func serve(_ requests: TrainingRequests, emit: (TrainingEvent) -> Void,
                        snapshot: (TrainingSnapshot) -> Void) {
        for path in requests.checkpoints { saveRequested(path, emit: emit) }
        if requests.evaluation { emit(.evaluated(evaluationReport())) }
        if requests.probeMove != 0 { moveProbe(by: requests.probeMove) }
        if requests.evaluation || requests.probeMove != 0 { snapshot(currentSnapshot()) }
    }

    /// Moves the probe `offset` images through its set (wrapping at either end).
    public mutating func moveProbe(by offset: Int) {
        let count = validationIndices.isEmpty ? data.test.count : validationIndices.count
        guard count > 0 else { return }
        probePosition = ((probePosition + offset) % count + count) % count
    }

    /// The validation set (the test set when there is none) evaluated with the weights as they are
    /// now: the confusion matrix and the first misclassified images. Also kept for later snapshots.
    public mutating func evaluationReport() -> EvaluationReport {
        let onValidation = !validationIndices.isEmpty
        let result = onValidation
            ? evaluate(trainBatches, indices: validationIndices, threads: configuration.threads,
                       misclassifiedLimit: MisclassifiedExample.limit)
            : evaluate(testBatches, indices: Array(0..<data.test.count), threads: configuration.threads,
                       misclassifiedLimit: MisclassifiedExample.limit)
        latestConfusion = result.confusion
        return EvaluationReport(epoch: epochUnderWay, step: stepsTaken,
                                isValidation: onValidation, loss: result.loss, confusion: result.confusion,
                                misclassified: result.misclassified, onRequest: true)
    }

    /// A snapshot of the weights and the probe as they are now, with the last step's gradients.
    public func currentSnapshot() -> TrainingSnapshot {
        takeSnapshot(epoch: epochUnderWay, gradients: nil)
    }

    /// The epoch a mid-epoch report belongs to: the one under way, or the last finished at a boundary.
    private var epochUnderWay: Int { epochsCompleted + (batchesDoneInEpoch > 0 ? 1 : 0) }

    private func takeSnapshot(epoch: Int, gradients: [Tensor]?) -> TrainingSnapshot {
        let probeSet = validationIndices.isEmpty ? (maker: testBatches, indices: Array(0..<data.test.count))
            : (maker: trainBatches, indices: validationIndices)
        let probeIndex = probeSet.indices[probePosition % probeSet.indices.count]
        var unused = SeededRandom(seed: 0)
        let (image, labels) = probeSet.maker.batch([probeIndex][...], random: &unused)
        let stages: [Network.Stage], probabilities: [Float]
        do {
            stages = try network.stages(image, threads: 1)
            probabilities = try Softmax.forward(input: stages[stages.count - 1].output).data
        } catch {
            preconditionFailure("\(network.spec.name) failed on the probe image: \(error)")
        }
        let gradients = gradients ?? lastStepGradients
        let layers = network.weightedLayers.map { layer in
            let gradient = gradients?[layer.weight]
            return TrainingSnapshot.LayerState(
                label: layer.label, kind: layer.kind, weights: network.parameters[layer.weight],
                gradient: gradient ?? Tensor(zeros: network.parameters[layer.weight].shape),
                gradientNorm: gradient.map(Self.norm) ?? 0)
        }
        return TrainingSnapshot(epoch: epoch, step: stepsTaken, networkName: network.spec.name, layers: layers,
                                probeIndex: probeIndex, probeLabel: labels[0], probeInput: image, probeStages: stages,
                                probeProbabilities: probabilities, confusion: latestConfusion)
    }

    /// The checkpoint of the run as it stands: weights under PyTorch's names, and in the metadata
    /// everything `--resume` needs (position, seed, optimizer state) and the inspector needs
    /// (normalisation).
    public func checkpoint() -> Checkpoint {
        var metadata = optimizer.metadata
        metadata["trainer"] = "convtutor"
        metadata["epoch"] = "\(epochsCompleted)"
        metadata["step"] = "\(stepsTaken)"
        metadata["batch"] = "\(batchesDoneInEpoch)"
        metadata["seed"] = "\(configuration.seed)"
        metadata["dataset"] = data.name
        metadata["normalization_mean"] = "\(data.mean)"
        metadata["normalization_std"] = "\(data.standardDeviation)"
        metadata["learning_rate"] = "\(configuration.baseLearningRate)"
        metadata["batch_size"] = "\(configuration.batchSize)"
        metadata["weight_decay"] = "\(configuration.weightDecay)"
        metadata["l1"] = "\(configuration.l1)"
        metadata["augmentation"] = configuration.augmentation == nil ? "false" : "true"
        if let accuracy = lastTestAccuracy { metadata["test_accuracy"] = "\(accuracy)" }
        return network.checkpoint(metadata: metadata)
    }

    /// Set from outside after the run to record the final test accuracy in the checkpoint.
    public var lastTestAccuracy: Double?

    private func saveRequested(_ path: String, emit: (TrainingEvent) -> Void) {
        do {
            try checkpoint().write(to: path)
            emit(.checkpointSaved(path: path))
        } catch {
            emit(.checkpointFailed(path: path, message: error.message))
        }
    }

    // MARK: Helpers

    static func shuffle(_ values: inout [Int], random: inout SeededRandom) {
        // Fisher-Yates with the seeded generator, so that an order depends on the seed alone.
        guard values.count > 1 else { return }
        for index in stride(from: values.count - 1, to: 0, by: -1) {
            let other = Int(random.next() % UInt64(index + 1))
            values.swapAt(index, other)
        }
    }

    /// The Euclidean (L2) norm of a tensor's values, summed in Double.
    static func norm(_ tensor: Tensor) -> Double {
        var sum = 0.0
        for value in tensor.data { sum += Double(value) * Double(value) }
        return sum.squareRoot()
    }

    static func argmax(_ data: [Float], row: Int, width: Int) -> Int {
        var best = 0
        for column in 1..<width where data[row * width + column] > data[row * width + best] { best = column }
        return best
    }

    static func correctCount(logits: Tensor, labels: [Int]) -> Int {
        var correct = 0
        let width = logits.shape[1]
        for (row, label) in labels.enumerated() where argmax(logits.data, row: row, width: width) == label { correct += 1 }
        return correct
    }

    /// True when no gradient holds a NaN or an infinity (a NaN or infinity times 0 is NaN, and NaN
    /// spreads through the sum, so one pass of multiply-adds decides it).
    static func allFinite(_ tensors: [Tensor]) -> Bool {
        for tensor in tensors {
            var sum = SIMD8<Float>()
            tensor.data.withUnsafeBufferPointer { values in
                var index = 0
                while index + 8 <= values.count {
                    sum += SIMD8<Float>(values[index..<(index + 8)]) * 0
                    index += 8
                }
                while index < values.count {
                    sum[0] += values[index] * 0
                    index += 1
                }
            }
            if !sum.sum().isFinite { return false }
        }
        return true
    }

    /// A learning rate to suggest after divergence at `rate`: a tenth of it, rounded to one significant digit.
    static func suggestion(below rate: Float) -> Float {
        let target = Double(rate) / 10
        guard target > 0 && target.isFinite else { return rate }
        let magnitude = pow(10, (log10(target)).rounded(.down))
        return Float((target / magnitude).rounded(.down) * magnitude)
    }
}

extension BatchMaker {
    /// Image `index` of the set with its brightness 0...1 (not normalised), as a gallery draws it.
    func misclassifiedExample(index: Int, predicted: Int) -> MisclassifiedExample {
        let size = images.rows * images.columns
        let pixels = images.pixels[(index * size)..<((index + 1) * size)].map { Float($0) / 255 }
        return MisclassifiedExample(index: index, label: Int(images.labels[index]), predicted: predicted,
                                    rows: images.rows, columns: images.columns, pixels: pixels)
    }
}
