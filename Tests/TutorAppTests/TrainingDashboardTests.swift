import Testing
import TerminalUI
@testable import Training
@testable import TutorApp
import Networks
import Datasets
import TestSupport

/// A tiny real run on the built-in digits (seed 1, one thread: deterministic), recorded once: its
/// events with each step's images per second replaced by 1,000 (the one figure that depends on the
/// clock), and its last snapshot. The dashboard and screen tests feed these to what they test.
enum RecordedTraining {
    static let batchSize = 32
    static let stepsPerEpoch = 25
    static let epochs = 3

    static func configuration(seed: UInt64 = 1) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.validationCount = 100
        configuration.threads = 1
        configuration.seed = seed
        configuration.warmupSteps = 10
        configuration.snapshotInterval = 0
        return configuration
    }

    static let data = TrainingData.builtInDigits(seed: 1, trainCount: 900, testCount: 200)
    static let dataset = "built-in digits 800 train / 100 val / 200 test"

    static func trainer(seed: UInt64 = 1) -> Trainer {
        do {
            return try Trainer(configuration: configuration(seed: seed), data: data)
        } catch {
            preconditionFailure("the recorded run's configuration is valid: \(error)")
        }
    }

    /// Ticks a screen with a real session on a clock that moves 20 ms per tick (and as fast in
    /// real time) until `done` holds, for at most 120 s.
    static func tick(_ screen: TrainingScreen, until done: (TrainingScreen) -> Bool) {
        var time = 0.0
        screen.tick(time: time)
        _ = BoundedWait.poll(seconds: 120, interval: 0.02) {
            guard !done(screen) else { return true }
            time += 0.02
            screen.tick(time: time)
            return false
        }
    }

    /// Ticks until the first run has taken `steps` steps.
    static func tick(_ screen: TrainingScreen, untilSteps steps: Int) {
        tick(screen) { $0.dashboard.runs[0].stepsTaken >= steps }
    }

    static func run(label: String = "modern", seed: UInt64 = 1) -> TrainingRun {
        TrainingRun(label: label, trainer: trainer(seed: seed), dataset: dataset)
    }

    static let recorded: (events: [TrainingEvent], snapshot: TrainingSnapshot?, snapshots: [TrainingSnapshot]) = {
        var trainer = RecordedTraining.trainer()
        var events: [TrainingEvent] = []
        var snapshots: [TrainingSnapshot] = []
        _ = trainer.run(emit: { event in
            if case .step(let report) = event {
                events.append(.step(step(report.step, loss: report.loss, accuracy: report.accuracy,
                                         learningRate: report.learningRate)))
            } else {
                events.append(event)
            }
        }, snapshot: { snapshots.append($0) })
        return (events, snapshots.last, snapshots)
    }()

    /// A step report as the trainer makes them, at 1,000 images a second.
    static func step(_ step: Int, loss: Float, accuracy: Float = 0.5, learningRate: Float = 0.003,
                     imagesPerSecond: Double = 1_000) -> StepReport {
        StepReport(epoch: (step - 1) / stepsPerEpoch + 1, batch: (step - 1) % stepsPerEpoch + 1,
                   batchesPerEpoch: stepsPerEpoch, step: step, loss: loss, accuracy: accuracy,
                   learningRate: learningRate, imagesPerSecond: imagesPerSecond)
    }

    /// The recorded events up to and including step `step` (with the epochs that ended by then).
    static func events(throughStep step: Int) -> [TrainingEvent] {
        var result: [TrainingEvent] = []
        for event in recorded.events {
            switch event {
            case .step(let report) where report.step > step: return result
            case .finished: return result
            default: result.append(event)
            }
        }
        return result
    }

    /// The latest snapshot taken by step `step`.
    static func snapshot(throughStep step: Int) -> TrainingSnapshot? {
        recorded.snapshots.last { $0.step <= step }
    }

    static var start: TrainingStart {
        for case .started(let start) in recorded.events { return start }
        preconditionFailure("the recorded run has a started event")
    }

    static var epochReports: [EpochReport] {
        recorded.events.compactMap { if case .epoch(let report) = $0 { report } else { nil } }
    }
}

