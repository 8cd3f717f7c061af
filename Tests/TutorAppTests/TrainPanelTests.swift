import Datasets
import Foundation
import Lessons
import TerminalUI
import Testing
@testable import TutorApp

@Suite("KernelTrainingPanel")
struct KernelTrainingPanelTests {
    /// A 12x12 drawing with edges both ways (values 0...1).
    static let drawing: GridStack = {
        var grid = Array(repeating: Array(repeating: Float(0.1), count: 12), count: 12)
        for row in 0..<12 {
            for column in 0..<12 {
                if row >= 5 && row < 11 && column >= 2 && column < 10 { grid[row][column] = 0.7 }
                if row >= 2 && row < 5 && abs(column - 6) <= row - 1 { grid[row][column] = 0.45 }
                if row >= 7 && row < 11 && column >= 4 && column < 6 { grid[row][column] = 0.05 }
            }
        }
        for column in 0..<12 { grid[11][column] = 0.3 + Float(column % 3) * 0.1 }
        return GridStack(grid)
    }()

    static func panel(steps: Int = 200, learningRate: Float = 0.5) throws -> KernelTrainingPanel {
        let spec = TrainSpec(task: .kernel(target: KernelPreset.sobelX.stack(), start: nil, image: "house"),
                             learningRate: learningRate, steps: steps)
        return KernelTrainingPanel(learner: try KernelLearner(spec: spec, image: drawing))
    }

