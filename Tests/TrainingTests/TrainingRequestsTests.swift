import ConvKernels
import Foundation
import TestSupport
import Testing
@testable import Training
import Networks
import Datasets

/// What the training screen asks of a run between steps: another probe digit and an evaluation now,
/// served while paused, while running, and after the run has finished.
@Suite("Training requests")
struct TrainingRequestsTests {
    /// Polls `condition` (the session serves requests on its own thread).
    static func eventually(_ condition: () -> Bool) -> Bool {
        BoundedWait.poll(seconds: 60, interval: 0.01, condition)
    }

    @Test("moving the probe while paused sends a snapshot of the next validation image at once, wrapping at the ends")
    func probeWhilePaused() throws {
        let trainer = try Trainer(configuration: TrainerTests.configuration(), data: TrainerTests.data)
        let validation = trainer.validationIndices
        let session = TrainingSession(trainer: trainer, startPaused: true)
        defer { session.control.stop() }
        session.moveProbe(by: 1)
        #expect(Self.eventually { session.latestSnapshot?.probeIndex == validation[1] })
        session.moveProbe(by: -2)
        #expect(Self.eventually { session.latestSnapshot?.probeIndex == validation[validation.count - 1] })
        let snapshot = try #require(session.latestSnapshot)
        #expect(snapshot.probeLabel == Int(TrainerTests.data.train.labels[validation[validation.count - 1]]))
        #expect(snapshot.step == 0, "no step ran: the run is paused")
        #expect(abs(snapshot.probeProbabilities.reduce(0, +) - 1) < 1e-4)
    }

    @Test("an evaluation asked for mid-run reports the validation set with the weights of that moment")
    func evaluationOnRequest() throws {
        var trainer = try Trainer(configuration: TrainerTests.configuration(), data: TrainerTests.data)
        let control = TrainingControl()
        var events: [TrainingEvent] = []
        var asked = false
        _ = trainer.run(control: control, emit: { event in
            events.append(event)
            if case .step(let step) = event, step.step == 5, !asked {
                asked = true
                control.requestEvaluation()
            }
        })
        let evaluations = events.compactMap { if case .evaluated(let report) = $0 { report } else { nil } }
        try #require(evaluations.count == 1)
        let report = evaluations[0]
        #expect(report.step == 5 && report.epoch == 1 && report.isValidation && report.onRequest)
        #expect(report.confusion.total == 200)
        #expect(report.misclassified.count == min(MisclassifiedExample.limit, 200 - report.confusion.correct))
        // It came right after step 5, before step 6.
        let index = try #require(events.firstIndex { if case .evaluated = $0 { true } else { false } })
        if case .step(let before) = events[index - 1] { #expect(before.step == 5) } else { Issue.record("not after a step") }
        if case .step(let after) = events[index + 1] { #expect(after.step == 6) } else { Issue.record("not before a step") }
    }

    @Test("after the run, the probe can still be moved and the validation set evaluated again")
    func afterTheRun() throws {
        let trainer = try Trainer(configuration: TrainerTests.configuration(), data: TrainerTests.data)
        let validation = trainer.validationIndices
        let session = TrainingSession(trainer: trainer)
        let (finished, outcome) = session.wait()
        #expect(outcome.reason == .completed)
        _ = session.takeEvents()
        session.moveProbe(by: 3)
        #expect(session.latestSnapshot?.probeIndex == validation[3])
        session.requestEvaluation()
        let evaluations = session.takeEvents().compactMap { if case .evaluated(let report) = $0 { report } else { nil } }
        try #require(evaluations.count == 1)
        // The same weights as the last epoch's closing evaluation: the same matrix.
        #expect(evaluations[0].confusion == outcome.lastEpoch?.confusion)
        #expect(evaluations[0].step == finished.stepsTaken)
    }
}
