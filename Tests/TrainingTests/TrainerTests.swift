import ConvKernels
import Foundation
import TestSupport
import Testing
@testable import Training
import Networks
import Datasets

/// The trainer on small sets of the built-in digits, on one thread so that every run is repeatable.
@Suite("Trainer")
struct TrainerTests {
    static let data: TrainingData = {
        let (train, test) = SyntheticDigits.make(trainCount: 1_200, testCount: 300, seed: 7)
        return TrainingData(source: .builtInDigits(seed: 7), train: train, test: test)
    }()

    static func configuration(epochs: Int = 1, batchSize: Int = 50) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.threads = 1
        configuration.validationCount = 200
        configuration.seed = 3
        configuration.learningRate = 1e-3
        configuration.schedule = .perEpoch(.constant)
        configuration.warmupSteps = 0
        return configuration
    }

    /// Polls `condition` every 10 ms until it holds (true) or `timeout` seconds pass (false).
    static func poll(timeout: Double = 60, _ condition: () -> Bool) -> Bool {
        BoundedWait.poll(seconds: timeout, interval: 0.01, condition)
    }

    /// Runs to the end, collecting the events.
    static func run(_ trainer: inout Trainer, control: TrainingControl = TrainingControl())
        -> (events: [TrainingEvent], outcome: TrainingOutcome, snapshots: Int) {
        var events: [TrainingEvent] = []
        var snapshots = 0
        let outcome = trainer.run(control: control, emit: { events.append($0) }, snapshot: { _ in snapshots += 1 })
        return (events, outcome, snapshots)
    }

    @Test("events come in order: started, a step per batch with an epoch after each epoch, then finished")
    func eventOrder() throws {
        var trainer = try Trainer(configuration: Self.configuration(epochs: 2), data: Self.data)
        // 1,000 training images in batches of 50.
        #expect(trainer.trainingIndices.count == 1_000 && trainer.validationIndices.count == 200)
        #expect(trainer.stepsPerEpoch == 20)
        let (events, outcome, snapshots) = Self.run(&trainer)
        var kinds: [String] = []
        for event in events {
            switch event {
            case .started: kinds.append("started")
            case .step: kinds.append("step")
            case .epoch: kinds.append("epoch")
            case .finished: kinds.append("finished")
            case .checkpointSaved, .checkpointFailed: kinds.append("checkpoint")
            case .evaluated: kinds.append("evaluated")
            }
        }
        let epoch = Array(repeating: "step", count: 20) + ["epoch"]
        #expect(kinds == ["started"] + epoch + epoch + ["finished"])
        #expect(outcome.reason == .completed && outcome.steps == 40 && outcome.epochsCompleted == 2)
        #expect(snapshots >= 2, "a snapshot at each epoch's end at least")
        let steps = events.compactMap { if case .step(let step) = $0 { step } else { nil } }
        #expect(steps.map(\.step) == Array(1...40))
        #expect(steps.last?.batch == 20 && steps.last?.epoch == 2 && steps.allSatisfy { $0.learningRate == 1e-3 })
        let reports = events.compactMap { if case .epoch(let report) = $0 { report } else { nil } }
        #expect(reports.map(\.epoch) == [1, 2])
        let last = try #require(reports.last)
        #expect(last.confusion.total == 200, "the validation confusion matrix counts the 200 validation images")
        #expect(last.validationAccuracy == last.confusion.accuracy)
        #expect(last.testAccuracy > 0.5, "40 steps on the built-in digits get most test digits right: \(last.testAccuracy)")
        #expect(reports[1].loss < reports[0].loss)
    }

    @Test("the validation split is held out of training, fixed by the seed")
    func validationSplit() throws {
        let a = try Trainer(configuration: Self.configuration(), data: Self.data)
        let b = try Trainer(configuration: Self.configuration(), data: Self.data)
        #expect(a.validationIndices == b.validationIndices)
        #expect(Set(a.validationIndices).isDisjoint(with: a.trainingIndices))
        #expect(Set(a.validationIndices + a.trainingIndices) == Set(0..<1_200))
        var other = Self.configuration()
        other.seed = 4
        #expect(try Trainer(configuration: other, data: Self.data).validationIndices != a.validationIndices)
    }

    @Test("a NaN loss stops at that step with a suggested rate, keeping the last good weights")
    func divergence() throws {
        var configuration = Self.configuration(epochs: 3)
        configuration.optimizer = .sgd
        // A rate so large that the first update sends the weights to 1e30 and the next forward pass overflows.
        configuration.learningRate = 1e30
        var trainer = try Trainer(configuration: configuration, data: Self.data)
        let (events, outcome, _) = Self.run(&trainer)
        guard case .diverged(let step, let suggestion) = outcome.reason else {
            Issue.record("expected divergence, got \(outcome.reason)")
            return
        }
        #expect(suggestion == Trainer.suggestion(below: 1e30) && suggestion < 1e30)
        #expect(outcome.message == "loss diverged at step \(step); try a learning rate below \(TrainingOutcome.format(suggestion))")
        #expect(step >= 2, "the first step's loss is finite")
        #expect(outcome.steps == step - 1, "the diverging step's update is not applied")
        let losses = events.compactMap { if case .step(let report) = $0 { report.loss } else { nil } }
        #expect(losses.count == step - 1 && losses.allSatisfy(\.isFinite))
        #expect(trainer.network.parameters.allSatisfy { $0.data.allSatisfy(\.isFinite) })
    }

    @Test("anneal: a cosine from the peak to a tenth over the first epoch, then to 0 over the rest")
    func anneal() {
        let schedule = TrainingSchedule.anneal
        func factor(_ step: Int) -> Float { schedule.factor(step: step, stepsPerEpoch: 100, epochs: 3) }
        #expect(factor(0) == 1)
        #expect(abs(factor(50) - 0.55) < 1e-6)
        #expect(factor(100) == 0.1)
        #expect(abs(factor(200) - 0.05) < 1e-6)
        #expect(abs(factor(300)) < 1e-6)
        #expect((1..<300).allSatisfy { factor($0) < factor($0 - 1) }, "it only falls")
        #expect(TrainingSchedule.perEpoch(.step(every: 1, factor: 0.5)).factor(step: 150, stepsPerEpoch: 100, epochs: 3) == 0.5)
    }

    @Test("warm-up ramps the rate up over the first steps; the schedule's factor follows")
    func warmup() throws {
        var configuration = Self.configuration()
        configuration.warmupSteps = 4
        configuration.schedule = .anneal
        let trainer = try Trainer(configuration: configuration, data: Self.data)
        let rates = (0..<6).map { trainer.learningRate(step: $0, scale: 1) }
        let anneal = (0..<6).map { 1e-3 * TrainingSchedule.anneal.factor(step: $0, stepsPerEpoch: 20, epochs: 1) }
        #expect(rates == [anneal[0] / 4, anneal[1] / 2, anneal[2] * 3 / 4, anneal[3], anneal[4], anneal[5]])
        #expect(trainer.learningRate(step: 5, scale: 2) == 2 * anneal[5])
    }

    @Test("the suggested rate is a tenth of the diverging one, rounded down to one digit")
    func suggestion() {
        #expect(Trainer.suggestion(below: 1) == 0.1)
        #expect(Trainer.suggestion(below: 0.35) == 0.03)
        #expect(Trainer.suggestion(below: 1e4) == 1000)
    }

    @Test("early stopping: validation loss that stops improving ends the run and restores the best epoch's weights")
    func earlyStopping() throws {
        // 20 training images learned by heart: the validation loss soon rises.
        var configuration = Self.configuration(epochs: 40, batchSize: 10)
        configuration.trainingSubset = 20
        configuration.learningRate = 1e-2
        configuration.patience = 2
        var trainer = try Trainer(configuration: configuration, data: Self.data)
        var bestSeen: Int?
        var bestLoss = Double.infinity
        var events: [TrainingEvent] = []
        let outcome = trainer.run(emit: { events.append($0) })
        let reports = events.compactMap { if case .epoch(let report) = $0 { report } else { nil } }
        guard case .earlyStopped(let bestEpoch) = outcome.reason else {
            Issue.record("expected early stopping within 40 epochs, got \(outcome.reason)")
            return
        }
        for report in reports where (report.validationLoss ?? .infinity) < bestLoss {
            bestLoss = report.validationLoss ?? .infinity
            bestSeen = report.epoch
        }
        #expect(bestEpoch == bestSeen)
        #expect(reports.count == bestEpoch + 2, "stopped two epochs after the best")
        // The restored weights give the best epoch's validation loss again.
        let (loss, _) = trainer.evaluate(split: .validation)
        #expect(abs(loss - bestLoss) < 1e-9, "restored weights give \(loss); the best epoch had \(bestLoss)")
    }

    @Test("pause, one step, resume and stop from another thread")
    func controls() throws {
        var configuration = Self.configuration(epochs: 50)
        configuration.snapshotInterval = 0
        let session = TrainingSession(trainer: try Trainer(configuration: configuration, data: Self.data), startPaused: true)
        // Every event so far, kept across polls (takeEvents hands each over once).
        var events: [TrainingEvent] = []
        func steps() -> [Int] {
            events += session.takeEvents()
            return events.compactMap { if case .step(let s) = $0 { s.step } else { nil } }
        }
        func started() -> Bool { events += session.takeEvents(); return events.contains { if case .started = $0 { true } else { false } } }
        // Bounded polls: a loaded machine may take many times as long as an idle one.
        #expect(Self.poll { started() }, "the run never started")
        // Started and paused: the loop waits for a step before the first one, however long this takes.
        #expect(steps().isEmpty, "paused before the first step")
        session.control.step()
        #expect(Self.poll { !steps().isEmpty && session.latestSnapshot?.step == 1 }, "no step after control.step()")
        #expect(steps() == [1], "one step while paused")
        #expect(session.latestSnapshot?.step == 1)
        session.control.resume()
        #expect(Self.poll { steps().count > 1 }, "not running again")
        session.control.stop()
        let (_, outcome) = session.wait()
        #expect(outcome.reason == .stopped)
        #expect(session.isFinished)
    }

    @Test("snapshots hold every weighted layer's weights and gradient norm, the probe's stages and its probabilities")
    func snapshot() throws {
        var trainer = try Trainer(configuration: Self.configuration(), data: Self.data)
        var snapshots: [TrainingSnapshot] = []
        _ = trainer.run(emit: { _ in }, snapshot: { snapshots.append($0) })
        let last = try #require(snapshots.last)
        #expect(last.networkName == "lenet5")
        #expect(last.layers.map(\.label) == ["1", "4", "8", "10", "12"])
        #expect(last.layers.map(\.kind) == ["conv", "conv", "linear", "linear", "linear"])
        #expect(last.convolutions.map(\.weights.shape) == [[6, 1, 5, 5], [16, 6, 5, 5]])
        #expect(last.convolutions[0].weights == trainer.network.parameters[0])
        // After the run the last step's gradients are still shown, and every layer had one.
        #expect(last.layers.allSatisfy { $0.gradientNorm > 0 && $0.gradient.shape == $0.weights.shape })
        let norm = last.layers[0].gradient.data.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(last.layers[0].gradientNorm - norm) <= 1e-9 * norm)
        let pictured = Network.Stage.pictured(last.probeStages)
        #expect(pictured.map(\.name) == ["conv1", "pool1", "conv2", "pool2"])
        #expect(pictured.map(\.stage.output.shape) == [[1, 6, 28, 28], [1, 6, 14, 14], [1, 16, 10, 10], [1, 16, 5, 5]])
        // conv1's picture is its ReLU's output, as the next layer sees it.
        #expect(pictured[0].stage.kind == "relu" && pictured[0].stage.output.data.allSatisfy { $0 >= 0 })
        #expect(last.probeInput.shape == [1, 1, 28, 28])
        #expect(abs(last.probeProbabilities.reduce(0, +) - 1) < 1e-5)
        #expect(last.probeIndex == trainer.validationIndices[0])
        #expect(last.confusion?.total == 200)
    }

    @Test("a checkpoint resumes exactly: 2 epochs straight equal 1 epoch, save, load, 1 more", arguments: TrainingOptimizer.Kind.allCases)
    func resumeIsExact(optimizer: TrainingOptimizer.Kind) throws {
        var configuration = Self.configuration(epochs: 2)
        configuration.optimizer = optimizer
        var straight = try Trainer(configuration: configuration, data: Self.data)
        _ = Self.run(&straight)

        configuration.epochs = 1
        var first = try Trainer(configuration: configuration, data: Self.data)
        _ = Self.run(&first)
        let bytes = try first.checkpoint().encoded()
        let checkpoint = try Checkpoint(bytes: bytes, name: "half.safetensors")
        configuration.epochs = 2
        configuration.seed = 99  // the checkpoint's seed wins: the data order must be the original one
        var resumed = try Trainer(configuration: configuration, data: Self.data, resume: (checkpoint, "half.safetensors"))
        #expect(resumed.epochsCompleted == 1 && resumed.stepsTaken == 20)
        let (events, outcome, _) = Self.run(&resumed)
        #expect(outcome.steps == 40)
        if case .started(let start) = events.first { #expect(start.firstEpoch == 2) }
        #expect(resumed.network.parameters == straight.network.parameters)
    }

    @Test("resuming checks the network, the optimizer and that there is optimizer state")
    func resumeMismatches() throws {
        var trainer = try Trainer(configuration: Self.configuration(), data: Self.data)
        _ = Self.run(&trainer)
        let checkpoint = trainer.checkpoint()
        var classic = Self.configuration()
        classic.architecture = try #require(BuiltInArchitecture.spec(named: "lenet5-classic"))
        #expect(throws: CheckpointError("lenet.safetensors: holds the network 'lenet5' (12 layers, 61,706 parameters), not "
            + "the one asked for ('lenet5-classic', 12 layers); resume it without --arch, --variant, --batch-norm or "
            + "--dropout, which its checkpoint records")) {
            try Trainer(configuration: classic, data: Self.data, resume: (checkpoint, "lenet.safetensors"))
        }
        var sgd = Self.configuration()
        sgd.optimizer = .sgd
        #expect(throws: CheckpointError("lenet.safetensors: was trained with adam, not sgd; give --optimizer adam to resume it")) {
            try Trainer(configuration: sgd, data: Self.data, resume: (checkpoint, "lenet.safetensors"))
        }
        let bare = try Network(spec: try #require(BuiltInArchitecture.spec(named: "lenet5")), seed: 1).checkpoint()
        #expect(throws: CheckpointError.self) {
            try Trainer(configuration: Self.configuration(), data: Self.data, resume: (bare, "bare.safetensors"))
        }
    }

    @Test("a weights-only checkpoint (optimizer state removed, as the shipped model) is refused by resume, saying why",
          arguments: TrainingOptimizer.Kind.allCases)
    func resumeWeightsOnly(optimizer: TrainingOptimizer.Kind) throws {
        var configuration = Self.configuration()
        configuration.optimizer = optimizer
        // Saved before the first step: no state yet, and it resumes.
        let fresh = try Trainer(configuration: configuration, data: Self.data).checkpoint()
        #expect(fresh.metadata.keys.allSatisfy { !TrainingOptimizer.stateKeys.contains($0) })
        let resumedFresh = try Trainer(configuration: configuration, data: Self.data, resume: (fresh, "fresh.safetensors"))
        #expect(resumedFresh.stepsTaken == 0)

        var trainer = try Trainer(configuration: configuration, data: Self.data)
        _ = Self.run(&trainer)
        var stripped = trainer.checkpoint()
        for key in TrainingOptimizer.stateKeys { stripped.metadata[key] = nil }
        let state = optimizer == .adam ? "Adam's moments (optimizer.exp_avg, optimizer.exp_avg_sq)"
            : "SGD's momentum buffers (optimizer.momentum_buffer)"
        #expect(throws: CheckpointError("weights.safetensors: holds the weights after 20 steps but not \(state): it is weights "
            + "only, like the shipped pretrained model, so training cannot continue where it stopped; use it with inspect "
            + "--model, or resume from a checkpoint written by convtutor train --save (which keeps the state)")) {
            try Trainer(configuration: configuration, data: Self.data, resume: (stripped, "weights.safetensors"))
        }
        if optimizer == .adam {
            var half = trainer.checkpoint()
            half.metadata["optimizer.exp_avg_sq"] = nil
            #expect(throws: CheckpointError("half.safetensors: holds one of optimizer.exp_avg and optimizer.exp_avg_sq but "
                + "not the other; the file is damaged, give a checkpoint written by convtutor train --save")) {
                try Trainer(configuration: configuration, data: Self.data, resume: (half, "half.safetensors"))
            }
            // The shipped model itself.
            let (_, shipped) = try PretrainedModel.load()
            do {
                _ = try Trainer(configuration: configuration, data: Self.data, resume: (shipped, "lenet5-mnist.safetensors"))
                Issue.record("the weights-only pretrained model was resumed")
            } catch let error as CheckpointError {
                #expect(error.message.hasPrefix("lenet5-mnist.safetensors: holds the weights after 17190 steps but not Adam's moments"))
            }
        }
    }

    @Test("bad settings name their flag", arguments: [
        ("lr 0", "--lr must be a finite number greater than 0 (for example 0.001); got 0.0"),
        ("lr -1", "--lr must be a finite number greater than 0 (for example 0.001); got -1.0"),
        ("batch 0", "--batch-size must be from 1 to 2048 images per step; got 0"),
        ("epochs 0", "--epochs must be from 1 to 10000 epochs; got 0"), ("dropout 1", "--dropout must be from 0 (none) to below 1; got 1.0"),
    ])
    func badSettings(setting: String, message: String) {
        var configuration = Self.configuration()
        switch setting {
        case "lr 0": configuration.learningRate = 0
        case "lr -1": configuration.learningRate = -1
        case "batch 0": configuration.batchSize = 0
        case "epochs 0": configuration.epochs = 0
        default: configuration.dropout = 1
        }
        do {
            try configuration.validate()
            Issue.record("\(message): accepted")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    @Test("dropout and batch normalisation train, and batch norm's tensors round-trip through a checkpoint")
    func options() throws {
        var configuration = Self.configuration()
        configuration.dropout = 0.3
        configuration.batchNorm = true
        var trainer = try Trainer(configuration: configuration, data: Self.data)
        let (_, outcome, _) = Self.run(&trainer)
        #expect(outcome.reason == .completed)
        #expect((outcome.lastEpoch?.testAccuracy ?? 0) > 0.3)
        #expect(trainer.network.parameterCount == 61_706 + 44)
        let checkpoint = trainer.checkpoint()
        // conv, batchnorm, relu, maxpool, conv, batchnorm: the second batch norm is layer 6.
        #expect(checkpoint.tensor(named: "layers.5.running_var")?.shape == [16])
        let loaded = try Network(checkpoint: Checkpoint(bytes: checkpoint.encoded(), name: "bn"), file: "bn")
        #expect(loaded.spec == configuration.spec)
        #expect(loaded.spec.layers.filter { $0.kind == "dropout" }.count == 2)
        #expect(loaded.parameters == trainer.network.parameters && loaded.buffers == trainer.network.buffers)
        #expect(loaded.buffers[1] != Tensor(repeating: 1, shape: [6]), "training moved the running variance")
    }

    @Test("augmentation keeps the image size and the normalisation of an empty pixel, and changes the digits")
    func augmentation() {
        let images = Self.data.train
        let maker = BatchMaker(images: images, mean: 0.1, standardDeviation: 0.3)
        var random = SeededRandom(seed: 1)
        let plain = maker.batch([0, 1][...], random: &random).images
        var augmentation = Augmentation()
        augmentation.noise = 0
        let moved = maker.batch([0, 1][...], augmentation: augmentation, random: &random).images
        #expect(moved.shape == plain.shape)
        #expect(moved != plain)
        // Corners stay background: the digit is centred and the shift is at most 2 pixels.
        #expect(abs(moved.data[0] - (-0.1 / 0.3)) < 1e-5)
        // Ink is preserved roughly: the sums agree within a quarter.
        let ink = { (t: Tensor) in t.data.reduce(0) { $0 + ($1 * 0.3 + 0.1) } }
        #expect(abs(ink(moved) - ink(plain)) < 0.25 * ink(plain))
    }
}
