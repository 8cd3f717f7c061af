import Foundation
import Testing
import TerminalUI
@testable import Training
@testable import TutorApp
import Networks
import Datasets

/// Issue 14's states: the clock while paused, a restart while paused, keys after the run has
/// ended, the gradients after the end, and where `w` writes without `--save`.
@Suite("TrainingScreen states")
struct TrainingScreenStateTests {
    typealias Screens = TrainingScreenTests

    static func text(_ screen: TrainingScreen, width: Int = 120, height: Int = 40) -> String {
        Snapshot.text(of: Screens.render(screen, width: width, height: height))
    }

    /// The recorded run's events through its end (step 75), fed to a screen's run.
    static func finish(_ screen: TrainingScreen, _ source: RecordedSource, at time: Double) {
        let rest = RecordedTraining.recorded.events.filter {
            switch $0 {
            case .step(let report): report.step > 60
            case .epoch(let report): report.step > 60
            case .started: false
            default: true
            }
        }
        source.feed(rest, snapshot: RecordedTraining.recorded.snapshot)
        screen.tick(time: time)
    }

    @Test func theClockStopsWhilePausedAndTheScreenSaysSo() {
        let (screen, _) = Screens.screen()
        // Started at 1, read at 84: 83 seconds.
        #expect(screen.dashboard.runs[0].elapsed(at: 84) == 83)
        _ = screen.handle(.character("p"))
        screen.tick(time: 200)
        #expect(screen.dashboard.runs[0].elapsed(at: 200) == 83)
        let paused = Self.text(screen)
        #expect(paused.contains("elapsed 1:23 paused"), "\(paused)")
        #expect(paused.contains("paused: s steps once, p resumes"))
        _ = screen.handle(.character("p"))
        screen.tick(time: 210)
        #expect(screen.dashboard.runs[0].elapsed(at: 210) == 93)
        let running = Self.text(screen)
        #expect(running.contains("elapsed 1:33  ETA") && !running.contains("paused"), "\(running)")
    }

    @Test func aKeyPressedWhilePausedStillShowsThePause() {
        let (screen, _) = Screens.screen()
        _ = screen.handle(.character("p"))
        _ = screen.handle(.character("+"))
        let text = Self.text(screen)
        #expect(text.contains("learning rate x2 from the next step · paused: s steps once, p resumes"), "\(text)")
    }

    @Test func rWhilePausedRestartsPausedAndSaysSo() {
        let (screen, sources) = Screens.screen()
        _ = screen.handle(.character("p"))
        _ = screen.handle(.character("r"))
        #expect(sources.count == 2 && sources[1].isPaused)
        let restarted = Self.text(screen)
        #expect(restarted.contains("restarted with seed 2, paused: p starts it, s steps once"), "\(restarted)")
        #expect(restarted.contains("p resume"))
        // The new run reports its start, then nothing happens for a minute: its clock stays at 0.
        sources[1].feed(Array(RecordedTraining.events(throughStep: 0).prefix(1)))
        screen.tick(time: 90)
        screen.tick(time: 150)
        #expect(screen.dashboard.runs[0].elapsed(at: 150) == 0)
        #expect(Self.text(screen).contains("elapsed 0:00 paused"))
        _ = screen.handle(.character("p"))
        #expect(!sources[1].isPaused)
        screen.tick(time: 160)
        #expect(screen.dashboard.runs[0].elapsed(at: 160) == 10)
    }