    static func render(_ panel: KernelTrainingPanel, width: Int = 56, height: Int = 25,
                       capabilities: TerminalCapabilities = .plain) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        panel.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer
    }

    @Test func anOverfittingTaskIsRefusedNamingTheField() {
        let spec = TrainSpec(task: .overfitting(trainingImages: 100, epochs: 2, dropout: false, weightDecay: 0,
                                                augment: false))
        #expect(throws: LessonError.self) { try KernelTrainingPanel(spec: spec) }
        do {
            _ = try KernelTrainingPanel(spec: spec)
        } catch {
            #expect(error.field == "task")
        }
    }

    @Test func spaceRunsAboutTwentyStepsASecondAndPauses() throws {
        let panel = try Self.panel()
        #expect(!panel.isAnimating && !panel.isComplete)
        #expect(panel.handle(.character(" ")))
        #expect(panel.isAnimating)
        var time = 0.0
        while time <= 1.0 + 1e-9 {
            panel.tick(time: time)
            time += 1.0 / 30
        }
        #expect((19...22).contains(panel.learner.stepCount), "\(panel.learner.stepCount) steps in a second")
        #expect(panel.handle(.character(" ")))
        #expect(!panel.isAnimating)
        let steps = panel.learner.stepCount
        panel.tick(time: 5)
        #expect(panel.learner.stepCount == steps)
        #expect(Self.render(panel).lines[0].hasPrefix("step \(steps)/200  loss "))
    }

    @Test func theLossChartsStepAxisHasWholeNumbers() throws {
        let panel = try Self.panel()
        for steps in [0, 1, 3, 9, 10, 11, 37] {
            while panel.learner.stepCount < steps { _ = panel.handle(.character("n")) }
            #expect(KernelTrainingPanel.stepAxisEnd(steps: steps) >= max(steps, 10))
            for (width, height) in [(56, 25), (44, 16), (44, 20)] {
                let lines = Self.render(panel, width: width, height: height).lines
                // The axis' title and labels: "   step  0      2      4 ...".
                let axis = try #require(lines.first { $0.split(separator: " ").prefix(2) == ["step", "0"] },
                                        "the step axis at \(width)x\(height) after \(steps) steps:\n\(lines.joined(separator: "\n"))")
                let labels = axis.split(separator: " ").dropFirst()
                #expect(!labels.isEmpty && labels.allSatisfy { Int($0) != nil }, "\(axis) after \(steps) steps")
            }
        }
    }

    @Test func aLateTickTakesOnlyAFewSteps() throws {
        let panel = try Self.panel()
        _ = panel.handle(.character(" "))
        panel.tick(time: 0)
        panel.tick(time: 60)
        #expect(panel.learner.stepCount <= 1 + KernelTrainingPanel.maximumStepsPerTick)
    }

    @Test func nTakesOneStepAndRResets() throws {
        let panel = try Self.panel()
        #expect(panel.handle(.character("n")))
        #expect(panel.handle(.character("n")))
        #expect(panel.learner.stepCount == 2)
        #expect(panel.learner.losses.count == 3)
        #expect(panel.handle(.character("r")))
        #expect(panel.learner.stepCount == 0 && panel.learner.losses.count == 1)
        #expect(!panel.handle(.character("x")))
        #expect(!panel.handle(.left))  // not in the gradient view: the host's key
    }

    @Test func theRunCompletesAfterItsSteps() throws {
        let panel = try Self.panel(steps: 4)
        _ = panel.handle(.character(" "))
        for tick in 0..<30 { panel.tick(time: Double(tick) / 10) }
        #expect(panel.learner.stepCount == 4)
        #expect(panel.isComplete && !panel.isAnimating)
        #expect(Self.render(panel).text.contains("Done 4 steps; largest error "))
    }

    @Test func zWalksTheGradientWindowsFromTheOneThatChangesDWMost() throws {
        let panel = try Self.panel(steps: 30)
        for _ in 0..<30 { _ = panel.handle(.character("n")) }
        _ = panel.handle(.character("g"))
        let windows = panel.learner.lastGradientWindows
        func size(_ index: Int) -> Float {
            windows[index].terms.filter { !$0.isPadding }.map { abs($0.input * windows[index].gradOutput) }.max() ?? 0
        }
        let largest = windows.indices.map(size).max() ?? 0
        #expect(largest > 0)
        var visited: [Int] = []
        for _ in 0..<5 {
            _ = panel.handle(.character("z"))
            visited.append(panel.windowIndex)
        }
        #expect(size(visited[0]) == largest, "the first press goes to the window that changes dW most")
        #expect(zip(visited, visited.dropFirst()).allSatisfy { size($0) >= size($1) }, "then down the order: \(visited)")
        #expect(Set(visited).count == 5)
        #expect(panel.keyHelp.contains(KeyHint("z", "windows by how much they change dW")))
    }

    @Test func aRateTooLargeStopsTheRunWithTheAdviceOnScreen() throws {
        let panel = try Self.panel(learningRate: 5)
        _ = panel.handle(.character(" "))
        for tick in 0..<100 where panel.isAnimating { panel.tick(time: Double(tick)) }
        #expect(!panel.isAnimating && panel.learner.failure != nil)
        let text = Self.render(panel).text
        #expect(text.contains("Stopped: the loss"))
        #expect(text.contains("try a smaller one, such as 0.5."))
    }

    @Test func theHouseRunsAtTheLessonsRate() throws {
        let spec = TrainSpec(task: .kernel(target: KernelPreset.sobelX.stack(), start: nil, image: "house"),
                             learningRate: 0.5, steps: 1_000)
        let panel = try KernelTrainingPanel(spec: spec)
        for _ in 0..<40 { _ = panel.handle(.character("n")) }
        var buffer = CellBuffer(width: 56, height: 25)
        panel.render(into: &buffer, area: buffer.area, capabilities: .full)
        let text = buffer.text
        #expect(text.contains("step 40/1000"))
        #expect(text.contains("target (sobel-x)") && text.contains("learned"))
        #expect(text.contains("image") && text.contains("target output") && text.contains("learned output"))
    }

    @Test func theGradientViewStepsThroughTheLastStepsWindows() throws {
        let panel = try Self.panel()
        #expect(panel.handle(.character("g")))  // takes the first step, there being no gradient yet
        #expect(panel.showsGradient && panel.learner.stepCount == 1)
        #expect(panel.windowIndex == 0)
        #expect(panel.handle(.right) && panel.handle(.right))
        #expect(panel.windowIndex == 2)
        var buffer = Self.render(panel, capabilities: .full)
        let text = buffer.text
        #expect(text.contains("Step 1 backward: window 3 of 100"))
        let arithmetic = panel.learner.gradientArithmetic(windowIndex: 2)
        #expect(text.contains(arithmetic[0]))
        #expect(text.contains(arithmetic[1]))
        #expect(text.contains(arithmetic[2]))
        #expect(arithmetic[0].hasPrefix("output (1, 3): "), "the third window: row 1, column 3, counted from 1")
        #expect(arithmetic[2].hasPrefix("dW[1,1] += "))
        // The window's nine cells are highlighted on the input (white on blue).
        let highlighted = (0..<buffer.height).flatMap { y in (0..<buffer.width).map { (x: $0, y: y) } }
            .filter { buffer[$0.x, $0.y].style.background == .blue && buffer[$0.x, $0.y].character.isNumber }
        #expect(!highlighted.isEmpty)
        #expect(panel.handle(.end))
        #expect(panel.windowIndex == 99)
        #expect(panel.handle(.right) && panel.windowIndex == 99)
        #expect(panel.handle(.home) && panel.windowIndex == 0)
        #expect(panel.handle(.left) && panel.windowIndex == 0)
        // ASCII: every character printable ASCII.
        buffer = Self.render(panel, capabilities: .plain)
        #expect(buffer.text.allSatisfy { $0.isASCII })
        #expect(panel.handle(.character("g")))
        #expect(!panel.showsGradient)
    }

    @Test func rendersAtEverySizeWithoutCrashing() throws {
        let panel = try Self.panel()
        for _ in 0..<3 { _ = panel.handle(.character("n")) }
        for gradient in [false, true] {
            if gradient { _ = panel.handle(.character("g")) }
            for (width, height) in [(0, 0), (1, 1), (5, 3), (20, 8), (44, 20), (56, 25), (120, 40)] {
                for capabilities in [TerminalCapabilities.full, .plain] {
                    var buffer = CellBuffer(width: width + 4, height: height + 4)
                    let area = Rect(x: 2, y: 2, width: width, height: height)
                    panel.render(into: &buffer, area: area, capabilities: capabilities)
                    // Nothing outside the area.
                    for y in 0..<buffer.height {
                        for x in 0..<buffer.width where !area.contains(x: x, y: y) {
                            #expect(buffer[x, y] == .blank)
                        }
                    }
                }
            }
        }
    }

    @Test func snapshots() throws {
        let panel = try Self.panel()
        for _ in 0..<25 { _ = panel.handle(.character("n")) }
        try Snapshot.expect(Self.render(panel), named: "train-kernel-56x25-ascii")
        _ = panel.handle(.character("g"))
        for _ in 0..<14 { _ = panel.handle(.right) }
        try Snapshot.expect(Self.render(panel), named: "train-kernel-gradient-56x25-ascii")
        try Snapshot.expect(Self.render(panel, width: 44, height: 20), named: "train-kernel-gradient-44x20-ascii")
        // The lesson player's room at 80x24: every line of the arithmetic still shows.
        let small = Self.render(panel, width: 44, height: 16)
        try Snapshot.expect(small, named: "train-kernel-gradient-44x16-ascii")
        #expect(small.text.contains(panel.learner.gradientArithmetic(windowIndex: panel.windowIndex, ascii: true).last!))
    }
}

