import Foundation
import Testing
import TerminalUI
@testable import Training
@testable import TutorApp
import Networks
import Datasets

/// A run's events played from a list instead of a training thread: the test hands over events
/// with `feed`, and the controls are recorded. A checkpoint request is answered at once, as the
/// training loop answers it at its next step.
final class RecordedSource: TrainingSource {
    var queued: [TrainingEvent] = []
    var latestSnapshot: TrainingSnapshot?
    var isFinished = false
    private(set) var isPaused = false
    private(set) var stepsAllowed = 0
    private(set) var stopped = false
    private(set) var learningRateScale: Float = 1
    private(set) var checkpointRequests: [String] = []
    /// False holds checkpoint requests unanswered (a save under way).
    var answersCheckpoints = true

    func feed(_ events: [TrainingEvent], snapshot: TrainingSnapshot? = nil) {
        queued += events
        if let snapshot { latestSnapshot = snapshot }
        if events.contains(where: { if case .finished = $0 { true } else { false } }) { isFinished = true }
    }

    func takeEvents() -> [TrainingEvent] {
        defer { queued = [] }
        return queued
    }

    func togglePause() { isPaused.toggle() }
    func step() { stepsAllowed += 1 }
    func stop() { stopped = true }
    func scaleLearningRate(by factor: Float) { learningRateScale *= factor }

    func saveCheckpoint(to path: String) {
        checkpointRequests.append(path)
        if answersCheckpoints { queued.append(.checkpointSaved(path: path)) }
    }

    private(set) var probeMoves: [Int] = []
    private(set) var evaluationRequests = 0
    func moveProbe(by offset: Int) { probeMoves.append(offset) }
    func requestEvaluation() { evaluationRequests += 1 }

    func endedRun() -> (trainer: Trainer, outcome: TrainingOutcome)? { nil }

    func saveFinishedRun(to path: String) -> TrainingEvent {
        checkpointRequests.append(path)
        return .checkpointSaved(path: path)
    }
}

/// The sources a screen made, in order (a class: the screen makes more on a restart).
final class RecordedSources {
    var all: [RecordedSource] = []
    subscript(index: Int) -> RecordedSource { all[index] }
    var count: Int { all.count }
}

@Suite("TrainingScreen")
struct TrainingScreenTests {
    /// A screen over recorded sources (one per run), started, with `events` fed to each.
    static func screen(labels: [String] = ["modern"], throughStep step: Int = 60, restart: Bool = true)
        -> (TrainingScreen, RecordedSources) {
        let sources = RecordedSources()
        let runs = labels.enumerated().map { RecordedTraining.run(label: $0.element, seed: UInt64($0.offset + 1)) }
        let screen = TrainingScreen(runs: runs, restart: restart ? { seed in
            labels.map { RecordedTraining.run(label: $0, seed: UInt64(seed)) }
        } : nil, checkpointFolder: "/tmp/checkpoints") { _ in
            let source = RecordedSource()
            sources.all.append(source)
            return source
        }
        screen.tick(time: 0)
        let events = RecordedTraining.events(throughStep: step)
        for source in sources.all { source.feed(Array(events.prefix(1))) }
        screen.tick(time: 1)
        for source in sources.all { source.feed(Array(events.dropFirst()), snapshot: RecordedTraining.snapshot(throughStep: step)) }
        screen.tick(time: 84)
        return (screen, sources)
    }