    @Test func keysThatCannotActAfterTheEndSaySo() {
        let (screen, sources) = Screens.screen()
        Self.finish(screen, sources[0], at: 90)
        #expect(screen.dashboard.isFinished)
        for key: Character in ["+", "-", "p", "s"] {
            _ = screen.handle(.character(key))
            let text = Self.text(screen)
            #expect(text.contains("the run has ended: r starts a new one, w saves a checkpoint, q leaves"), "\(key): \(text)")
            #expect(!text.contains("learning rate x"))
        }
        #expect(sources[0].learningRateScale == 1 && !sources[0].isPaused && sources[0].stepsAllowed == 0)
        #expect(screen.learningRateScale == 1 && !screen.paused)
        #expect(!Self.text(screen).contains("lr 0.003 anneal, 10 warm-up steps (x"))
        // Without a restart the message does not offer one.
        let (fixed, fixedSources) = Screens.screen(restart: false)
        Self.finish(fixed, fixedSources[0], at: 90)
        _ = fixed.handle(.character("+"))
        #expect(Self.text(fixed).contains("the run has ended: w saves a checkpoint, q leaves"))
        // r still starts a new run.
        _ = screen.handle(.character("r"))
        #expect(sources.count == 2 && screen.status == "restarted with seed 2")
    }

    @Test func gAfterTheEndShowsTheLastStepsGradients() throws {
        let (screen, sources) = Screens.screen()
        let lastStep = try #require(RecordedTraining.recorded.snapshots.last { $0.layers[0].gradientNorm > 0 })
        #expect(lastStep.step == 75)
        sources[0].feed([], snapshot: lastStep)
        screen.tick(time: 85)
        Self.finish(screen, sources[0], at: 90)
        // The run's last snapshot (after the epoch's evaluation) carries the last step's gradients.
        #expect(screen.dashboard.runs[0].snapshot?.step == 75)
        #expect(screen.dashboard.runs[0].snapshot?.layers[0].gradient.data == lastStep.layers[0].gradient.data)
        _ = screen.handle(.character("g"))
        let text = Self.text(screen)
        let expected = TrainingFiltersView(snapshot: lastStep, showGradients: true)
        #expect(text.contains("Filters: step 75 gradients (g)"), "\(text)")
        #expect(text.contains("conv1 gradient 6×5×5, ±" + TrainingViewDrawing.format(expected.conv1Range.upper)), "\(text)")
        #expect(!text.contains("all 0"))
    }

    @Test func gBeforeAnyStepSaysThereAreNoGradients() {
        let (screen, sources) = Screens.screen(throughStep: 0)
        sources[0].feed([], snapshot: RecordedTraining.trainer().currentSnapshot())  // no step yet: no gradients
        screen.tick(time: 90)
        _ = screen.handle(.character("g"))
        let text = Self.text(screen)
        #expect(text.contains("no gradients yet: no step has run"), "\(text)")
        #expect(!text.contains("all 0"))
    }

    @Test func wWithoutSaveWritesToTheUsersDataFolder() {
        #expect(TrainingScreen.defaultCheckpointFolder(environment: ["XDG_DATA_HOME": "/x/data", "HOME": "/home/u"])
            == "/x/data/convtutor/checkpoints")
        #expect(TrainingScreen.defaultCheckpointFolder(environment: ["HOME": "/home/u"])
            == "/home/u/.local/share/convtutor/checkpoints")
        #expect(TrainingScreen.defaultCheckpointFolder(environment: ["XDG_DATA_HOME": "relative", "HOME": "/home/u"])
            == "/home/u/.local/share/convtutor/checkpoints")
        let screen = TrainingScreen(runs: [RecordedTraining.run()])
        #expect(screen.checkpointFolder == TrainingScreen.defaultCheckpointFolder())
        #expect(screen.checkpointFolder.hasPrefix("/") && screen.checkpointFolder.hasSuffix("/convtutor/checkpoints"))
        #expect(screen.checkpointPath(run: 0).hasPrefix(screen.checkpointFolder + "/lenet5-modern-step0"))
        #expect(TrainingScreen.shortFolder("/home/u/.local/share/convtutor/checkpoints", home: "/home/u")
            == "~/.local/share/convtutor/checkpoints")
        #expect(TrainingScreen.shortFolder("/x/data/convtutor/checkpoints", home: "/home/u") == "/x/data/convtutor/checkpoints")
        #expect(screen.keyHelp.contains { $0.description.contains("else " + TrainingScreen.shortFolder(screen.checkpointFolder)) })
    }

    /// A real session writes into a checkpoint folder that does not exist yet, and the screen
    /// shows the full path.
    @Test func wMakesTheCheckpointFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("training-state-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("convtutor/checkpoints").path
        var configuration = RecordedTraining.configuration()
        configuration.epochs = 1
        let trainer = try Trainer(configuration: configuration, data: RecordedTraining.data)
        let screen = TrainingScreen(runs: [TrainingRun(label: "one", trainer: trainer, dataset: "digits")],
                                    checkpointFolder: folder)
        RecordedTraining.tick(screen, untilSteps: 2)
        _ = screen.handle(.character("p"))
        _ = screen.handle(.character("w"))
        screen.waitForSaves()
        let saved = try #require(screen.dashboard.runs[0].checkpoint)
        #expect(saved.failure == nil && saved.path.hasPrefix(folder + "/lenet5-one-step"))
        #expect(FileManager.default.fileExists(atPath: saved.path))
        #expect(screen.savedCheckpoints == [saved.path])
        #expect(Self.text(screen, width: 200).contains("checkpoint saved: " + saved.path))
        _ = screen.closeRuns()
    }
}

