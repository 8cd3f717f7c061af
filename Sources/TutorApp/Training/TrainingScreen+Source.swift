import Foundation
import Training
import Networks
import Datasets

/// Where the training screen gets a run's events and snapshots and sends its controls: a
/// `TrainingSession` when it runs for real, a recorded sequence in tests.
protocol TrainingSource: AnyObject {
    func takeEvents() -> [TrainingEvent]
    var latestSnapshot: TrainingSnapshot? { get }
    var isFinished: Bool { get }
    var isPaused: Bool { get }
    func togglePause()
    /// Lets one step run while paused.
    func step()
    func stop()
    func scaleLearningRate(by factor: Float)
    /// Asks for a checkpoint at the next step boundary; the result comes as an event.
    func saveCheckpoint(to path: String)
    /// Shows another probe image (`offset` places on through the validation set), even when paused
    /// or finished; the new snapshot follows.
    func moveProbe(by offset: Int)
    /// Evaluates the validation set now; the result comes as an `evaluated` event.
    func requestEvaluation()
    /// Waits for the run to end (after `stop`) and returns its trainer and outcome; nil when there
    /// is no trainer behind the source (a recorded one).
    func endedRun() -> (trainer: Trainer, outcome: TrainingOutcome)?
    /// Writes a checkpoint of a finished run (whose loop no longer serves requests) and says how it went.
    func saveFinishedRun(to path: String) -> TrainingEvent
}

extension TrainingSession: TrainingSource {
    var isPaused: Bool { control.isPaused }
    func togglePause() { control.togglePause() }
    func step() { control.step() }
    func stop() { control.stop() }
    func scaleLearningRate(by factor: Float) { control.scaleLearningRate(by: factor) }
    func saveCheckpoint(to path: String) {
        Self.makeFolder(for: path)
        control.saveCheckpoint(to: path)
    }

    /// Makes the folder `path` goes in (the checkpoint folder may not exist yet); a failure shows
    /// when the write fails.
    static func makeFolder(for path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    func endedRun() -> (trainer: Trainer, outcome: TrainingOutcome)? { wait() }

    func saveFinishedRun(to path: String) -> TrainingEvent {
        let trainer = wait().trainer
        Self.makeFolder(for: path)
        do {
            try trainer.checkpoint().write(to: path)
            return .checkpointSaved(path: path)
        } catch {
            return .checkpointFailed(path: path, message: error.message)
        }
    }
}
