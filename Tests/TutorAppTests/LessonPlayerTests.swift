import ConvKernels
import Foundation
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

/// Keeps every progress the player records.
final class ProgressRecorder {
    var records: [LessonProgress] = []
    var last: LessonProgress? { records.last }
    func record(_ progress: LessonProgress) { records.append(progress) }
}

@Suite("Lesson player")
struct LessonPlayerTests {
    /// Five steps: text, conv (padding 1), conv in predict mode, max pooling, text.
    static let lesson = Lesson(
        id: "sliding", title: "Convolution is a sliding dot product",
        summary: "Slide a 3x3 kernel over a 5x5 image.", order: 3, file: "lessons/03-convolution.toml",
        steps: [
            LessonStep(title: "What the kernel does", text: """
                A **kernel** is a small grid of weights. It slides over the image one window at a time; at each \
                window the products of the window's inputs and the weights are added up into one output cell.

                Convolution in CNNs is really `cross-correlation`: the kernel is not flipped.
                """, content: .text),
            LessonStep(title: "Padding keeps the size", text: """
                With **padding 1** a ring of zeros surrounds the input, so a 3x3 kernel gives a 5x5 output.

                Press **→** to move the window and watch the sum.
                """, content: .conv(PlayerFixtures.convSpec(padding: 1))),
            LessonStep(title: "Your turn", text: "Type the value of each output cell before it is revealed.",
                       content: .conv(PlayerFixtures.convSpec(predict: true))),
            LessonStep(title: "Max pooling", text: "Each 2x2 window keeps its largest value.",
                       content: .pool(PlayerFixtures.poolSpec())),
            LessonStep(title: "Summary", text: "That is all there is to a convolution layer's forward pass.", content: .text),
        ])

    static func player(progress: LessonProgress? = nil, lesson: Lesson = lesson) -> (LessonPlayerScreen, ProgressRecorder) {
        let recorder = ProgressRecorder()
        return (LessonPlayerScreen(lesson: lesson, progress: progress, record: recorder.record), recorder)
    }