@Suite("OverfittingPanel", .serialized)
struct OverfittingPanelTests {
    static func spec(images: Int, epochs: Int, oneAtATime: Bool = false) -> TrainSpec {
        TrainSpec(task: .overfitting(trainingImages: images, epochs: epochs, dropout: true, weightDecay: 0.0005,
                                     augment: true, oneAtATime: oneAtATime))
    }

    /// A run whose last epoch ended at `train` and `validation` (0...1).
    static func run(_ kind: OverfittingPanel.Run.Kind, train: Double, validation: Double) -> OverfittingPanel.Run {
        var run = OverfittingPanel.Run(kind: kind)
        run.epochs = [(epoch: 1, train: train, validation: validation)]
        return run
    }

    static var tinySettings: OverfittingPanel.Settings {
        var settings = OverfittingPanel.Settings()
        settings.validationImages = 300
        settings.batchSize = 10
        return settings
    }

    /// Ticks `panel` with the wall clock until `done` or `seconds` pass; returns the seconds taken.
    @discardableResult
    static func tick(_ panel: OverfittingPanel, for seconds: Double, until done: () -> Bool) -> Double {
        let start = Date()
        while !done() && Date().timeIntervalSince(start) < seconds {
            panel.tick(time: Date().timeIntervalSince(start))
            Thread.sleep(forTimeInterval: 0.02)
        }
        return Date().timeIntervalSince(start)
    }

