import Foundation
import Lessons
import Testing

extension EndToEnd {
    /// A learner's path through a built-in lesson in a real terminal: from the home screen into the
    /// lesson list, through a convolution one window at a time, a predicted cell answered right and
    /// one answered wrong, the lesson's other exercises done, to the end of the lesson (finished); then
    /// the progress is found again after a restart.
    @Suite("End to end: a lesson in tmux")
    struct LessonTmuxTests {
        /// The repository's lessons, from this file's place in it (the binary finds the same folder).
        static let lessonsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("lessons").path

        /// The first built-in lesson with a convolution in predict mode, its place in the list, the index
        /// of that step, and the values the kernel computes for it.
        static func firstPredictLesson() throws -> (lesson: Lesson, listIndex: Int, showStep: Int, predictStep: Int, trace: ConvTrace) {
            let lessons = LessonLibrary.load(sources: [LessonSource(folder: lessonsFolder, isBuiltIn: true)]).lessons
            for (listIndex, lesson) in lessons.enumerated() {
                guard let predictStep = lesson.steps.firstIndex(where: {
                    if case .conv(let spec) = $0.content { return spec.predict && spec.kernels.count == 1 }
                    return false
                }), case .conv(let spec) = lesson.steps[predictStep].content,
                    let showStep = lesson.steps.firstIndex(where: {
                        if case .conv(let spec) = $0.content { return !spec.predict }
                        return false
                    }) else { continue }
                return (lesson, listIndex, showStep, predictStep, try ConvTrace(spec: spec))
            }
            Issue.record("no built-in lesson has a predict-mode convolution")
            throw TutorTmuxTests.Session.Timeout()
        }

        @Test("home -> lessons -> a convolution stepped, a cell predicted right and one wrong, the lesson finished, progress kept after a restart",
              .enabled(if: TutorTmuxTests.tmuxAvailable))
        func learnerPath() throws {
            let (lesson, listIndex, showStep, predictStep, trace) = try Self.firstPredictLesson()
            let dataHome = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-e2e-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dataHome) }
            let session = try TutorTmuxTests.Session()
            try session.waitFor("ready>")
            try session.type("export XDG_DATA_HOME=\(dataHome)")
            try session.keys("Enter")
            try session.startTutor()

            // Home -> Lessons: the list, every lesson not started.
            try session.keys("l")
            try session.waitFor("┌ Lessons ")
            try session.waitFor(lesson.title)
            for _ in 0..<listIndex { try session.keys("Down") }
            try session.keys("Enter")
            try session.waitFor("step 1 of \(lesson.steps.count)")

            // A convolution shown window by window: the first window's sum as the kernel computed it.
            for _ in 0..<showStep { try session.keys("Tab") }
            try session.waitFor("step \(showStep + 1) of \(lesson.steps.count)")
            guard case .conv(let shownSpec) = lesson.steps[showStep].content else { return }
            let shown = try ConvTrace(spec: shownSpec)
            try session.waitFor("Window 1 of \(shown.windows.count)")
            try session.waitFor("= \(LessonNumber.format(shown.windows[0].value))")
            try session.keys("Right")
            try session.waitFor("Window 2 of \(shown.windows.count)")
            try session.waitFor("= \(LessonNumber.format(shown.windows[1].value))")
            try session.keys("Right")
            try session.keys("Left")
            try session.waitFor("Window 2 of \(shown.windows.count)")
            try session.keys("Enter")
            try session.waitFor("Window \(shown.windows.count) of \(shown.windows.count)")

            // Predict mode: the first cell right, the second wrong, then wrong again (the arithmetic is shown).
            for _ in showStep..<predictStep { try session.keys("Tab") }
            try session.waitFor("step \(predictStep + 1) of \(lesson.steps.count)")
            try session.waitFor("Predict output row 1, column 1")
            let first = LessonNumber.format(trace.windows[0].value)
            try Self.typeAnswer(first, in: session)
            try session.keys("Enter")
            try session.waitFor("\(first) is right")
            let wrong = LessonNumber.format(trace.windows[1].value + 7)
            try Self.typeAnswer(wrong, in: session)
            try session.keys("Enter")
            try session.waitFor("\(wrong) is not it")
            try Self.typeAnswer(wrong, in: session)
            try session.keys("Enter")
            try session.waitFor("= \(LessonNumber.format(trace.windows[1].value))")
            // The other cells right: the step is done.
            for window in trace.windows.dropFirst(2) {
                try Self.typeAnswer(LessonNumber.format(window.value), in: session)
                try session.keys("Enter")
            }
            try session.waitFor("Every cell predicted: \(trace.windows.count - 1) of \(trace.windows.count) right")

