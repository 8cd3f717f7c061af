import Foundation
import Testing
@testable import Training
import Networks
import Datasets

@Suite("Training log (JSON Lines)")
struct TrainingLogTests {
    static let report = EpochReport(
        epoch: 1, step: 860, loss: 0.12, trainAccuracy: 0.97, validationLoss: 0.08, validationAccuracy: 0.98,
        testLoss: 0.07, testAccuracy: 0.985, learningRate: 0.001, imagesPerSecond: 25_000, seconds: 2.3,
        confusion: ConfusionMatrix())

    @Test("an epoch line holds the issue's fields, as JSON")
    func epochLine() throws {
        let line = try #require(TrainingLog.line(for: .epoch(Self.report)))
        #expect(line.hasPrefix(#"{"event": "epoch", "epoch": 1, "step": 860, "loss": 0.12, "train_accuracy": 0.97"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["validation_accuracy"] as? Double == 0.98)
        #expect(object["test_accuracy"] as? Double == 0.985)
        #expect(object["images_per_second"] as? Double == 25_000)
        #expect(object["seconds"] as? Double == 2.3)
    }

    @Test("the done line repeats the last epoch's fields and says how it ended and where the checkpoint went")
    func doneLine() throws {
        let outcome = TrainingOutcome(reason: .diverged(step: 12, suggestedLearningRate: 0.01), epochsCompleted: 1,
                                      steps: 11, lastEpoch: Self.report, seconds: 4)
        let line = try #require(TrainingLog.line(for: .finished(outcome), checkpointPath: "a \"b\".safetensors"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "done")
        #expect(object["test_accuracy"] as? Double == 0.985)
        #expect(object["reason"] as? String == "diverged")
        #expect(object["message"] as? String == "loss diverged at step 12; try a learning rate below 0.01")
        #expect(object["checkpoint"] as? String == "a \"b\".safetensors")
    }

    @Test("steps are not logged")
    func steps() {
        let step = StepReport(epoch: 1, batch: 1, batchesPerEpoch: 2, step: 1, loss: 1, accuracy: 0, learningRate: 1,
                              imagesPerSecond: 1)
        #expect(TrainingLog.line(for: .step(step)) == nil)
    }
}