/// Issue 14's readability items: the validation curve and the confusion table's rows.
@Suite("TrainingScreen readability")
struct TrainingScreenReadabilityTests {
    @Test func validationPointsAreLargeBrightDots() throws {
        let (screen, _) = TrainingScreenTests.screen()
        #expect(screen.dashboard.runs[0].validationAccuracy.values.count == 2)
        let buffer = TrainingScreenTests.render(screen, width: 120, height: 40)
        var dots: [(x: Int, y: Int, cell: Cell)] = []
        for y in 0..<buffer.height {
            for x in 0..<buffer.width where buffer[x, y].character == "●" { dots.append((x, y, buffer[x, y])) }
        }
        #expect(dots.count == 2, "one dot per epoch's validation accuracy")
        let colour = TrainingScreen.runColours[0].1
        #expect(dots.allSatisfy { $0.cell.style.foreground == colour && $0.cell.style.attributes.contains(.bold) })
        // A bright palette entry (8-15), never the dark blue that was nearly invisible on black.
        guard case .indexed(let index) = colour else { Issue.record("not a palette colour"); return }
        #expect((9...15).contains(index) && colour != .blue)
        // Epoch 2's point is right of epoch 1's, and higher when its accuracy is.
        let values = screen.dashboard.runs[0].validationAccuracy.values
        let sorted = dots.sorted { $0.x < $1.x }
        #expect(sorted[0].x < sorted[1].x)
        if values[1] > values[0] + 0.05 { #expect(sorted[1].y < sorted[0].y) }
        // The legend names the series in the same colour; ASCII draws the series' marker instead.
        let ascii = TrainingScreenTests.render(screen, width: 120, height: 40, capabilities: TrainingScreenTests.asciiMono)
        #expect(!Snapshot.text(of: ascii).contains("●"))
    }

    @Test func theLossAxisIsLinearWhenOneBatchIsLearnedAlmostPerfectly() {
        let (screen, sources) = TrainingScreenTests.screen(throughStep: 0)
        sources[0].feed((1...50).map { .step(RecordedTraining.step($0, loss: $0 == 40 ? 1e-5 : 2.5 - Float($0) * 0.04)) })
        screen.tick(time: 90)
        #expect(screen.lossScale == .linear)
        let text = Snapshot.text(of: TrainingScreenTests.render(screen, width: 80, height: 24))
        #expect(!text.contains("1e-5") && !text.contains("100k"), "\(text)")
    }

    @Test func precisionAndRecallSitOnTheirMatrixRows() {
        let report = TrainingViewsTests.run.report
        let view = TrainingConfusionView(report: report)
        for width in [200, 60] {
        let wide = TrainingViewsTests.render({ view.render(in: $0, into: &$1, capabilities: TrainingViewsTests.colour) },
                                             width: width, height: 60)
        for digit in 0..<10 {
            let row = wide.lines.firstIndex { $0.hasPrefix("\(digit) ") }
            #expect(row != nil && wide.line(row!).contains(view.precisionRecallLines[digit + 1]),
                    "digit \(digit): \(row.map { wide.line($0) } ?? "no row")")
        }
        // The table's header is on the matrix's column labels.
        let labels = wide.lines.firstIndex { $0.hasPrefix("   0  1  2") }
        #expect(labels != nil && wide.line(labels!).contains("prec%  rec%"))
        }
    }
}

