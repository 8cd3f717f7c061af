import Training
import Networks
import Datasets

/// What the training screen draws, folded from each run's `TrainingEvent`s and latest
/// `TrainingSnapshot`: the curves over steps, the progress and its rates, the epochs' figures,
/// the last checkpoint result and how the run ended. A pure value: the screen feeds it what the
/// sessions hand over in `tick`, and tests feed it a recorded sequence, with the times given.
public struct TrainingDashboard: Sendable {
    /// The weight of the past in the smoothed curves (an exponential moving average, debiased at
    /// the start as Adam's moments are, so the first points are not pulled towards 0).
    public static let smoothing = 0.95
    /// Points kept per curve before neighbours are averaged in pairs (long runs stay cheap to draw).
    public static let maximumPoints = 4_000

    /// A curve over steps that keeps at most `maximumPoints` points: past that, neighbouring points
    /// are averaged in pairs and later points arrive averaged over twice as many steps.
    public struct Curve: Sendable, Equatable {
        public private(set) var steps: [Double] = []
        public private(set) var values: [Double] = []
        /// How many reported values each point averages.
        public private(set) var stride = 1
        private var pendingSum = 0.0, pendingCount = 0
        let limit: Int

        public init(limit: Int = TrainingDashboard.maximumPoints) { self.limit = max(2, limit) }

        public var isEmpty: Bool { values.isEmpty }
        public var last: Double? { values.last }

        mutating func append(step: Int, value: Double) {
            pendingSum += value
            pendingCount += 1
            guard pendingCount >= stride else { return }
            steps.append(Double(step))
            values.append(pendingSum / Double(pendingCount))
            pendingSum = 0
            pendingCount = 0
            if values.count > limit {
                var mergedSteps: [Double] = [], mergedValues: [Double] = []
                var index = 0
                while index + 1 < values.count {
                    mergedSteps.append(steps[index + 1])
                    mergedValues.append((values[index] + values[index + 1]) / 2)
                    index += 2
                }
                if index < values.count {
                    mergedSteps.append(steps[index])
                    mergedValues.append(values[index])
                }
                steps = mergedSteps
                values = mergedValues
                stride *= 2
            }
        }
    }

    /// One run as its events have told it so far.
    public struct Run: Sendable {
        public let label: String
        /// Images per step, for the ETA.
        public let batchSize: Int
        public private(set) var start: TrainingStart?
        public private(set) var lastStep: StepReport?
        /// The training loss of each step, and its moving average.
        public private(set) var loss = Curve()
        public private(set) var smoothedLoss = Curve()
        /// The moving average of the batches' accuracy (each batch before its update), 0...1.
        public private(set) var trainAccuracy = Curve()
        /// The validation accuracy at each epoch's end, at that epoch's last step.
        public private(set) var validationAccuracy = Curve()
        public private(set) var epochs: [EpochReport] = []
        /// The latest evaluation: an epoch's closing one, or one asked for since.
        public private(set) var evaluation: EvaluationReport?
        public private(set) var outcome: TrainingOutcome?
        public private(set) var snapshot: TrainingSnapshot?
        /// The latest snapshot that carries a step's gradients (the snapshots taken at an epoch's
        /// end, after the run, or for another probe have none): what `g` shows once the run has ended.
        public private(set) var gradientSnapshot: TrainingSnapshot?
        /// The last checkpoint event: the path, and the failure's message if it failed.
        public private(set) var checkpoint: (path: String, failure: String?)?
        /// When (by the dashboard's clock) the run started and last reported; nil before it starts.
        public private(set) var startTime: Double?
        public private(set) var endTime: Double?
        /// Seconds spent paused before the current pause, and when the current pause began (nil: running).
        public private(set) var pausedSeconds = 0.0
        public private(set) var pausedSince: Double?

        private var lossAverage = 0.0, accuracyAverage = 0.0, betaPower = 1.0

        public init(label: String, batchSize: Int) {
            self.label = label
            self.batchSize = max(1, batchSize)
        }

        /// Set when the loss diverged: the step it happened at and the learning rate the trainer suggests.
        public var divergence: (step: Int, suggestedLearningRate: Float)? {
            if case .diverged(let step, let rate) = outcome?.reason { return (step, rate) }
            return nil
        }

        public var isFinished: Bool { outcome != nil }

        public var epochCount: Int { start?.epochs ?? 0 }
        public var stepsPerEpoch: Int { start?.stepsPerEpoch ?? 0 }
        /// Epochs finished (counting those before a resume).
        public var epochsCompleted: Int {
            if let last = epochs.last { return last.epoch }
            return max(0, (start?.firstEpoch ?? 1) - 1)
        }
        /// Steps taken since the run began (counting those before a resume).
        public var stepsTaken: Int { max(lastStep?.step ?? 0, epochs.last?.step ?? 0, start?.firstStep ?? 0) }
        /// Batches done in the current epoch (all of them once its report is in).
        public var batchesDone: Int {
            guard let lastStep else { return 0 }
            if let last = epochs.last, last.step >= lastStep.step { return stepsPerEpoch }
            return lastStep.batch
        }
        /// The epoch of the latest step, from 1 (at an epoch's end, that epoch, with its batches all
        /// done; before the first step, the epoch the run starts at).
        public var currentEpoch: Int {
            if let lastStep { return lastStep.epoch }
            return max(1, start?.firstEpoch ?? 1)
        }