    static func render(_ screen: TrainingScreen, width: Int, height: Int,
                       capabilities: TerminalCapabilities = .full) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        screen.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer
    }

    static let asciiMono = TerminalCapabilities(colors: .monochrome, glyphs: .ascii)

    @Test(arguments: [(80, 24), (100, 30), (120, 40)], [false, true])
    func snapshots(size: (Int, Int), ascii: Bool) throws {
        let (screen, _) = Self.screen()
        let buffer = Self.render(screen, width: size.0, height: size.1, capabilities: ascii ? Self.asciiMono : .full)
        try Snapshot.expect(buffer, named: "training-\(size.0)x\(size.1)-\(ascii ? "ascii" : "colour")")
        let text = Snapshot.text(of: buffer)
        #expect(text.contains(ascii ? "Training lenet5 . 61,706 parameters" : "Training lenet5 · 61,706 parameters"))
        #expect(text.contains("epoch 3/3"))
        #expect(text.contains("batch 10/25"))
        #expect(text.contains("1,000 img/s"))
        #expect(text.contains("test accuracy: epoch 1"))
    }

    @Test func theHeaderSaysWhatTrains() {
        let (screen, _) = Self.screen()
        let text = Snapshot.text(of: Self.render(screen, width: 200, height: 40))
        #expect(text.contains("lenet5 · 61,706 parameters · built-in digits 800 train / 100 val / 200 test"))
        #expect(text.contains("adam · lr 0.003 anneal, 10 warm-up steps · batch 32 · 1 thread"))
        // 50 of 75 steps done at step 50 plus 10: 15 steps of 32 images left at 1,000 a second.
        #expect(text.contains("elapsed 1:23  ETA 0:00"))
    }

    @Test func divergenceShowsABannerWithTheStepAndTheRate() throws {
        let (screen, sources) = Self.screen(throughStep: 30)
        let outcome = TrainingOutcome(reason: .diverged(step: 31, suggestedLearningRate: 0.0003), epochsCompleted: 1,
                                      steps: 30, lastEpoch: nil, seconds: 12)
        sources[0].feed([.finished(outcome)])
        screen.tick(time: 95)
        let buffer = Self.render(screen, width: 100, height: 30)
        try Snapshot.expect(buffer, named: "training-diverged-100x30-colour")
        #expect(Snapshot.text(of: buffer).contains("the loss diverged at step 31; the curves stop there. Try a learning rate below 0.0003"))
        #expect(screen.dashboard.runs[0].loss.values.count == 30)
        #expect(screen.lossScale == .linear)
        // A loss that blew up by a factor of more than 1,000 before diverging is drawn on a log scale.
        let (blowUp, blowUpSources) = Self.screen(throughStep: 0)
        blowUpSources[0].feed((1...5).map { .step(RecordedTraining.step($0, loss: $0 == 5 ? 4e9 : 2.3)) })
        blowUp.tick(time: 90)
        #expect(blowUp.lossScale == .logarithmic)
        _ = Self.render(blowUp, width: 100, height: 30)
        #expect(!screen.isAnimating && screen.isFinished)
    }

    @Test func twoRunsOverlayTheirCurves() throws {
        let (screen, _) = Self.screen(labels: ["classic", "modern"])
        let buffer = Self.render(screen, width: 120, height: 40)
        try Snapshot.expect(buffer, named: "training-compare-120x40-colour")
        let text = Snapshot.text(of: buffer)
        #expect(text.contains("classic epoch 3/3") && text.contains("modern epoch 3/3"))
        #expect(text.contains("classic train") && text.contains("modern val"))
        #expect(screen.lossChart.series.map(\.name) == ["classic", "modern"])
    }

    @Test func pauseStepAndLearningRateKeys() {
        let (screen, sources) = Self.screen()
        let source = sources[0]
        #expect(screen.isAnimating)
        _ = screen.handle(.character("s"))
        #expect(source.stepsAllowed == 0)  // s steps only while paused
        _ = screen.handle(.character("p"))
        #expect(source.isPaused && screen.paused)
        _ = screen.handle(.character("s"))
        _ = screen.handle(.character("s"))
        #expect(source.stepsAllowed == 2)
        _ = screen.handle(.character("p"))
        #expect(!source.isPaused)
        _ = screen.handle(.character("+"))
        _ = screen.handle(.character("+"))
        _ = screen.handle(.character("-"))
        #expect(source.learningRateScale == 2 && screen.learningRateScale == 2)
        let text = Snapshot.text(of: Self.render(screen, width: 120, height: 40))
        #expect(text.contains("lr 0.003 anneal, 10 warm-up steps (x2 by +/-)"))
        #expect(text.contains("learning rate x2 from the next step"))
    }

    @Test func wSavesACheckpointAndShowsTheResult() {
        let (screen, sources) = Self.screen()
        _ = screen.handle(.character("w"))
        #expect(sources[0].checkpointRequests == ["/tmp/checkpoints/lenet5-modern-step60.safetensors"])
        #expect(screen.pendingSaves.count == 1)
        screen.tick(time: 85)
        #expect(screen.pendingSaves.isEmpty)
        #expect(screen.dashboard.runs[0].checkpoint?.path == "/tmp/checkpoints/lenet5-modern-step60.safetensors")
        let text = Snapshot.text(of: Self.render(screen, width: 120, height: 40))
        #expect(text.contains("checkpoint saved: /tmp/checkpoints/lenet5-modern-step60.safetensors"))
    }

    @Test func nAndNMoveTheProbeAndCEvaluatesNow() throws {
        let (screen, sources) = Self.screen()
        _ = screen.handle(.character("n"))
        _ = screen.handle(.character("n"))
        _ = screen.handle(.character("N"))
        #expect(sources[0].probeMoves == [1, 1, -1])
        _ = screen.handle(.character("c"))
        #expect(sources[0].evaluationRequests == 1)
        // The run answers with an evaluation of the weights at step 60: the confusion panel shows it.
        let epochReport = try #require(RecordedTraining.events(throughStep: 60).compactMap {
            if case .epoch(let report) = $0 { report } else { nil }
        }.last)
        var confusion = ConfusionMatrix(classes: 10)
        for digit in 0..<10 { confusion.add(actual: digit, predicted: digit == 3 ? 5 : digit) }
        sources[0].feed([.evaluated(EvaluationReport(epoch: 3, step: 60, isValidation: true, loss: 0.5,
                                                     confusion: confusion, misclassified: [], onRequest: true))])
        screen.tick(time: 85)
        #expect(screen.dashboard.runs[0].evaluation?.step == 60)
        let text = Snapshot.text(of: Self.render(screen, width: 120, height: 40))
        #expect(text.contains("validation at step 60: 90.0% right, 9 of 10"), "\(text)")
        #expect(!text.contains("after epoch \(epochReport.epoch)"))
    }

    @Test func withASavePathWAndQWriteThereAndNDeclinesIt() {
        let sources = RecordedSources()
        var run = RecordedTraining.run(label: "modern", seed: 1)
        run.savePath = "/tmp/mine/lenet.safetensors"
        let screen = TrainingScreen(runs: [run], restart: nil, checkpointFolder: "/tmp/checkpoints") { _ in
            let source = RecordedSource()
            sources.all.append(source)
            return source
        }
        screen.tick(time: 0)
        _ = screen.handle(.character("w"))
        #expect(sources[0].checkpointRequests == ["/tmp/mine/lenet.safetensors"])
        screen.tick(time: 1)
        #expect(screen.savedCheckpoints == ["/tmp/mine/lenet.safetensors"])
        _ = screen.handle(.character("q"))
        let text = Snapshot.text(of: Self.render(screen, width: 100, height: 30))
        #expect(text.contains("Stop and write /tmp/mine/lenet.safetensors? y writes it, n does not"), "\(text)")
        guard case .pop = screen.handle(.character("n")) else { Issue.record("n did not leave"); return }
        #expect(screen.saveDeclined && sources[0].stopped)
        #expect(screen.closeRuns().count == 1, "one entry per run (nil: a recorded source has no trainer)")
    }

    @Test func qAsksWhetherToSaveAndWaitsForTheSave() {
        let (screen, sources) = Self.screen()
        guard case .none = screen.handle(.character("q")) else { Issue.record("q left at once"); return }
        #expect(screen.confirmingStop)
        #expect(Snapshot.text(of: Self.render(screen, width: 100, height: 30)).contains("Save a checkpoint before stopping? y/n"))
        guard case .none = screen.handle(.escape) else { Issue.record("Esc left"); return }
        #expect(!screen.confirmingStop && !sources[0].stopped)
        _ = screen.handle(.character("q"))
        guard case .pop = screen.handle(.character("y")) else { Issue.record("y did not leave"); return }
        #expect(sources[0].checkpointRequests.count == 1 && sources[0].stopped)
        #expect(screen.pendingSaves.isEmpty && screen.isFinished)
        #expect(screen.dashboard.runs[0].checkpoint != nil)
    }

    @Test func qWaitsForASaveAlreadyUnderWayEvenIfTheRunEnds() {
        let (screen, sources) = Self.screen()
        sources[0].answersCheckpoints = false
        _ = screen.handle(.character("w"))
        // The run ends before serving the request: the screen writes the checkpoint itself.
        sources[0].feed([.finished(TrainingOutcome(reason: .stopped, epochsCompleted: 2, steps: 60, lastEpoch: nil,
                                                   seconds: 1))])
        _ = screen.handle(.character("q"))
        guard case .pop = screen.handle(.character("n")) else { Issue.record("n did not leave"); return }
        #expect(sources[0].stopped)
        #expect(screen.pendingSaves.isEmpty)
        #expect(sources[0].checkpointRequests.count == 2)  // asked, then written from the ended run
    }

    @Test func aSaveTheRunNeverServedIsWrittenOnceItEnds() {
        let (screen, sources) = Self.screen()
        sources[0].answersCheckpoints = false
        _ = screen.handle(.character("w"))
        screen.tick(time: 85)
        #expect(screen.pendingSaves.count == 1 && screen.isAnimating)
        sources[0].feed([.finished(TrainingOutcome(reason: .completed, epochsCompleted: 3, steps: 75, lastEpoch: nil,
                                                   seconds: 1))])
        screen.tick(time: 86)
        #expect(screen.pendingSaves.isEmpty && !screen.isAnimating)
        #expect(sources[0].checkpointRequests.count == 2)  // asked, then written from the ended run
        #expect(screen.dashboard.runs[0].checkpoint?.failure == nil)
    }

    @Test func nLeavesWithoutSaving() {
        let (screen, sources) = Self.screen()
        _ = screen.handle(.character("q"))
        guard case .pop = screen.handle(.character("n")) else { Issue.record("n did not leave"); return }
        #expect(sources[0].checkpointRequests.isEmpty && sources[0].stopped)
        #expect(!screen.isAnimating)
    }

    @Test func tabFocusesEnterZoomsEscUnzooms() {
        let (screen, _) = Self.screen()
        #expect(screen.focus == .loss)
        _ = screen.handle(.tab)
        #expect(screen.focus == .accuracy)
        _ = screen.handle(.enter)
        #expect(screen.zoomed)
        let zoomed = Snapshot.text(of: Self.render(screen, width: 100, height: 30))
        #expect(zoomed.contains("Accuracy") && !zoomed.contains("Filters"))
        guard case .none = screen.handle(.escape) else { Issue.record("Esc left while zoomed"); return }
        #expect(!screen.zoomed && !screen.confirmingStop)
        for _ in 0..<3 { _ = screen.handle(.tab) }
        #expect(screen.focus == .confusion)
        _ = screen.handle(.tab)
        #expect(screen.focus == .gradients)
        _ = screen.handle(.tab)
        #expect(screen.focus == .loss)
        _ = screen.handle(.backTab)
        #expect(screen.focus == .gradients)
        _ = screen.handle(.character("g"))
        #expect(screen.showGradients)
    }

    @Test func rRestartsWithANewSeed() {
        let (screen, sources) = Self.screen()
        _ = screen.handle(.character("r"))
        #expect(sources[0].stopped)
        #expect(sources.count == 2)  // a fresh source for the new run
        #expect(screen.runs[0].trainer.configuration.seed == 2 && screen.nextSeed == 3)
        #expect(screen.dashboard.runs[0].loss.isEmpty)
        let (fixed, fixedSources) = Self.screen(restart: false)
        _ = fixed.handle(.character("r"))
        #expect(!fixedSources[0].stopped && fixedSources.count == 1)
    }

    @Test func everySizeDraws() {
        let (screen, _) = Self.screen(labels: ["classic", "modern"])
        for width in stride(from: 0, through: 200, by: 7) {
            for height in stride(from: 0, through: 60, by: 3) {
                for capabilities in [TerminalCapabilities.full, .plain] {
                    let buffer = Self.render(screen, width: width, height: height, capabilities: capabilities)
                    #expect(buffer.width == width)
                }
            }
        }
        _ = screen.handle(.enter)
        for size in [(0, 0), (1, 1), (2, 5), (200, 60), (13, 3)] {
            _ = Self.render(screen, width: size.0, height: size.1)
        }
    }

    /// Real sessions: the screen starts them on its first tick, a paused run still serves the
    /// checkpoint `q` then `y` asks for, and the screen leaves only once it is written.
    @Test func realSessionsTrainPauseAndSaveOnQuit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("training-screen-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let screen = TrainingScreen(runs: [RecordedTraining.run()], checkpointFolder: folder.path)
        #expect(screen.isAnimating)
        RecordedTraining.tick(screen, untilSteps: 3)
        #expect(screen.dashboard.runs[0].stepsTaken >= 3)
        _ = screen.handle(.character("p"))
        _ = screen.handle(.character("q"))
        guard case .pop = screen.handle(.character("y")) else { Issue.record("y did not leave"); return }
        let saved = try #require(screen.dashboard.runs[0].checkpoint)
        #expect(saved.failure == nil)
        #expect(FileManager.default.fileExists(atPath: saved.path))
        _ = try Checkpoint(path: saved.path)
        #expect(screen.isFinished && !screen.isAnimating)
    }

    /// After a run has ended, `w` writes the finished run's checkpoint at once.
    @Test func nAndCAfterTheRunEndedAnswerAtOnce() throws {
        var configuration = RecordedTraining.configuration()
        configuration.epochs = 1
        let trainer = try Trainer(configuration: configuration, data: RecordedTraining.data)
        let validation = trainer.validationIndices
        let screen = TrainingScreen(runs: [TrainingRun(label: "one", trainer: trainer, dataset: "digits")], checkpointFolder: "/tmp")
        RecordedTraining.tick(screen) { $0.dashboard.isFinished }
        #expect(!screen.isAnimating, "a finished run is not ticked: the keys must show their answer themselves")
        let before = try #require(screen.dashboard.runs[0].snapshot?.probeIndex)
        _ = screen.handle(.character("n"))
        let after = try #require(screen.dashboard.runs[0].snapshot?.probeIndex)
        #expect(after != before && validation.contains(after))
        _ = screen.handle(.character("c"))
        #expect(screen.dashboard.runs[0].evaluation?.onRequest == true)
        let text = Snapshot.text(of: Self.render(screen, width: 120, height: 40))
        #expect(text.contains("probe image #\(after)") && text.contains("validation at step 25"), "\(text)")
    }

    @Test func wAfterTheRunEndedWritesAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("training-screen-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = RecordedTraining.configuration()
        configuration.epochs = 1
        let trainer = try Trainer(configuration: configuration, data: RecordedTraining.data)
        let screen = TrainingScreen(runs: [TrainingRun(label: "one", trainer: trainer, dataset: "digits")],
                                    checkpointFolder: folder.path)
        RecordedTraining.tick(screen) { $0.dashboard.isFinished }
        #expect(screen.dashboard.runs[0].outcome?.reason == .completed)
        #expect(!screen.isAnimating)
        _ = screen.handle(.character("w"))
        let saved = try #require(screen.dashboard.runs[0].checkpoint)
        #expect(saved.path == folder.path + "/lenet5-one-step25.safetensors" && saved.failure == nil)
        #expect(FileManager.default.fileExists(atPath: saved.path))
    }
}

