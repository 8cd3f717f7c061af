import Foundation
import Training
import Networks
import Datasets

/// What `convtutor train --no-tui` shows while it trains: a progress bar on standard error when it
/// is a terminal (rewritten at most ten times a second), and one line per epoch on standard output.
/// Called on the training thread; everything it does is a formatted write.
final class TrainingProgressPrinter: @unchecked Sendable {
    private let showsBar: Bool
    private let epochs: Int
    /// "[classic] ": before every line, when two runs print together (`--compare`).
    private let prefix: String
    // Touched only from the training thread (events arrive in order on it).
    private var stepsPerEpoch = 1
    private var firstEpoch = 1
    private var lastDraw = Date.distantPast
    private var started = Date()
    private var stepsAtStart = 0
    private var barShown = false
    private let lock = NSLock()

    init(showsBar: Bool, configuration: TrainingConfiguration, label: String? = nil) {
        self.showsBar = showsBar
        epochs = configuration.epochs
        prefix = label.map { $0 + " " } ?? ""
    }

    func handle(_ event: TrainingEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .started(let start):
            stepsPerEpoch = start.stepsPerEpoch
            firstEpoch = start.firstEpoch
            stepsAtStart = start.firstStep
            started = Date()
            if start.firstEpoch > 1 || start.firstStep > 0 {
                writeLine("Resuming at epoch \(start.firstEpoch) (step \(start.firstStep)).")
            }
            writeLine("Network: \(start.networkName), \(start.parameterCount.formatted()) parameters.")
            writeLine("\(start.trainingImages.formatted()) training, \(start.validationImages.formatted()) validation and "
                + "\(start.testImages.formatted()) test images; \(start.stepsPerEpoch.formatted()) steps per epoch, "
                + "\(start.epochs) epoch\(start.epochs == 1 ? "" : "s").")
        case .step(let step):
            guard showsBar else { return }
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.1 || step.batch == step.batchesPerEpoch else { return }
            lastDraw = now
            drawBar(step, now: now)
        case .epoch(let report):
            clearBarLocked()
            var line = prefix + "epoch \(report.epoch)/\(epochs)  loss \(String(format: "%.4f", report.loss))  "
                + "train \(percent(report.trainAccuracy))"
            if let validation = report.validationAccuracy { line += "  validation \(percent(validation))" }
            line += "  test \(percent(report.testAccuracy))  \(Int(report.imagesPerSecond.rounded()).formatted()) img/s  "
                + "\(String(format: "%.1f", report.seconds)) s"
            writeIgnoringFailure(line + "\n", to: STDOUT_FILENO)
        case .checkpointSaved(let path):
            writeLine("Checkpoint written to \(path).")
        case .checkpointFailed(let path, let message):
            writeLine("Checkpoint \(path) not written: \(message)")
        case .evaluated:
            break  // only a screen asks for these
        case .finished:
            clearBarLocked()
        }
    }

    func clearBar() {
        lock.lock()
        defer { lock.unlock() }
        clearBarLocked()
    }

    private func clearBarLocked() {
        guard barShown else { return }
        writeIgnoringFailure("\u{1B}[2K\r", to: STDERR_FILENO)
        barShown = false
    }

    private func writeLine(_ line: String) {
        clearBarLocked()
        writeIgnoringFailure(prefix + line + "\n", to: STDERR_FILENO)
    }

    private func drawBar(_ step: StepReport, now: Date) {
        let width = 24
        let fraction = Double(step.batch) / Double(max(1, step.batchesPerEpoch))
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let done = step.step - stepsAtStart
        let remaining = (epochs - step.epoch) * stepsPerEpoch + (step.batchesPerEpoch - step.batch)
        let elapsed = now.timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(remaining) : 0
        let line = "epoch \(step.epoch)/\(epochs) [\(bar)] \(step.batch)/\(step.batchesPerEpoch)  "
            + "loss \(String(format: "%.4f", step.loss))  acc \(String(format: "%5.1f%%", step.accuracy * 100))  "
            + "\(Int(step.imagesPerSecond.rounded()).formatted()) img/s  ETA \(Self.duration(eta))"
        writeIgnoringFailure("\u{1B}[2K\r" + line, to: STDERR_FILENO)
        barShown = true
    }

    /// 75.2 -> "1:15", 3725 -> "1:02:05".
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}