        /// The share of the whole run done, 0...1.
        public var runFraction: Double {
            let total = epochCount * stepsPerEpoch
            guard total > 0 else { return 0 }
            if case .completed = outcome?.reason { return 1 }
            return min(1, Double(stepsTaken) / Double(total))
        }
        /// The share of the current epoch done, 0...1.
        public var epochFraction: Double {
            stepsPerEpoch > 0 ? min(1, Double(batchesDone) / Double(stepsPerEpoch)) : 0
        }

        /// Training images per second lately (0 before the first step).
        public var imagesPerSecond: Double { lastStep?.imagesPerSecond ?? 0 }

        /// Seconds spent training from the start to `now` (to the end once finished), the time
        /// spent paused left out: the clock stops while the run is paused.
        public func elapsed(at now: Double) -> Double {
            guard let startTime else { return 0 }
            let end = endTime ?? now
            return max(0, end - startTime - pausedSeconds - pausedPart(since: pausedSince, until: end))
        }

        /// The part of a pause from `since` to `until` that falls after the start (0 when not paused).
        private func pausedPart(since: Double?, until: Double) -> Double {
            guard let since, let startTime else { return 0 }
            return max(0, until - max(since, startTime))
        }

        public var isPaused: Bool { pausedSince != nil }

        /// The run was paused at `time` (the clock stops).
        mutating func pause(at time: Double) {
            guard pausedSince == nil else { return }
            pausedSince = time
        }

        /// The run was resumed at `time` (the clock runs again).
        mutating func resume(at time: Double) {
            guard let since = pausedSince else { return }
            pausedSeconds += pausedPart(since: since, until: min(time, endTime ?? time))
            pausedSince = nil
        }

        /// Seconds left at the current rate: the steps left times the batch size over the images a
        /// second (the epochs' evaluations are not counted); nil before a rate is known, 0 once finished.
        public var estimatedSecondsLeft: Double? {
            if isFinished { return 0 }
            let rate = imagesPerSecond
            guard rate > 0, rate.isFinite, epochCount > 0 else { return nil }
            let stepsLeft = max(0, epochCount * stepsPerEpoch - stepsTaken)
            return Double(stepsLeft * batchSize) / rate
        }

        mutating func apply(_ event: TrainingEvent, time: Double) {
            switch event {
            case .started(let start):
                self.start = start
                startTime = startTime ?? time
            case .step(let report):
                guard outcome == nil else { return }  // the curves stop where the run ended
                startTime = startTime ?? time
                lastStep = report
                let value = Double(report.loss)
                // A non-finite loss never reaches the curves (the run diverges there).
                guard value.isFinite else { return }
                let beta = TrainingDashboard.smoothing
                betaPower *= beta
                lossAverage = beta * lossAverage + (1 - beta) * value
                accuracyAverage = beta * accuracyAverage + (1 - beta) * Double(report.accuracy)
                let debias = 1 - betaPower
                loss.append(step: report.step, value: value)
                smoothedLoss.append(step: report.step, value: lossAverage / debias)
                trainAccuracy.append(step: report.step, value: accuracyAverage / debias)
            case .epoch(let report):
                epochs.append(report)
                evaluation = report.evaluation
                if let validation = report.validationAccuracy {
                    validationAccuracy.append(step: report.step, value: validation)
                }
            case .evaluated(let report):
                evaluation = report
            case .checkpointSaved(let path):
                checkpoint = (path, nil)
            case .checkpointFailed(let path, let message):
                checkpoint = (path, message)
            case .finished(let outcome):
                self.outcome = outcome
                endTime = time
            }
        }

        mutating func update(snapshot: TrainingSnapshot) {
            self.snapshot = snapshot
            let hasGradients = snapshot.layers.contains { $0.gradientNorm > 0 }
            if hasGradients { gradientSnapshot = snapshot }
        }
    }

    public private(set) var runs: [Run]

    /// One run per label, with its batch size.
    public init(runs: [(label: String, batchSize: Int)]) {
        self.runs = runs.map { Run(label: $0.label, batchSize: $0.batchSize) }
    }

    /// Folds `events` (in order) into run `run`; `time` is now on the screen's clock (seconds).
    public mutating func apply(_ events: [TrainingEvent], toRun run: Int, time: Double) {
        guard runs.indices.contains(run) else { return }
        for event in events { runs[run].apply(event, time: time) }
    }

    /// Keeps `snapshot` as run `run`'s latest (nil leaves the previous one).
    public mutating func update(snapshot: TrainingSnapshot?, forRun run: Int) {
        guard runs.indices.contains(run), let snapshot else { return }
        runs[run].update(snapshot: snapshot)
    }

    /// Stops (`paused` true) or restarts every run's clock at `time`.
    public mutating func setPaused(_ paused: Bool, at time: Double) {
        for index in runs.indices {
            if paused { runs[index].pause(at: time) } else { runs[index].resume(at: time) }
        }
    }

    /// True once every run has finished.
    public var isFinished: Bool { runs.allSatisfy(\.isFinished) }

    /// Each epoch's test accuracy, by run.
    public var testAccuracies: [[(epoch: Int, accuracy: Double)]] {
        runs.map { $0.epochs.map { ($0.epoch, $0.testAccuracy) } }
    }
}