    @Test func bothRunsFinishWithAccuraciesPerEpochAndThePlainRunOverfits() throws {
        let panel = OverfittingPanel(spec: Self.spec(images: 100, epochs: 8), settings: Self.tinySettings)
        #expect(panel.phase == .ready && !panel.isAnimating && !panel.isComplete)
        var buffer = CellBuffer(width: 56, height: 25)
        panel.render(into: &buffer, area: buffer.area, capabilities: .full)
        #expect(buffer.text.contains("100 images, 300 to validate, 8 epochs. Space starts."))
        #expect(panel.handle(.character(" ")))
        #expect(panel.isAnimating)
        var renderedWhileRunning = false
        let seconds = Self.tick(panel, for: 300) {
            if panel.phase == .running && !renderedWhileRunning && panel.runs[0].epochs.count >= 1 {
                var frame = CellBuffer(width: 56, height: 25)
                panel.render(into: &frame, area: frame.area, capabilities: .full)
                #expect(frame.text.contains("2 runs at epoch "))
                #expect(frame.lines.contains(panel.tableRow(panel.runs[0])), "\(frame.text)")
                renderedWhileRunning = true
            }
            return panel.phase == .finished || panel.phase == .stopped
        }
        print("overfitting test experiment (100 images, 8 epochs, 300 validation) took \(seconds) s")
        #expect(panel.phase == .finished)
        #expect(panel.isComplete && !panel.isAnimating)
        #expect(renderedWhileRunning)
        for run in panel.runs {
            #expect(run.epochs.map(\.epoch) == Array(1...8))
            #expect(run.epochs.allSatisfy { (0...1).contains($0.train) && (0...1).contains($0.validation) })
            #expect(run.outcome?.reason == .completed)
            #expect(run.stepsDone == run.totalSteps)
        }
        let plain = panel.runs[0]
        let gap = try #require(plain.gapPoints)
        #expect(gap > 5, "plain run: \(plain.epochs)")
        buffer = CellBuffer(width: 56, height: 25)
        panel.render(into: &buffer, area: buffer.area, capabilities: .full)
        #expect(buffer.text.contains("2 runs done in"))
        #expect(buffer.lines.contains(panel.tableRow(plain)))
        #expect(panel.tableRow(plain).hasSuffix(" " + OverfittingPanel.points(gap)))
        #expect(!panel.isWorking)
        // Two runs: no run of one remedy alone, so no verdict and no chart choice.
        #expect(OverfittingPanel.verdict(panel.runs) == nil && !panel.keyHelp.contains { $0.key == "c" })
        // The lesson player's room at 100x30 and at 80x24: every line whole, both runs' figures shown.
        for (width, height) in [(58, 25), (44, 16)] {
            var frame = CellBuffer(width: width, height: height)
            panel.render(into: &frame, area: frame.area, capabilities: .full)
            #expect(!frame.text.contains("…"), "\(width)x\(height):\n\(frame.text)")
            for run in panel.runs {
                #expect(frame.lines.contains(panel.tableRow(run)), "\(width)x\(height)")
            }
            #expect(frame.text.contains("augmentation"))
        }
    }