@Suite("TrainingDashboard")
struct TrainingDashboardTests {
    static func dashboard() -> TrainingDashboard {
        TrainingDashboard(runs: [(label: "modern", batchSize: RecordedTraining.batchSize)])
    }

    @Test func theRecordedRunIsWhatTheTestsAssume() {
        let start = RecordedTraining.start
        #expect(start.stepsPerEpoch == RecordedTraining.stepsPerEpoch)
        #expect(start.epochs == 3 && start.trainingImages == 800 && start.validationImages == 100)
        #expect(RecordedTraining.epochReports.map(\.step) == [25, 50, 75])
        #expect(RecordedTraining.recorded.snapshot != nil)
    }

    @Test func stepsMakeTheRawAndSmoothedLossCurves() {
        var dashboard = Self.dashboard()
        let losses: [Float] = [2.5, 2.0, 1.5, 1.0]
        dashboard.apply([.started(RecordedTraining.start)] + losses.enumerated().map {
            .step(RecordedTraining.step($0.offset + 1, loss: $0.element, accuracy: Float($0.offset) / 4))
        }, toRun: 0, time: 10)
        let run = dashboard.runs[0]
        #expect(run.loss.steps == [1, 2, 3, 4])
        #expect(run.loss.values == [2.5, 2.0, 1.5, 1.0])
        // The debiased moving average: the first point is the first loss itself.
        let beta = TrainingDashboard.smoothing
        var average = 0.0, power = 1.0
        var expected: [Double] = []
        for loss in losses {
            average = beta * average + (1 - beta) * Double(loss)
            power *= beta
            expected.append(average / (1 - power))
        }
        #expect(run.smoothedLoss.values.count == 4)
        for (actual, wanted) in zip(run.smoothedLoss.values, expected) { #expect(abs(actual - wanted) < 1e-12) }
        #expect(abs(run.smoothedLoss.values[0] - 2.5) < 1e-12)
        #expect(run.smoothedLoss.values[3] > 1.0 && run.smoothedLoss.values[3] < 2.5)
        #expect(abs(run.trainAccuracy.values[0]) < 1e-12)
        #expect(run.trainAccuracy.values[3] > 0 && run.trainAccuracy.values[3] < 0.75)
    }

    @Test func progressRateElapsedAndETA() {
        var dashboard = Self.dashboard()
        dashboard.apply([.started(RecordedTraining.start)], toRun: 0, time: 100)
        dashboard.apply((1...10).map { .step(RecordedTraining.step($0, loss: 1)) }, toRun: 0, time: 104)
        let run = dashboard.runs[0]
        #expect(run.currentEpoch == 1 && run.batchesDone == 10 && run.stepsTaken == 10)
        #expect(run.epochFraction == 10.0 / 25)
        #expect(run.runFraction == 10.0 / 75)
        #expect(run.imagesPerSecond == 1_000)
        #expect(run.elapsed(at: 106) == 6)
        // 65 steps of 32 images left at 1,000 images a second.
        #expect(run.estimatedSecondsLeft == 65 * 32 / 1_000.0)
    }

    @Test func epochsGiveValidationPointsAndTestAccuracy() {
        var dashboard = Self.dashboard()
        dashboard.apply(RecordedTraining.events(throughStep: 50), toRun: 0, time: 1)
        let reports = RecordedTraining.epochReports
        let run = dashboard.runs[0]
        #expect(run.epochs == Array(reports.prefix(2)))
        #expect(run.validationAccuracy.steps == [25, 50])
        #expect(run.validationAccuracy.values == reports.prefix(2).map { $0.validationAccuracy ?? -1 })
        #expect(dashboard.testAccuracies[0].map(\.epoch) == [1, 2])
        #expect(dashboard.testAccuracies[0].map(\.accuracy) == reports.prefix(2).map(\.testAccuracy))
        // At an epoch's end its batch bar is full and the next epoch has not begun.
        #expect(run.batchesDone == 25 && run.epochFraction == 1 && run.epochsCompleted == 2)
        #expect(run.currentEpoch == 2)
        #expect(abs(run.runFraction - 50.0 / 75) < 1e-12)
    }

    @Test func theWholeRecordedRunEndsCompleted() {
        var dashboard = Self.dashboard()
        dashboard.apply(RecordedTraining.recorded.events, toRun: 0, time: 5)
        dashboard.update(snapshot: RecordedTraining.recorded.snapshot, forRun: 0)
        let run = dashboard.runs[0]
        #expect(dashboard.isFinished)
        #expect(run.outcome?.reason == .completed)
        #expect(run.runFraction == 1 && run.estimatedSecondsLeft == 0)
        #expect(run.loss.values.count == 75)
        #expect(run.snapshot?.step == 75)
        // Training on 800 digits for 3 epochs learns something.
        #expect((run.smoothedLoss.last ?? 9) < run.smoothedLoss.values[0])
    }

    @Test func divergenceStopsTheCurves() {
        var dashboard = Self.dashboard()
        dashboard.apply([.started(RecordedTraining.start)] + (1...5).map { .step(RecordedTraining.step($0, loss: 2)) },
                        toRun: 0, time: 0)
        // A non-finite loss never reaches the curves.
        dashboard.apply([.step(RecordedTraining.step(6, loss: .infinity))], toRun: 0, time: 1)
        let outcome = TrainingOutcome(reason: .diverged(step: 7, suggestedLearningRate: 0.03), epochsCompleted: 0,
                                      steps: 6, lastEpoch: nil, seconds: 1)
        dashboard.apply([.finished(outcome), .step(RecordedTraining.step(7, loss: 1))], toRun: 0, time: 2)
        let run = dashboard.runs[0]
        #expect(run.divergence?.step == 7)
        #expect(run.divergence?.suggestedLearningRate == 0.03)
        #expect(run.loss.steps == [1, 2, 3, 4, 5])
        #expect(run.smoothedLoss.values.allSatisfy { $0.isFinite })
        #expect(run.elapsed(at: 50) == 2)
    }

    @Test func checkpointResultsAreKept() {
        var dashboard = Self.dashboard()
        dashboard.apply([.checkpointSaved(path: "a.safetensors")], toRun: 0, time: 0)
        #expect(dashboard.runs[0].checkpoint?.path == "a.safetensors" && dashboard.runs[0].checkpoint?.failure == nil)
        dashboard.apply([.checkpointFailed(path: "b", message: "b: no room")], toRun: 0, time: 0)
        #expect(dashboard.runs[0].checkpoint?.failure == "b: no room")
    }

    @Test func longCurvesAverageNeighboursInPairs() {
        var curve = TrainingDashboard.Curve(limit: 4)
        for step in 1...5 { curve.append(step: step, value: Double(step)) }
        // Five points over a limit of four: pairs averaged, at the later step.
        #expect(curve.steps == [2, 4, 5] && curve.values == [1.5, 3.5, 5])
        #expect(curve.stride == 2)
        curve.append(step: 6, value: 6)
        #expect(curve.values == [1.5, 3.5, 5])  // waits for a second value
        curve.append(step: 7, value: 8)
        #expect(curve.steps == [2, 4, 5, 7] && curve.values == [1.5, 3.5, 5, 7])
    }

    @Test func twoRunsAreKeptApart() {
        var dashboard = TrainingDashboard(runs: [("classic", 32), ("modern", 64)])
        dashboard.apply([.step(RecordedTraining.step(1, loss: 2))], toRun: 0, time: 0)
        dashboard.apply([.step(RecordedTraining.step(1, loss: 1)), .step(RecordedTraining.step(2, loss: 1))],
                        toRun: 1, time: 0)
        dashboard.apply([.step(RecordedTraining.step(1, loss: 1))], toRun: 5, time: 0)  // no such run: ignored
        #expect(dashboard.runs.map(\.label) == ["classic", "modern"])
        #expect(dashboard.runs.map(\.loss.values.count) == [1, 2])
        #expect(dashboard.runs[1].batchSize == 64)
    }
}
