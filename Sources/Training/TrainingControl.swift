import Foundation
import Networks
import Datasets

/// What a screen asked of the training loop that the loop serves between steps, paused or not.
public struct TrainingRequests: Sendable, Equatable {
    /// Checkpoints to write, in the order asked.
    public var checkpoints: [String] = []
    /// How far to move the probe through the validation set (the sum of the moves asked).
    public var probeMove = 0
    /// Evaluate the validation set now (the confusion matrix on demand).
    public var evaluation = false

    public init(checkpoints: [String] = [], probeMove: Int = 0, evaluation: Bool = false) {
        (self.checkpoints, self.probeMove, self.evaluation) = (checkpoints, probeMove, evaluation)
    }

    public var isEmpty: Bool { checkpoints.isEmpty && probeMove == 0 && !evaluation }
}

/// Pause, resume, single steps, stop, learning-rate changes, checkpoint, probe and evaluation
/// requests, from any thread, read by the training loop between steps.
public final class TrainingControl: @unchecked Sendable {
    // Every field below is read and written with `condition` locked.
    private let condition = NSCondition()
    private var paused = false
    private var stepsAllowed = 0
    private var stopRequested = false
    private var learningRateFactor: Float = 1
    private var requests = TrainingRequests()

    public init() {}

    public func pause() { locked { paused = true } }
    public func resume() { locked { paused = false; condition.broadcast() } }
    public func togglePause() { locked { paused.toggle(); condition.broadcast() } }
    /// While paused, lets exactly one more step run.
    public func step() { locked { stepsAllowed += 1; condition.broadcast() } }
    public func stop() { locked { stopRequested = true; condition.broadcast() } }
    /// Multiplies the learning rate from the next step on (the `+` and `-` keys).
    public func scaleLearningRate(by factor: Float) { locked { learningRateFactor *= factor } }
    /// Writes a checkpoint of the current weights at the next step boundary (atomically).
    public func saveCheckpoint(to path: String) { locked { requests.checkpoints.append(path); condition.broadcast() } }
    /// Moves the probe image `offset` places through the validation set; a snapshot follows at once,
    /// even while paused.
    public func moveProbe(by offset: Int) { locked { requests.probeMove += offset; condition.broadcast() } }
    /// Evaluates the validation set with the current weights (an `evaluated` event), even while paused.
    public func requestEvaluation() { locked { requests.evaluation = true; condition.broadcast() } }

    public var isPaused: Bool { locked { paused } }
    public var isStopRequested: Bool { locked { stopRequested } }
    var learningRateScale: Float { locked { learningRateFactor } }

    /// Takes the pending requests.
    func takeRequests() -> TrainingRequests {
        locked {
            defer { requests = TrainingRequests() }
            return requests
        }
    }

    /// Blocks while paused (unless a single step was allowed, which this consumes), waking to serve
    /// requests; returns false when the run should stop.
    func waitForNextStep(serve: (TrainingRequests) -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if stopRequested { return false }
            if !requests.isEmpty {
                let pending = requests
                requests = TrainingRequests()
                condition.unlock()
                serve(pending)
                condition.lock()
                continue
            }
            if !paused { return true }
            if stepsAllowed > 0 {
                stepsAllowed -= 1
                return true
            }
            condition.wait()
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}
