import Foundation

/// Pause, resume, single steps, stop, learning-rate changes and checkpoint requests, from any thread,
/// read by the training loop between steps.
public final class TrainingControl: @unchecked Sendable {
    // Every field below is read and written with `condition` locked.
    private let condition = NSCondition()
    private var paused = false
    private var stepsAllowed = 0
    private var stopRequested = false
    private var learningRateFactor: Float = 1
    private var checkpointRequests: [String] = []

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
    public func saveCheckpoint(to path: String) { locked { checkpointRequests.append(path); condition.broadcast() } }

    public var isPaused: Bool { locked { paused } }
    public var isStopRequested: Bool { locked { stopRequested } }
    var learningRateScale: Float { locked { learningRateFactor } }

    /// Takes the pending checkpoint requests.
    func takeCheckpointRequests() -> [String] {
        locked {
            defer { checkpointRequests = [] }
            return checkpointRequests
        }
    }

    /// Blocks while paused (unless a single step was allowed, which this consumes), waking for
    /// checkpoint requests; returns false when the run should stop.
    func waitForNextStep(serveCheckpoints: ([String]) -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if stopRequested { return false }
            if !checkpointRequests.isEmpty {
                let requests = checkpointRequests
                checkpointRequests = []
                condition.unlock()
                serveCheckpoints(requests)
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