            // On to the end of the lesson, doing its other exercises: it is finished only with all of them.
            for step in (predictStep + 1)..<lesson.steps.count {
                try session.keys("Tab")
                try session.waitFor("step \(step + 1) of \(lesson.steps.count)")
                try Self.complete(lesson.steps[step], in: session)
            }
            try session.keys("Tab")
            try session.waitFor("Lesson complete")
            try session.keys("Enter")
            try session.waitFor("┌ Lessons ")
            try session.keys("q")
            try session.waitFor("L P T I H open directly")
            try session.keys("q")
            try session.expectCleanExit()

            // A new run: the list command and the tutor's list both show the lesson as done.
            try session.type("clear; \(session.binary) lessons list | grep ' \(lesson.id) '")
            try session.keys("Enter")
            try session.waitFor("done")
            // (--ascii after the subcommand reaches it: the list's border is drawn in ASCII.)
            try session.type("\(session.binary) lesson \(lesson.id) --ascii; echo EXITED=$((1000 + $?))")
            try session.keys("Enter")
            try session.waitFor(lesson.title)
            try session.keys("Escape")
            try session.waitFor("+ Lessons -")
            let list = try session.screen()
            #expect(list.contains("done"), "\(list)")
            try session.keys("Escape")
            try session.waitFor("^v choose")
            try session.keys("q")
            try session.expectCleanExit()
            #expect(FileManager.default.fileExists(atPath: dataHome + "/convtutor/progress.json"))
        }

        /// Types an answer as literal keys; "--" keeps tmux from reading "-9" as one of its flags.
        static func typeAnswer(_ text: String, in session: TutorTmuxTests.Session) throws {
            try session.tmux(["send-keys", "-t", "app", "-l", "--", text])
        }

        /// Does a step's exercise in the tutor: a quiz answered right, every cell of a prediction typed.
        static func complete(_ step: LessonStep, in session: TutorTmuxTests.Session) throws {
            switch step.content {
            case .quiz(let quiz):
                switch quiz.answer {
                case .number, .shape:
                    try Self.typeAnswer(quiz.answerText, in: session)
                case .choice(let index):
                    try session.type(String(index + 1))
                case .cell(let row, let column):
                    for _ in 0..<row { try session.keys("Down") }
                    for _ in 0..<column { try session.keys("Right") }
                }
                try session.keys("Enter")
                try session.waitFor("Right!")
            case .conv(let spec) where spec.predict:
                let trace = try ConvTrace(spec: spec)
                for window in trace.windows {
                    // What the cell shows: after the step's activation, if it has one.
                    try Self.typeAnswer(LessonNumber.format(trace.output.channels[window.outputChannel][window.outputRow][window.outputColumn]),
                                        in: session)
                    try session.keys("Enter")
                }
                try session.waitFor("Every cell predicted")
            case .pool(let spec) where spec.predict:
                for window in try PoolTrace(spec: spec).windows {
                    try Self.typeAnswer(LessonNumber.format(window.value), in: session)
                    try session.keys("Enter")
                }
                try session.waitFor("Every cell predicted")
            default:
                break
            }
        }

        @Test("a corrupt progress file is set aside with a warning, and the learner starts fresh",
              .enabled(if: TutorTmuxTests.tmuxAvailable))
        func corruptProgress() throws {
            let dataHome = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-e2e-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dataHome) }
            try FileManager.default.createDirectory(atPath: dataHome + "/convtutor", withIntermediateDirectories: true)
            try Data("{ not json".utf8).write(to: URL(fileURLWithPath: dataHome + "/convtutor/progress.json"))
            let session = try TutorTmuxTests.Session()
            try session.waitFor("ready>")
            try session.type("XDG_DATA_HOME=\(dataHome) \(session.binary) lessons list; echo EXITED=$((1000 + $?))")
            try session.keys("Enter")
            let screen = try session.waitFor("EXITED=10")
            #expect(screen.contains("EXITED=1000"), "\(screen)")
            #expect(screen.contains("not started"), "\(screen)")
            #expect(screen.contains(".bak"), "the warning says where the old file went: \(screen)")
            #expect(FileManager.default.fileExists(atPath: dataHome + "/convtutor/progress.json.bak"))
        }
    }
}