    @Test func oneAtATimeTrainsEachRemedyAloneAndTheVerdictComesFromTheResults() throws {
        let panel = OverfittingPanel(spec: Self.spec(images: 60, epochs: 2, oneAtATime: true), settings: Self.tinySettings)
        #expect(panel.runs.map(\.kind) == [.plain, .dropout, .weightDecay, .augmentation, .regularised])
        #expect(panel.runs.map(\.name) == ["plain", "dropout", "weight decay", "augmentation", "regularised"])
        panel.start()
        let seconds = Self.tick(panel, for: 300) { panel.phase == .finished || panel.phase == .stopped }
        print("overfitting test experiment, five runs (60 images, 2 epochs, 300 validation) took \(seconds) s")
        #expect(panel.phase == .finished)
        for run in panel.runs {
            #expect(run.epochs.map(\.epoch) == [1, 2], "\(run.name)")
            #expect(run.outcome?.reason == .completed)
        }
        // The verdict names the remedy alone whose gap the runs ended with smallest.
        let alone = panel.runs.filter { [.dropout, .weightDecay, .augmentation].contains($0.kind) }
        let best = try #require(alone.min { $0.gapPoints! < $1.gapPoints! })
        let verdict = try #require(OverfittingPanel.verdict(panel.runs))
        if best.gapPoints! < panel.runs[0].gapPoints! {
            #expect(verdict.hasPrefix("Alone, \(best.name) closed the gap most: "
                + "\(OverfittingPanel.points(panel.runs[0].gapPoints!)) to \(OverfittingPanel.points(best.gapPoints!)) points"),
                    "\(verdict)")
        } else {
            #expect(verdict.hasPrefix("Alone, no remedy closed the gap"), "\(verdict)")
        }
        for (width, height) in [(58, 25), (44, 16)] {
            var frame = CellBuffer(width: width, height: height)
            panel.render(into: &frame, area: frame.area, capabilities: .full)
            #expect(!frame.text.contains("…"), "\(width)x\(height):\n\(frame.text)")
            #expect(frame.text.contains("5 runs done in"), "\(width)x\(height)")
            for run in panel.runs { #expect(frame.lines.contains(panel.tableRow(run)), "\(width)x\(height)") }
            // The verdict, whole, on the bottom lines.
            let verdictLineCount = OverfittingPanel.wrapWords(verdict, width: width).count
            #expect(frame.lines.suffix(verdictLineCount).joined(separator: " ") == verdict,
                    "the verdict at \(width)x\(height):\n\(frame.text)")
            #expect(frame.text.contains("┤"), "the chart still fits at \(width)x\(height):\n\(frame.text)")
            // Every curve named in the legend (it wraps rather than losing the last names).
            for name in ["plain train", "plain val", "reg. train", "reg. val"] {
                #expect(frame.text.contains(name), "\(name) at \(width)x\(height):\n\(frame.text)")
            }
        }
    }

    @Test func theVerdictFollowsTheGapsNotTheOrderOfTheRuns() {
        let plain = Self.run(.plain, train: 1.0, validation: 0.90)
        var runs = [plain, Self.run(.dropout, train: 0.97, validation: 0.91), Self.run(.weightDecay, train: 1.0, validation: 0.905),
                    Self.run(.augmentation, train: 0.92, validation: 0.95), Self.run(.regularised, train: 0.85, validation: 0.96)]
        #expect(OverfittingPanel.verdict(runs) == "Alone, augmentation closed the gap most: 10.0 to -3.0 points; "
            + "weight decay least (to 9.5).")
        // The same runs with weight decay doing the work: the verdict changes with the numbers.
        runs[2] = Self.run(.weightDecay, train: 0.90, validation: 0.95)
        runs[3] = Self.run(.augmentation, train: 1.0, validation: 0.99)
        #expect(OverfittingPanel.verdict(runs) == "Alone, weight decay closed the gap most: 10.0 to -5.0 points; "
            + "dropout least (to 6.0).")
        // No remedy alone narrower than plain: said so.
        runs = [plain, Self.run(.dropout, train: 1.0, validation: 0.85), Self.run(.augmentation, train: 1.0, validation: 0.88)]
        #expect(OverfittingPanel.verdict(runs) == "Alone, no remedy closed the gap: plain's is 10.0 points, the smallest "
            + "alone 12.0 (augmentation).")
        // Not every run alone has an epoch yet, or no run alone at all: no verdict.
        #expect(OverfittingPanel.verdict([plain, OverfittingPanel.Run(kind: .dropout)]) == nil)
        #expect(OverfittingPanel.verdict([plain, Self.run(.regularised, train: 0.9, validation: 0.9)]) == nil)
    }

    @Test func cChoosesTheRunChartedBesideThePlainOne() {
        let panel = OverfittingPanel(spec: Self.spec(images: 300, epochs: 15, oneAtATime: true))
        #expect(panel.keyHelp.contains(KeyHint("c", "chart the next run")))
        #expect(panel.chartedRun == 4 && panel.chartCaption == "accuracy of plain and regularised (c: next)")
        var shown: [String] = []
        for _ in 0..<5 {
            #expect(panel.handle(.character("c")))
            shown.append(panel.runs[panel.chartedRun].name)
            #expect(panel.chart.series.map(\.name) == ["plain train", "plain val",
                                                       "\(panel.runs[panel.chartedRun].shortName) train",
                                                       "\(panel.runs[panel.chartedRun].shortName) val"])
        }
        #expect(shown == ["dropout", "weight decay", "augmentation", "regularised", "dropout"])
        var buffer = CellBuffer(width: 44, height: 16)
        panel.render(into: &buffer, area: buffer.area, capabilities: .full)
        #expect(buffer.text.contains("accuracy of plain and dropout (c: next)"))
        // Two runs (the old form of the step): nothing to choose, so c is not the panel's.
        let twoRuns = OverfittingPanel(spec: Self.spec(images: 300, epochs: 15))
        #expect(!twoRuns.handle(.character("c")) && !twoRuns.keyHelp.contains { $0.key == "c" })
    }

    @Test func lesson17DescribesTheAugmentationAndDropoutThePanelUses() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("lessons").path
        let library = LessonLibrary.load(sources: [LessonSource(folder: folder, isBuiltIn: true)])
        let lesson = try #require(library.lessons.first { $0.id == "overfitting" })
        let remedies = try #require(lesson.steps.first { $0.title == "Five remedies" }).text
        let augmentation = Augmentation()
        func number(_ value: Float) -> String { "`\(LessonNumber.format(value))`" }
        #expect(remedies.contains("up to \(number(augmentation.maximumShift)) pixels"))
        #expect(remedies.contains("up to \(number(augmentation.maximumRotationDegrees)) degrees"))
        #expect(remedies.contains("\(number(1 - augmentation.maximumScaleChange)) to \(number(1 + augmentation.maximumScaleChange))"))
        #expect(remedies.contains("standard deviation \(number(augmentation.noise))"))
        let train = try #require(lesson.steps.first { if case .train = $0.content { true } else { false } })
        guard case .train(let spec) = train.content,
              case .overfitting(let images, let epochs, true, let weightDecay, true, true) = spec.task else {
            Issue.record("lesson 17's train step is not an overfitting run of every remedy, one at a time")
            return
        }
        #expect(train.text.contains("dropout \(number(OverfittingPanel.Settings().dropout)) alone"))
        #expect(train.text.contains("weight decay `\(weightDecay)` alone"))
        #expect(train.text.contains("same `\(images)` digits for `\(epochs)` epochs"))
    }

    @Test func theRunsAreTheRemediesTheStepChose() {
        func kinds(dropout: Bool, weightDecay: Float, augment: Bool, oneAtATime: Bool) -> [OverfittingPanel.Run.Kind] {
            OverfittingPanel.runKinds(for: .overfitting(trainingImages: 100, epochs: 3, dropout: dropout,
                                                        weightDecay: weightDecay, augment: augment, oneAtATime: oneAtATime))
        }
        #expect(kinds(dropout: true, weightDecay: 0.0005, augment: true, oneAtATime: false) == [.plain, .regularised])
        #expect(kinds(dropout: true, weightDecay: 0.0005, augment: true, oneAtATime: true)
            == [.plain, .dropout, .weightDecay, .augmentation, .regularised])
        #expect(kinds(dropout: false, weightDecay: 0, augment: true, oneAtATime: true) == [.plain, .augmentation])
        #expect(kinds(dropout: true, weightDecay: 0, augment: true, oneAtATime: true) == [.plain, .dropout, .augmentation, .regularised])
    }

    @Test func theTableWrapsNothingAtThePlayersSizesAndComesBeforeTheChart() {
        let panel = OverfittingPanel(spec: Self.spec(images: 300, epochs: 15, oneAtATime: true))
        #expect(OverfittingPanel.tableHeader == "run            train    val    gap")
        #expect(panel.tableRow(Self.run(.weightDecay, train: 0.998, validation: 0.861))
            == "weight decay   99.8%  86.1%   13.7")
        #expect(panel.tableRow(OverfittingPanel.Run(kind: .augmentation)) == "augmentation       -      -      -")
        for (width, height) in [(58, 25), (44, 16)] {
            var buffer = CellBuffer(width: width, height: height)
            panel.render(into: &buffer, area: buffer.area, capabilities: .full)
            let lines = buffer.lines
            #expect(!buffer.text.contains("…"), "\(width)x\(height):\n\(buffer.text)")
            #expect(lines[height - 6].hasPrefix("run ") && lines[height - 1].hasPrefix("regularised "),
                    "the table at the bottom, \(width)x\(height):\n\(buffer.text)")
            #expect(buffer.text.contains("┤"), "the chart still fits at \(width)x\(height)")
            #expect(buffer.text.contains("accuracy of plain and regularised (c: next)"))
        }
        // Too short for everything: the table stays, the chart goes first.
        var short = CellBuffer(width: 44, height: 10)
        panel.render(into: &short, area: short.area, capabilities: .full)
        #expect(short.lines.contains { $0.hasPrefix("plain ") } && short.lines.contains { $0.hasPrefix("regularised ") })
        #expect(!short.text.contains("┤"))
        #expect(short.lines[0].hasPrefix("300 images"))
    }

    @Test func stopEndsTheThreads() throws {
        let panel = OverfittingPanel(spec: Self.spec(images: 200, epochs: 200), settings: Self.tinySettings)
        panel.start()
        Self.tick(panel, for: 60) { panel.runs.allSatisfy { $0.stepsDone > 0 } }
        #expect(panel.phase == .running)
        #expect(panel.isWorking)
        panel.stop()
        #expect(panel.phase == .stopped)
        Self.tick(panel, for: 20) { !panel.isWorking }
        #expect(!panel.isWorking)
        #expect(!panel.isComplete && !panel.isAnimating)
        var buffer = CellBuffer(width: 44, height: 20)
        panel.render(into: &buffer, area: buffer.area, capabilities: .plain)
        #expect(buffer.text.contains("Stopped."))
        #expect(buffer.text.allSatisfy { $0.isASCII })
    }

    @Test func sStopsAndSpaceStartsAgain() throws {
        let panel = OverfittingPanel(spec: Self.spec(images: 200, epochs: 200), settings: Self.tinySettings)
        #expect(!panel.handle(.character("s")))  // nothing to stop
        #expect(panel.handle(.character(" ")))
        #expect(panel.handle(.character("s")))
        #expect(panel.phase == .stopped)
        Self.tick(panel, for: 20) { !panel.isWorking }
        #expect(!panel.isWorking)
        #expect(panel.handle(.character(" ")))
        #expect(panel.phase == .preparing)
        panel.stop()
        Self.tick(panel, for: 20) { !panel.isWorking }
        #expect(!panel.isWorking)
    }

    @Test func aKernelTaskShowsWhyItCannotRun() {
        let panel = OverfittingPanel(spec: TrainSpec(task: .kernel(target: KernelPreset.sobelX.stack(), start: nil,
                                                                   image: "house")))
        #expect(panel.keyHelp.isEmpty)
        #expect(!panel.handle(.character(" ")))
        #expect(!panel.isWorking)
        var buffer = CellBuffer(width: 56, height: 10)
        panel.render(into: &buffer, area: buffer.area, capabilities: .plain)
        #expect(buffer.text.contains("Cannot run"))
    }

    @Test func rendersAtEverySizeWithoutCrashing() {
        let panel = OverfittingPanel(spec: Self.spec(images: 100, epochs: 3))
        for (width, height) in [(0, 0), (1, 1), (5, 3), (20, 8), (44, 20), (56, 25), (120, 40)] {
            var buffer = CellBuffer(width: width, height: height)
            panel.render(into: &buffer, area: buffer.area, capabilities: .full)
            panel.render(into: &buffer, area: buffer.area, capabilities: .plain)
        }
    }
}

extension CellBuffer {
    /// Every line, joined with newlines.
    fileprivate var text: String { lines.joined(separator: "\n") }
}

@Suite("KernelTrainingPanel decimals")
struct KernelTrainingPanelDecimalsTests {
    @Test func twoSignificantDigitsOfTheLargestValue() {
        #expect(KernelTrainingPanel.decimals(forMagnitude: 5) == 2)
        #expect(KernelTrainingPanel.decimals(forMagnitude: 0.5) == 2)
        #expect(KernelTrainingPanel.decimals(forMagnitude: 0.05) == 3)
        #expect(KernelTrainingPanel.decimals(forMagnitude: 0.002) == 4)
        #expect(KernelTrainingPanel.decimals(forMagnitude: 1e-9) == 6)
        #expect(KernelTrainingPanel.decimals(forMagnitude: 0) == 2)
        #expect(KernelTrainingPanel.decimals(forMagnitude: .nan) == 2)
    }
}