@Suite("TrainingScreen frames")
struct TrainingScreenFrameTests {
    /// Ticks closer than a tenth of a second apart do not read the runs again, and a frame with
    /// nothing new is the same as the last one drawn.
    @Test func readsAndDrawsAtMostTenTimesASecond() {
        let (screen, sources) = TrainingScreenTests.screen(throughStep: 10)
        let first = Snapshot.text(of: TrainingScreenTests.render(screen, width: 100, height: 30))
        sources[0].feed(Array(RecordedTraining.events(throughStep: 20).dropFirst(11)))
        screen.tick(time: 84.05)  // 84 was the last read
        #expect(screen.dashboard.runs[0].stepsTaken == 10)
        let same = Snapshot.text(of: TrainingScreenTests.render(screen, width: 100, height: 30))
        #expect(same == first)
        screen.tick(time: 84.15)
        #expect(screen.dashboard.runs[0].stepsTaken == 20)
        let second = Snapshot.text(of: TrainingScreenTests.render(screen, width: 100, height: 30))
        #expect(second != first)
        #expect(second.contains("batch 20/25"))
        // Another size draws afresh.
        #expect(Snapshot.text(of: TrainingScreenTests.render(screen, width: 120, height: 40)).contains("batch 20/25"))
    }
}

@Suite("TrainingScreen accuracy axis")
struct TrainingScreenAccuracyAxisTests {
    @Test func theAccuracyAxisStartsBelowTheAccuraciesWorthReading() {
        let (early, _) = TrainingScreenTests.screen(throughStep: 4)
        #expect(early.accuracyLowerBound == 0)  // the first steps are near chance
        // 10 steps at 10%, then 190 at 99%: the later half of the averaged curve is all above 98%.
        let (screen, sources) = TrainingScreenTests.screen(throughStep: 0)
        sources[0].feed((1...200).map { .step(RecordedTraining.step($0, loss: 0.1, accuracy: $0 <= 10 ? 0.1 : 0.99)) })
        screen.tick(time: 90)
        #expect(screen.accuracyLowerBound == 0.9)
        #expect(Snapshot.text(of: TrainingScreenTests.render(screen, width: 100, height: 30)).contains("90%"))
    }
}
