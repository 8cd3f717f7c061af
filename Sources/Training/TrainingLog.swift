import CommonIO
import Foundation
import Networks
import Datasets

/// The JSON Lines `convtutor train --log FILE` writes: one `epoch` event per epoch and a last `done`
/// event with the same fields plus how the run ended.
///
///     {"event": "epoch", "epoch": 1, "step": 860, "loss": 0.12, "train_accuracy": 0.97, ...}
public enum TrainingLog {
    /// The line for `event`, or nil for events the log leaves out (steps; they would be thousands a second).
    public static func line(for event: TrainingEvent, checkpointPath: String? = nil) -> String? {
        switch event {
        case .started(let start):
            return object([
                ("event", .text("start")), ("dataset", .text(start.datasetName)),
                ("training_images", .integer(start.trainingImages)), ("validation_images", .integer(start.validationImages)),
                ("test_images", .integer(start.testImages)), ("steps_per_epoch", .integer(start.stepsPerEpoch)),
                ("epochs", .integer(start.epochs)), ("first_epoch", .integer(start.firstEpoch)),
            ])
        case .epoch(let report):
            return object([("event", .text("epoch"))] + fields(report))
        case .finished(let outcome):
            var entries: [(String, Value)] = [("event", .text("done"))]
            if let last = outcome.lastEpoch { entries += fields(last) }
            entries += [("reason", .text(reasonName(outcome.reason))), ("message", .text(outcome.message)),
                        ("steps", .integer(outcome.steps)), ("total_seconds", .number(outcome.seconds, places: 3))]
            if case .diverged(let step, let rate) = outcome.reason {
                entries += [("diverged_at_step", .integer(step)), ("suggested_learning_rate", .number(Double(rate), places: 8))]
            }
            entries.append(("checkpoint", checkpointPath.map(Value.text) ?? .null))
            return object(entries)
        case .checkpointSaved(let path):
            return object([("event", .text("checkpoint")), ("path", .text(path))])
        case .checkpointFailed(let path, let message):
            return object([("event", .text("checkpoint_failed")), ("path", .text(path)), ("message", .text(message))])
        case .step, .evaluated:
            return nil
        }
    }

    static func reasonName(_ reason: TrainingOutcome.Reason) -> String {
        switch reason {
        case .completed: "completed"
        case .earlyStopped: "early_stopped"
        case .stopped: "stopped"
        case .diverged: "diverged"
        }
    }

    private static func fields(_ report: EpochReport) -> [(String, Value)] {
        [("epoch", .integer(report.epoch)), ("step", .integer(report.step)),
         ("loss", .number(report.loss, places: 6)), ("train_accuracy", .number(report.trainAccuracy, places: 6)),
         ("validation_loss", report.validationLoss.map { .number($0, places: 6) } ?? .null),
         ("validation_accuracy", report.validationAccuracy.map { .number($0, places: 6) } ?? .null),
         ("test_loss", .number(report.testLoss, places: 6)), ("test_accuracy", .number(report.testAccuracy, places: 6)),
         ("learning_rate", .number(Double(report.learningRate), places: 8)),
         ("images_per_second", .number(report.imagesPerSecond, places: 1)), ("seconds", .number(report.seconds, places: 3))]
    }

    private enum Value {
        case text(String), integer(Int), number(Double, places: Int), null
    }

    private static func object(_ entries: [(String, Value)]) -> String {
        "{" + entries.map { key, value in "\(quoted(key)): \(render(value))" }.joined(separator: ", ") + "}"
    }

    private static func render(_ value: Value) -> String {
        switch value {
        case .text(let text): quoted(text)
        case .integer(let integer): "\(integer)"
        case .null: "null"
        case .number(let number, let places):
            number.isFinite ? trimmed(String(format: "%.\(places)f", number)) : "null"
        }
    }

    /// "0.120000" -> "0.12", "25000.0" -> "25000".
    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = text
        while result.hasSuffix("0") { result.removeLast() }
        if result.hasSuffix(".") { result.removeLast() }
        return result
    }

    private static func quoted(_ text: String) -> String { JSONString.quoted(text) }
}