    static func frame(_ screen: LessonPlayerScreen, width: Int = 100, height: Int = 30,
                      capabilities: TerminalCapabilities = .full) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        screen.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer
    }

    @Test("t hides the step's text so the panel gets the whole width, and shows it again")
    func hideText() {
        let (player, _) = Self.player()
        _ = player.handle(.tab)
        let shown = Self.frame(player, width: 80, height: 24).lines.joined(separator: "\n")
        #expect(shown.contains("Padding keeps the size") && shown.contains("surrounds"))
        #expect(player.keyHelp.contains { $0.key == "t" })
        _ = player.handle(.character("t"))
        #expect(player.textHidden)
        let hidden = Self.frame(player, width: 80, height: 24).lines
        #expect(!hidden.joined(separator: "\n").contains("surrounds"))
        #expect(hidden[2].hasPrefix("┌ Padding keeps the size"), "the panel is framed across the width with the step's title")
        _ = player.handle(.character("t"))
        #expect(!player.textHidden)
        #expect(Self.frame(player, width: 80, height: 24).lines.joined(separator: "\n").contains("surrounds"))
    }

    @Test("Tab and Shift-Tab move between steps and record the progress each time")
    func tabbing() {
        let (player, recorder) = Self.player()
        #expect(player.stepIndex == 0 && player.panel == nil)
        #expect(recorder.records.isEmpty, "opening records nothing")
        _ = player.handle(.tab)
        #expect(player.stepIndex == 1)
        #expect(player.panel is ConvStepPanel)
        #expect(recorder.last == LessonProgress(currentStep: 1, completedSteps: [0], finished: false))
        _ = player.handle(.tab)
        #expect(recorder.last == LessonProgress(currentStep: 2, completedSteps: [0], finished: false),
                "a convolution not stepped to its end is not completed")
        _ = player.handle(.backTab)
        #expect(player.stepIndex == 1)
        #expect(recorder.last == LessonProgress(currentStep: 1, completedSteps: [0], finished: false))
        _ = player.handle(.backTab)
        _ = player.handle(.backTab)
        #expect(player.stepIndex == 0 && recorder.records.count == 4, "Shift-Tab on the first step does nothing")
    }

    @Test("keys go to the step's panel first: Right moves the window, not the step")
    func panelFirst() throws {
        let (player, recorder) = Self.player(progress: LessonProgress(currentStep: 1, completedSteps: [0], finished: false))
        let panel = try #require(player.panel as? ConvStepPanel)
        _ = player.handle(.right)
        _ = player.handle(.character(" "))
        #expect(player.stepIndex == 1 && panel.currentIndex == 2)
        #expect(recorder.records.isEmpty)
        _ = player.handle(.enter)
        #expect(panel.isComplete)
        #expect(recorder.last == LessonProgress(currentStep: 1, completedSteps: [0, 1], finished: false),
                "reaching the end of the windows completes the step at once")
        _ = player.handle(.tab)
        #expect(recorder.last == LessonProgress(currentStep: 2, completedSteps: [0, 1], finished: false))
    }

    @Test("a text step moves on with Right, Space or Enter, and back with Left")
    func textStepKeys() {
        let (player, _) = Self.player()
        _ = player.handle(.enter)
        #expect(player.stepIndex == 1)
        let (other, _) = Self.player(progress: LessonProgress(currentStep: 4, completedSteps: [], finished: false))
        _ = other.handle(.left)
        #expect(other.stepIndex == 3)
    }

    @Test("once a step is complete, Enter the panel does not use moves on: a quiz answered, every cell predicted, a conv at its end")
    func enterAfterCompletion() throws {
        let quiz = QuizSpec(question: "How many cells has a 3x3 grid?", answer: .number(9, tolerance: 0))
        let lesson = Lesson(id: "enter", title: "Enter", steps: [
            LessonStep(title: "Quiz", text: "A question.", content: .quiz(quiz)),
            LessonStep(title: "Predict", text: "Type each cell.", content: .conv(PlayerFixtures.convSpec(predict: true))),
            LessonStep(title: "Watch", text: "Step through.", content: .conv(PlayerFixtures.convSpec())),
            LessonStep(title: "End", text: "Done.", content: .text),
        ])
        let (player, _) = Self.player(lesson: lesson)
        #expect(!player.keyHelp.contains(KeyHint("Enter", "next step")))
        _ = player.handle(.enter)
        #expect(player.stepIndex == 0, "Enter with nothing typed stays on the quiz")
        _ = player.handle(.character("9"))
        _ = player.handle(.enter)
        #expect(player.stepIndex == 0 && player.completedSteps == [0], "the Enter that answers does not move on")
        #expect(player.keyHelp.contains(KeyHint("Enter", "next step")))
        _ = player.handle(.enter)
        #expect(player.stepIndex == 1)

        let predict = try #require(player.panel as? ConvStepPanel)
        for value in PlayerFixtures.typedValues(predict.trace) {
            for character in value { _ = player.handle(.character(character)) }
            _ = player.handle(.enter)
        }
        #expect(predict.isComplete && player.stepIndex == 1, "the last prediction's Enter does not move on")
        #expect(player.keyHelp.contains(KeyHint("Enter", "next step")))
        _ = player.handle(.enter)
        #expect(player.stepIndex == 2)

        _ = player.handle(.enter)
        #expect(player.stepIndex == 2, "Enter jumps to the last window first")
        _ = player.handle(.enter)
        #expect(player.stepIndex == 3)
        #expect(player.completedSteps == [0, 1, 2])
    }

    @Test("predict step: Tab moves on without completing it; predicting every cell completes it")
    func predictStep() throws {
        let (player, recorder) = Self.player(progress: LessonProgress(currentStep: 2, completedSteps: [0, 1], finished: false))
        #expect(player.stepIndex == 2, "resumes at the saved step")
        let panel = try #require(player.panel as? ConvStepPanel)
        #expect(panel.trace.spec.predict)
        _ = player.handle(.tab)
        #expect(recorder.last == LessonProgress(currentStep: 3, completedSteps: [0, 1], finished: false))
        _ = player.handle(.backTab)
        let fresh = try #require(player.panel as? ConvStepPanel)
        for value in PlayerFixtures.typedValues(fresh.trace) {
            for character in value { _ = player.handle(.character(character)) }
            _ = player.handle(.enter)
            _ = player.handle(.right)
        }
        #expect(fresh.isComplete)
        #expect(recorder.last == LessonProgress(currentStep: 2, completedSteps: [0, 1, 2], finished: false))
        #expect(player.exerciseScore == (completed: 1, total: 1))
        #expect(player.predictionScores[2]! == (right: 9, total: 9))
        _ = player.handle(.tab)
        _ = player.handle(.tab)
        _ = player.handle(.tab)
        #expect(player.showingSummary)
        #expect(player.finished && recorder.last?.finished == true, "the only exercise done: the lesson is finished")
        let lines = Self.frame(player).lines
        #expect(lines.contains { $0.contains("Lesson complete") })
        #expect(lines[0].hasSuffix("complete"))
        #expect(lines.contains { $0.contains("Exercises done: 1 of 1") })
        #expect(lines.contains { $0.contains("Output cells predicted right: 9 of 9") })
        #expect(!lines.contains { $0.contains("left:") })
    }

    @Test("resuming: the saved step, completed steps, a step beyond the lesson clamped, a finished lesson from the start")
    func resuming() {
        let (player, _) = Self.player(progress: LessonProgress(currentStep: 3, completedSteps: [0, 1, 9], finished: false))
        #expect(player.stepIndex == 3 && player.panel is PoolStepPanel)
        #expect(player.completedSteps == [0, 1])
        #expect(Self.frame(player).lines[0].hasSuffix("step 4 of 5"))
        let (late, _) = Self.player(progress: LessonProgress(currentStep: 42, completedSteps: [], finished: false))
        #expect(late.stepIndex == 4)
        let (again, _) = Self.player(progress: LessonProgress(currentStep: 4, completedSteps: [0, 1, 2, 3, 4], finished: true))
        #expect(again.stepIndex == 0 && again.finished, "a finished lesson opens at the start again")
        let (left, _) = Self.player(progress: LessonProgress(currentStep: 2, completedSteps: [0, 1, 2, 4], finished: true))
        #expect(left.stepIndex == 2, "a finished lesson left in the middle resumes there")
        let (fresh, _) = Self.player(progress: nil)
        #expect(fresh.stepIndex == 0 && fresh.completedSteps.isEmpty && !fresh.finished)
    }

    @Test("after the last step with an exercise left: the end view names it, the lesson is not finished; Enter back to the list")
    func endWithExercisesLeft() throws {
        let (player, recorder) = Self.player(progress: LessonProgress(currentStep: 4, completedSteps: [0, 1], finished: false))
        _ = player.handle(.tab)
        #expect(player.showingSummary && !player.finished && player.reachedEnd)
        #expect(player.exercisesLeft == [2])
        #expect(recorder.last == LessonProgress(currentStep: 4, completedSteps: [0, 1, 4], finished: false),
                "skipping the predict step does not finish the lesson")
        let lines = Self.frame(player).lines
        #expect(lines.contains { $0.contains("End of the lesson") })
        #expect(!lines.contains { $0.contains("Lesson complete") })
        #expect(lines.contains { $0.contains("Steps completed: 3 of 5") })
        #expect(lines.contains { $0.contains("Exercises done: 0 of 1") })
        #expect(lines.contains { $0.contains("Exercise left: step 3 (Your turn).") })
        #expect(lines.contains { $0.contains("Also not completed: step 4.") })
        #expect(lines[0].hasSuffix("end"))
        #expect(!player.isAnimating)
        _ = player.handle(.backTab)
        #expect(!player.showingSummary && player.stepIndex == 4)
        _ = player.handle(.tab)
        #expect(player.showingSummary && !player.finished)
        guard case .pop = player.handle(.enter) else {
            Issue.record("Enter on the summary goes back to the list")
            return
        }
    }

    @Test("the exercise left done after the end was reached finishes the lesson; a finished lesson reopens at step 1")
    func exerciseDoneAfterTheEnd() throws {
        let (player, recorder) = Self.player(progress: LessonProgress(currentStep: 4, completedSteps: [0, 1], finished: false))
        _ = player.handle(.tab)
        #expect(player.showingSummary && !player.finished)
        _ = player.handle(.backTab)
        _ = player.handle(.backTab)
        _ = player.handle(.backTab)
        #expect(player.stepIndex == 2)
        let panel = try #require(player.panel as? ConvStepPanel)
        for value in PlayerFixtures.typedValues(panel.trace) {
            for character in value { _ = player.handle(.character(character)) }
            _ = player.handle(.enter)
            _ = player.handle(.right)
        }
        #expect(panel.isComplete && player.finished)
        #expect(recorder.last == LessonProgress(currentStep: 2, completedSteps: [0, 1, 2, 4], finished: true))
        let (again, _) = Self.player(progress: LessonProgress(currentStep: 4, completedSteps: [0, 1, 2, 4], finished: true))
        #expect(again.stepIndex == 0 && again.finished)
    }

    @Test("an unfinished lesson that reached its end reopens at the saved step; a file marked finished with an exercise left is not finished")
    func resumingUnfinished() {
        let (player, _) = Self.player(progress: LessonProgress(currentStep: 4, completedSteps: [0, 1, 4], finished: false))
        #expect(player.stepIndex == 4 && !player.finished)
        let (marked, recorder) = Self.player(progress: LessonProgress(currentStep: 4, completedSteps: [0, 1, 4], finished: true))
        #expect(!marked.finished && marked.stepIndex == 4, "exercise 3 is not completed")
        _ = marked.handle(.tab)
        #expect(recorder.last?.finished == false)
    }

    @Test("Esc goes back to the list and records where the learner was")
    func escape() {
        let (player, recorder) = Self.player(progress: LessonProgress(currentStep: 3, completedSteps: [0], finished: false))
        guard case .pop = player.handle(.escape) else {
            Issue.record("Esc pops the player")
            return
        }
        #expect(recorder.last == LessonProgress(currentStep: 3, completedSteps: [0], finished: false))
    }

    @Test("autoplay makes the player animate and ticks reach the panel")
    func autoplay() throws {
        let (player, _) = Self.player(progress: LessonProgress(currentStep: 1, completedSteps: [], finished: false))
        let panel = try #require(player.panel as? ConvStepPanel)
        #expect(!player.isAnimating)
        _ = player.handle(.character("a"))
        #expect(player.isAnimating)
        player.tick(time: 1)
        player.tick(time: 1.5)
        #expect(panel.currentIndex == 1)
        _ = player.handle(.tab)
        #expect(!player.isAnimating, "the next step's panel is still")
    }

    @Test("a long text scrolls with PageDown and PageUp")
    func scrolling() {
        let long = (1...60).map { "Line \($0) of a long explanation." }.joined(separator: "\n")
        let lesson = Lesson(id: "long", title: "Long", steps: [
            LessonStep(title: "Long", text: long, content: .conv(PlayerFixtures.convSpec())),
        ])
        let (player, _) = Self.player(lesson: lesson)
        var lines = Self.frame(player).lines
        #expect(lines.contains { $0.contains("Line 1 of") })
        #expect(lines.contains { $0.contains("PgDn more") })
        #expect(player.keyHelp.contains(KeyHint("PgUp PgDn", "scroll text")))
        _ = player.handle(.pageDown)
        lines = Self.frame(player).lines
        #expect(!lines.contains { $0.contains("Line 1 of") })
        #expect(player.textScroll > 0)
        for _ in 0..<10 { _ = player.handle(.pageDown) }
        lines = Self.frame(player).lines
        #expect(lines.contains { $0.contains("Line 60 of") })
        #expect(lines.contains { $0.contains("PgUp back") })
        for _ in 0..<10 { _ = player.handle(.pageUp) }
        #expect(player.textScroll == 0)
    }

    @Test("a step whose computation fails shows its error; the lesson still works")
    func brokenStep() {
        let bad = ConvSpec(input: GridStack([[1, 2], [3, 4]]), kernels: [GridStack(PlayerFixtures.kernel)])
        let lesson = Lesson(id: "broken", title: "Broken", steps: [
            LessonStep(title: "Too big", text: "A kernel larger than its input.", content: .conv(bad)),
            LessonStep(text: "Still here.", content: .text),
        ])
        let (player, _) = Self.player(lesson: lesson)
        let text = Self.frame(player).lines.joined(separator: "\n")
        #expect(text.contains("This step cannot be shown"))
        #expect(text.contains("kernel"))
        _ = player.handle(.tab)
        #expect(player.stepIndex == 1)
        #expect(Self.frame(player).lines.contains { $0.contains("Still here.") })
    }

    @Test("the folder of the lesson file")
    func folder() {
        #expect(LessonPlayerScreen.folder(of: "lessons/03-convolution.toml") == "lessons")
        #expect(LessonPlayerScreen.folder(of: "/a/b.toml") == "/a")
        #expect(LessonPlayerScreen.folder(of: "/b.toml") == "/")
        #expect(LessonPlayerScreen.folder(of: "b.toml") == ".")
        #expect(LessonPlayerScreen.folder(of: "") == nil)
    }

    // MARK: Snapshots and sizes

    /// The player on `step` after `keys`, drawn at 100x30 in colour and in ASCII.
    static func snapshot(_ name: String, step: Int, keys: [KeyEvent]) throws {
        for ascii in [false, true] {
            let (player, _) = Self.player(progress: LessonProgress(currentStep: step, completedSteps: [0], finished: false))
            for key in keys { _ = player.handle(key) }
            let frame = Self.frame(player, capabilities: ascii ? .plain : .full)
            try Snapshot.expect(frame, named: "lesson-\(name)-100x30-\(ascii ? "ascii" : "colour")")
        }
    }

    @Test("snapshot: a convolution mid-way with its arithmetic")
    func snapshotConv() throws {
        try Self.snapshot("conv", step: 1, keys: Array(repeating: .right, count: 7))
    }

    @Test("snapshot: a predict prompt after a miss")
    func snapshotPredict() throws {
        try Self.snapshot("predict", step: 2, keys: [.character("1"), .character("2"), .enter, .right,
                                                     .character("9"), .enter, .character("1")])
    }

    @Test("snapshot: a text step")
    func snapshotText() throws {
        try Self.snapshot("text", step: 0, keys: [])
    }

    @Test("snapshot: a pooling step")
    func snapshotPool() throws {
        try Self.snapshot("pool", step: 3, keys: [.right, .right])
    }

    @Test("snapshot: the end view with an exercise left")
    func snapshotSummary() throws {
        try Self.snapshot("complete", step: 4, keys: [.tab])
    }

    @Test("80x24 and 200x60 show the grids, the arithmetic and the keys; 0x0 and tiny sizes do not crash")
    func sizes() throws {
        for (width, height) in [(80, 24), (200, 60)] {
            let (player, _) = Self.player(progress: LessonProgress(currentStep: 1, completedSteps: [], finished: false))
            for _ in 0..<7 { _ = player.handle(.right) }
            let lines = Self.frame(player, width: width, height: height).lines
            let text = lines.joined(separator: "\n")
            #expect(text.contains("Window 8 of 25"), "\(width)x\(height)")
            #expect(text.contains("Output"), "\(width)x\(height)")
            #expect(text.contains(" = "), "the arithmetic at \(width)x\(height)")
            #expect(lines[height - 1].contains("next window"), "\(width)x\(height)")
            #expect(lines[0].hasSuffix("step 2 of 5"))
        }
        for step in 0..<5 {
            let (player, _) = Self.player(progress: LessonProgress(currentStep: step, completedSteps: [], finished: false))
            for (width, height) in [(0, 0), (1, 1), (5, 3), (20, 5), (40, 12), (79, 23)] {
                for capabilities in [TerminalCapabilities.full, .plain] {
                    _ = Self.frame(player, width: width, height: height, capabilities: capabilities)
                }
            }
            _ = player.handle(.tab)
        }
    }

    @Test("every built-in lesson plays through: each step drawn at 80x24 and 100x30, each window of its conv and pool steps")
    func builtInLessons() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("lessons").path
        let library = LessonLibrary.load(sources: [LessonSource(folder: folder, isBuiltIn: true)])
        #expect(!library.lessons.isEmpty, "lessons in \(folder)")
        for lesson in library.lessons {
            let (player, recorder) = Self.player(lesson: lesson)
            for index in lesson.steps.indices {
                #expect(player.stepIndex == index)
                if let panel = player.panel as? ConvStepPanel {
                    #expect(!(player.panel is TextPanel), "\(lesson.id) step \(index + 1) computes")
                    for _ in panel.trace.windows { _ = player.handle(.right) }
                    #expect(panel.trace.spec.predict || panel.isComplete)
                } else if let panel = player.panel as? PoolStepPanel {
                    for _ in panel.trace.windows { _ = player.handle(.right) }
                    #expect(panel.trace.spec.predict || panel.isComplete)
                }
                for (width, height) in [(80, 24), (100, 30)] {
                    let lines = Self.frame(player, width: width, height: height).lines
                    #expect(lines[0].hasSuffix("step \(index + 1) of \(lesson.steps.count)"), "\(lesson.id)")
                }
                _ = player.handle(.tab)
            }
            // Only windows were stepped: a lesson with exercises (quizzes, predictions) is not finished.
            let exercises = lesson.steps.indices.filter { lesson.steps[$0].isExercise }
            #expect(player.showingSummary, "\(lesson.id)")
            #expect(recorder.last?.finished == exercises.isEmpty, "\(lesson.id)")
            #expect(player.exercisesLeft == exercises, "\(lesson.id)")
        }
    }

    @Test("every built-in step at 80x24 and 100x30, windows all shown: nothing cut without a marker, the rest reached with ], help and Esc in the footer")
    func builtInStepsFit() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("lessons").path
        let library = LessonLibrary.load(sources: [LessonSource(folder: folder, isBuiltIn: true)])
        var overflowing: [String] = []
        for lesson in library.lessons {
            let (player, _) = Self.player(lesson: lesson)
            for index in lesson.steps.indices {
                // The end of the step: every window (and its arithmetic) shown.
                _ = player.handle(.enter)
                if player.stepIndex != index { _ = player.handle(.backTab) }
                for (width, height) in [(80, 24), (100, 30)] {
                    let place = "\(lesson.id) step \(index + 1) at \(width)x\(height)"
                    var lines = Self.frame(player, width: width, height: height).lines
                    #expect(lines[height - 1].contains("? help") && lines[height - 1].contains("Esc"), "\(place): \(lines[height - 1])")
                    guard player.panelLayout.overflows else { continue }
                    overflowing.append(place)
                    #expect(lines.contains { $0.contains("more row") && $0.contains("] scrolls") }, "\(place): no marker")
                    for _ in 0..<100 where player.panelLayout.rowsBelow > 0 {
                        _ = player.handle(.character("]"))
                        lines = Self.frame(player, width: width, height: height).lines
                    }
                    #expect(player.panelLayout.rowsBelow == 0, "\(place): the last rows cannot be reached")
                    #expect(lines.contains { $0.contains("[ back") }, "\(place)")
                    for _ in 0..<100 where player.panelScroll > 0 { _ = player.handle(.character("[")) }
                }
                _ = player.handle(.tab)
            }
        }
        // The walk must have met content that needs scrolling at 80x24, or it tested nothing.
        #expect(!overflowing.isEmpty)
    }

    @Test("in the app: ? shows the player's keys, Esc returns to the screen below")
    func inTheApp() {
        let backend = InMemoryBackend(width: 100, height: 30, capabilities: .full)
        let app = TutorApp(root: HomeScreen(), backend: backend)
        let (player, _) = Self.player()
        app.push(player)
        #expect(app.topScreen === player)
        app.handle(.character("?"))
        #expect(app.frame().lines.contains { $0.contains("Convolution is a sliding dot product: keys") })
        app.handle(.escape)
        app.handle(.escape)
        #expect(app.stack.count == 1)
    }

    @Test("predict mode: a cell typed right at the second try is not counted as right, and the summary says so")
    func secondTryIsNotRight() throws {
        let trace = try PlayerFixtures.convTrace(predict: true)
        let panel = ConvStepPanel(trace: trace)
        let values = PlayerFixtures.typedValues(trace)
        for (index, value) in values.enumerated() {
            if index == 0 {
                let wrong = LessonNumber.format(trace.windows[0].value + 1)
                PlayerFixtures.type(wrong, into: panel)  // a miss: the hint is shown
                #expect(PlayerFixtures.text(PlayerFixtures.render(panel)).contains("\(wrong) is not it"))
            }
            PlayerFixtures.type(value, into: panel)
            _ = panel.handle(.right)
        }
        #expect(panel.isComplete)
        #expect(panel.stepper.outcomes[0] == .right(misses: 1))
        let count = values.count
        #expect(panel.predictionScore == (right: count - 1, total: count), "the lesson's score counts first tries only")
        #expect(PlayerFixtures.text(PlayerFixtures.render(panel, width: 100))
            .contains("Every cell predicted: \(count - 1) of \(count) right at the first try (1 more at the second)."))
    }
}
