import Foundation
import Synchronization
import Networks
import Datasets

/// A `Trainer` running on its own thread. A screen or a command reads its events and its latest
/// snapshot whenever it likes, and steers it through `control`; neither ever waits on the other.
public final class TrainingSession: Sendable {
    public let control = TrainingControl()
    private let state: Mutex<State>
    private let done = DispatchSemaphore(value: 0)

    private struct State: ~Copyable {
        var events: [TrainingEvent] = []
        var droppedSteps = 0
        var snapshot: TrainingSnapshot?
        var result: (trainer: Trainer, outcome: TrainingOutcome)?
    }

    /// Events kept for `takeEvents()` at most; beyond it the older half of the step events is dropped
    /// (never epoch or final events), so a reader that stops reading cannot make memory grow.
    public static let eventLimit = 20_000

    /// Starts `trainer` on a new thread. `onEvent`, if given, is also called with every event on
    /// the training thread (it must be quick: the headless command writes a log line).
    ///
    /// - Parameter startPaused: true waits for `control.step()` or `control.resume()` before the first step.
    public init(trainer: Trainer, startPaused: Bool = false, onEvent: (@Sendable (TrainingEvent) -> Void)? = nil) {
        state = Mutex(State())
        if startPaused { control.pause() }
        let thread = Thread { [self, control] in
            var trainer = trainer
            let outcome = trainer.run(control: control, emit: { event in
                onEvent?(event)
                self.state.withLock { state in
                    state.events.append(event)
                    if state.events.count > Self.eventLimit {
                        // Drop the older half of the step events at once, so that a run nobody reads
                        // (the headless command only uses onEvent) pays an amortised constant per step.
                        var stepsToDrop = Self.eventLimit / 2
                        state.events.removeAll { event in
                            guard stepsToDrop > 0, case .step = event else { return false }
                            stepsToDrop -= 1
                            return true
                        }
                        state.droppedSteps += Self.eventLimit / 2 - stepsToDrop
                    }
                }
            }, snapshot: { snapshot in
                self.state.withLock { $0.snapshot = snapshot }
            })
            self.state.withLock { state in
                state.result = (trainer, outcome)
                // A probe move or evaluation asked for after the loop's last look is served here.
                Self.serveFinished(control.takeRequests(), state: &state)
            }
            self.done.signal()
        }
        thread.name = "convtutor training"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The events since the last call, oldest first.
    public func takeEvents() -> [TrainingEvent] {
        state.withLock { state in
            defer { state.events = [] }
            return state.events
        }
    }

    /// The most recent snapshot, if one was taken yet.
    public var latestSnapshot: TrainingSnapshot? { state.withLock { $0.snapshot } }

    /// True once the run has finished.
    public var isFinished: Bool { state.withLock { $0.result != nil } }

    /// Shows another probe image: the loop serves it at its next step boundary (paused or not), or at
    /// once when the run has finished, so that the probe can still be browsed afterwards.
    public func moveProbe(by offset: Int) {
        state.withLock { state in
            guard state.result != nil else { return control.moveProbe(by: offset) }
            Self.serveFinished(TrainingRequests(probeMove: offset), state: &state)
        }
    }

    /// Evaluates the validation set now (an `evaluated` event), during the run or after it.
    public func requestEvaluation() {
        state.withLock { state in
            guard state.result != nil else { return control.requestEvaluation() }
            Self.serveFinished(TrainingRequests(evaluation: true), state: &state)
        }
    }

    /// Serves probe and evaluation requests on a finished run's trainer (checkpoints of a finished
    /// run are written by whoever holds `wait()`'s trainer).
    private static func serveFinished(_ requests: TrainingRequests, state: inout State) {
        guard let (finishedTrainer, outcome) = state.result else { return }
        var trainer = finishedTrainer
        let served = TrainingRequests(probeMove: requests.probeMove, evaluation: requests.evaluation)
        guard !served.isEmpty else { return }
        var events: [TrainingEvent] = [], latest: TrainingSnapshot?
        trainer.serve(served, emit: { events.append($0) }, snapshot: { latest = $0 })
        state.events += events
        if let latest { state.snapshot = latest }
        state.result = (trainer, outcome)
    }

    /// Waits for the run to finish and returns the trainer as it ended and the outcome.
    public func wait() -> (trainer: Trainer, outcome: TrainingOutcome) {
        done.wait()
        done.signal()  // later calls return at once
        return state.withLock { state in
            guard let result = state.result else { preconditionFailure("the training thread signalled without a result") }
            return result
        }
    }
}