@Suite("TrainingScreen checkpoint path")
struct TrainingScreenCheckpointPathTests {
    /// A checkpoint's full path is never cut: longer than the width, it goes on to a second line.
    @Test func aLongCheckpointPathTakesTwoLines() {
        let sources = RecordedSources()
        let folder = "/tmp/" + String(repeating: "long-folder-name/", count: 5) + "checkpoints"
        let screen = TrainingScreen(runs: [RecordedTraining.run()], restart: nil, checkpointFolder: folder) { _ in
            let source = RecordedSource()
            sources.all.append(source)
            return source
        }
        screen.tick(time: 0)
        _ = screen.handle(.character("w"))
        screen.tick(time: 1)
        let path = folder + "/lenet5-modern-step0.safetensors"
        #expect(screen.savedCheckpoints == [path])
        let buffer = TrainingScreenTests.render(screen, width: 80, height: 24)
        let banner = (0..<buffer.height).first { buffer.line($0).hasPrefix("checkpoint saved: ") }
        #expect(banner != nil)
        if let banner {
            let joined = buffer.line(banner) + buffer.line(banner + 1)
            #expect(joined.hasPrefix("checkpoint saved: " + path), "\(joined)")
        }
    }
}

@Suite("TrainingConfusionView with MNIST's counts")
struct TrainingConfusionCountsTests {
    /// 5,000 validation images: three-digit counts. At 120x40's confusion width (56 inside) each
    /// digit's precision and recall stay beside its row, and no two counts touch.
    @Test func threeDigitCountsKeepTheTableBesideTheMatrix() {
        var confusion = ConfusionMatrix(classes: 10)
        for digit in 0..<10 {
            for index in 0..<500 { confusion.add(actual: digit, predicted: index < 490 ? digit : (digit + 1 + index % 3) % 10) }
        }
        let report = EvaluationReport(epoch: 2, step: 3438, isValidation: true, loss: 0.05, confusion: confusion,
                                      misclassified: [], onRequest: false)
        let view = TrainingConfusionView(report: report)
        let buffer = TrainingViewsTests.render({ view.render(in: $0, into: &$1, capabilities: TrainingViewsTests.colour) },
                                               width: 56, height: 16)
        for digit in 0..<10 {
            let row = buffer.lines.firstIndex { $0.hasPrefix("\(digit) ") }
            #expect(row != nil && buffer.line(row!).contains(view.precisionRecallLines[digit + 1]),
                    "digit \(digit): \(buffer.lines.joined(separator: "\n"))")
            // The row's counts read back as the matrix's: the label, ten counts, then the table.
            if let row {
                let tokens = buffer.line(row).split(separator: " ").prefix(11).map(String.init)
                let counts = (0..<10).map { view.matrix.cellText(row: digit, column: $0) }
                #expect(tokens == ["\(digit)"] + counts, "\(buffer.line(row))")
            }
        }
        // The pairs, cut at the bottom, say how many more there are, inside their own column.
        let text = buffer.lines.joined(separator: "\n")
        #expect(text.contains("most confused"))
        #expect(text.contains("more"), "\(text)")
    }
}
