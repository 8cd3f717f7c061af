import Foundation
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

@Suite("Lesson list")
struct LessonListTests {
    /// A fresh folder under the temporary directory, removed by the caller.
    static func makeFolder() throws -> String {
        let path = NSTemporaryDirectory() + "convtutor-list-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func lessonText(id: String, title: String, order: Int, steps: Int = 2) -> String {
        var text = "id = \"\(id)\"\ntitle = \"\(title)\"\nsummary = \"The summary of \(title).\"\norder = \(order)\n"
        for step in 1...steps {
            text += "\n[[step]]\nkind = \"text\"\ntext = \"Step \(step) of \(title).\"\n"
        }
        return text
    }

    /// A lessons folder with two good lessons and a broken one (listed last: it has no order).
    static func makeLibrary() throws -> (LessonLibrary, folder: String) {
        let folder = try makeFolder()
        try lessonText(id: "pixels", title: "What an image is", order: 1, steps: 3)
            .write(toFile: folder + "/01-pixels.toml", atomically: true, encoding: .utf8)
        try "id = \"broken\"\ntitle = \"Broken\"\n[[step]]\nkind = \"convolve\"\n"
            .write(toFile: folder + "/02-broken.toml", atomically: true, encoding: .utf8)
        try lessonText(id: "sliding", title: "Convolution is a sliding dot product", order: 3, steps: 9)
            .write(toFile: folder + "/03-sliding.toml", atomically: true, encoding: .utf8)
        return (LessonLibrary.load(sources: [LessonSource(folder: folder, isBuiltIn: false)]), folder)
    }

    static func frame(_ screen: any Screen, width: Int = 100, height: Int = 30,
                      capabilities: TerminalCapabilities = .full) -> [String] {
        var buffer = CellBuffer(width: width, height: height)
        screen.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer.lines
    }

    @Test("lessons in order with number, title, summary and progress; a broken lesson with its error")
    func listing() throws {
        let (library, folder) = try Self.makeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ProgressStore(folder: folder + "/data")
        try store.save(ProgressBook(lessons: [
            "sliding": LessonProgress(currentStep: 2, completedSteps: [0, 1], finished: false),
            "pixels": LessonProgress(currentStep: 2, completedSteps: [0, 1, 2], finished: true),
        ]))
        let screen = LessonListScreen(library: library, store: store)
        #expect(screen.warning == nil)
        let lines = Self.frame(screen)
        let pixels = try #require(lines.firstIndex { $0.contains("1. What an image is") })
        #expect(lines[pixels].contains("▶"), "the first entry is selected")
        #expect(lines[pixels].hasSuffix("done ✓ │"))
        #expect(lines[pixels + 1].contains("The summary of What an image is."))
        let sliding = try #require(lines.firstIndex { $0.contains("2. Convolution is a sliding dot product") })
        #expect(lines[sliding].hasSuffix("step 3 of 9 │"))
        #expect(sliding > pixels)
        let broken = try #require(lines.firstIndex { $0.contains("3. 02-broken.toml (cannot be read)") })
        #expect(lines[broken + 1].contains("unknown step kind 'convolve'"))
        #expect(broken > sliding)
        let ascii = Self.frame(screen, capabilities: .plain)
        #expect(ascii.contains { $0.contains("What an image is") && $0.hasSuffix("done |") })
    }

    /// A lesson of text, quiz, text, quiz, text: two exercises.
    static let quizLessonText = """
        id = "quizzes"
        title = "Two quizzes"
        order = 5

        [[step]]
        kind = "text"
        text = "Read this."

        [[step]]
        kind = "quiz"
        question = "How many cells has a 3x3 grid?"
        answer = 9

        [[step]]
        kind = "text"
        text = "And this."

        [[step]]
        kind = "quiz"
        question = "How many cells has a 2x2 grid?"
        answer = 4

        [[step]]
        kind = "text"
        text = "The end."
        """

    @Test("a lesson whose end was reached with exercises left is not done: the list and `lessons list` say how many are done")
    func exercisesLeft() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.quizLessonText.write(toFile: folder + "/05-quizzes.toml", atomically: true, encoding: .utf8)
        let library = LessonLibrary.load(sources: [LessonSource(folder: folder, isBuiltIn: false)])
        let lesson = try #require(library.lesson(id: "quizzes"))
        let store = ProgressStore(folder: folder + "/data")
        let screen = LessonListScreen(library: library, store: store)
        guard case .push(let pushed) = screen.handle(.enter), let player = pushed as? LessonPlayerScreen else {
            Issue.record("Enter opens the player")
            return
        }
        // Straight to the end, answering only the first quiz.
        _ = player.handle(.tab)
        for key in "9" { _ = player.handle(.character(key)) }
        _ = player.handle(.enter)
        #expect(player.completedSteps.contains(1))
        for _ in 0..<4 { _ = player.handle(.tab) }
        #expect(player.showingSummary && !player.finished)
        #expect(screen.book.lessons["quizzes"]?.finished == false)
        #expect(Self.frame(screen).contains { $0.contains("Two quizzes") && $0.hasSuffix("1 of 2 exercises │") })
        #expect(LessonListing.status(of: lesson, progress: screen.book.lessons["quizzes"]) == "1 of 2 exercises")
        let listed = LessonListing.text(library: library, progress: store.load().book)
        #expect(listed.contains("quizzes  1 of 2 exercises  Two quizzes"), "\(listed)")

        // Back to the second quiz, answered: the end reached again, the lesson is done.
        _ = player.handle(.backTab)  // the summary to the last step
        _ = player.handle(.backTab)
        #expect(player.stepIndex == 3)
        _ = player.handle(.character("4"))
        _ = player.handle(.enter)
        #expect(player.finished, "the last exercise done after the end was reached")
        #expect(Self.frame(screen).contains { $0.contains("Two quizzes") && $0.hasSuffix("done ✓ │") })
        #expect(LessonListing.text(library: library, progress: store.load().book).contains("quizzes  done"))
    }

    @Test("status: not started, the step, exercises done at the end, done only with every exercise")
    func statuses() throws {
        let lesson = try LessonParser.parse(Self.quizLessonText, file: "quizzes.toml")
        func status(_ progress: LessonProgress?) -> String { LessonListing.status(of: lesson, progress: progress) }
        #expect(status(nil) == "not started")
        #expect(status(LessonProgress()) == "not started")
        #expect(status(LessonProgress(currentStep: 2, completedSteps: [0, 1])) == "step 3 of 5")
        #expect(status(LessonProgress(currentStep: 4, completedSteps: [0, 2, 4])) == "0 of 2 exercises")
        #expect(status(LessonProgress(currentStep: 4, completedSteps: [0, 1, 2, 3, 4])) == "step 5 of 5",
                "every exercise done, the end not passed yet")
        #expect(status(LessonProgress(currentStep: 4, completedSteps: [0, 1, 2, 4], finished: true)) == "1 of 2 exercises",
                "a file marked finished with an exercise left (an older ConvTutor skipped it)")
        #expect(status(LessonProgress(currentStep: 4, completedSteps: [0, 1, 2, 3, 4], finished: true)) == "done")
        let one = Lesson(id: "one", title: "One", steps: [
            LessonStep(content: .text), LessonStep(content: .quiz(QuizSpec(question: "?", answer: .number(1, tolerance: 0)))),
        ])
        #expect(LessonListing.status(of: one, progress: LessonProgress(currentStep: 1, completedSteps: [0])) == "0 of 1 exercise")
        #expect(LessonListScreen.progressText(LessonProgress(currentStep: 1, completedSteps: [0, 1], finished: true),
                                              lesson: one, glyphs: .ascii) == "done")
    }

    @Test("snapshots of the list at 100x30, colour and ASCII")
    func snapshots() throws {
        let (library, folder) = try Self.makeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ProgressStore(folder: folder + "/data")
        try store.save(ProgressBook(lessons: ["sliding": LessonProgress(currentStep: 2, completedSteps: [0, 1])]))
        let screen = LessonListScreen(library: library, store: store)
        _ = screen.handle(.down)
        for ascii in [false, true] {
            var buffer = CellBuffer(width: 100, height: 30)
            screen.render(into: &buffer, area: buffer.area, capabilities: ascii ? .plain : .full)
            try Snapshot.expect(buffer, named: "lesson-list-100x30-\(ascii ? "ascii" : "colour")")
        }
    }

    @Test("Enter opens the player at the saved step; what it records is saved to the store")
    func opening() throws {
        let (library, folder) = try Self.makeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ProgressStore(folder: folder + "/data")
        try store.save(ProgressBook(lessons: ["sliding": LessonProgress(currentStep: 4, completedSteps: [0], finished: false)]))
        let screen = LessonListScreen(library: library, store: store)
        _ = screen.handle(.down)
        guard case .push(let pushed) = screen.handle(.enter), let player = pushed as? LessonPlayerScreen else {
            Issue.record("Enter opens the player")
            return
        }
        #expect(player.lesson.id == "sliding" && player.stepIndex == 4)
        _ = player.handle(.tab)
        #expect(screen.book.lessons["sliding"] == LessonProgress(currentStep: 5, completedSteps: [0, 4], finished: false))
        let reloaded = ProgressStore(folder: folder + "/data").load()
        #expect(reloaded.warning == nil)
        #expect(reloaded.book.lessons["sliding"] == LessonProgress(currentStep: 5, completedSteps: [0, 4], finished: false))
        #expect(Self.frame(screen).contains { $0.contains("sliding dot product") && $0.contains("step 6 of 9") })
    }

    @Test("Enter on a broken lesson shows its full error; the others still open")
    func brokenEntry() throws {
        let (library, folder) = try Self.makeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let screen = LessonListScreen(library: library, store: ProgressStore(folder: folder + "/data"))
        _ = screen.handle(.up)
        #expect(screen.selected == 2)
        #expect(screen.keyHelp.contains(KeyHint("Enter", "show the error")))
        guard case .push(let errorScreen) = screen.handle(.enter) else {
            Issue.record("Enter shows the error")
            return
        }
        let text = Self.frame(errorScreen).joined(separator: "\n")
        #expect(text.contains("02-broken.toml cannot be read."))
        #expect(text.contains("known kinds: text, conv"))
        _ = screen.handle(.down)
        guard case .push(let player) = screen.handle(.enter) else {
            Issue.record("a good lesson still opens")
            return
        }
        #expect(player is LessonPlayerScreen)
        guard case .pop = screen.handle(.escape) else {
            Issue.record("Esc goes back")
            return
        }
    }

    @Test("a corrupt progress file: the warning shows at the top until a lesson is opened")
    func corruptProgress() throws {
        let (library, folder) = try Self.makeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        try "{ not json".write(toFile: folder + "/data/progress.json", atomically: true, encoding: .utf8)
        let screen = LessonListScreen(library: library, store: ProgressStore(folder: folder + "/data"))
        let warning = try #require(screen.warning)
        let lines = Self.frame(screen)
        #expect(lines[1].contains(String(warning.prefix(40))))
        #expect(lines.contains { $0.contains("What an image is") && $0.contains("not started") })
        _ = screen.handle(.enter)
        #expect(screen.warning == nil)
        #expect(!Self.frame(screen).joined().contains(String(warning.prefix(40))))
    }

    @Test("a progress file that cannot be written shows a message line, never a crash")
    func saveFailure() throws {
        let (library, folder) = try Self.makeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The data folder's place is taken by a file, so nothing can be written inside it.
        try "".write(toFile: folder + "/data", atomically: true, encoding: .utf8)
        let screen = LessonListScreen(library: library, store: ProgressStore(folder: folder + "/data"))
        guard case .push(let pushed) = screen.handle(.enter), let player = pushed as? LessonPlayerScreen else {
            Issue.record("Enter opens the player")
            return
        }
        _ = player.handle(.tab)
        let error = try #require(screen.saveError)
        #expect(error.hasPrefix("Progress could not be saved"))
        #expect(Self.frame(screen).contains { $0.contains("Progress could not be saved") })
        #expect(screen.book.lessons["pixels"]?.currentStep == 1, "kept in memory all the same")
    }

    @Test("arrows wrap, Home and End, clicks, and the list scrolls to keep the selection in view")
    func navigation() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for index in 1...14 {
            try Self.lessonText(id: "lesson-\(index)", title: "Lesson number \(index)", order: index)
                .write(toFile: folder + "/\(index).toml", atomically: true, encoding: .utf8)
        }
        let library = LessonLibrary.load(sources: [LessonSource(folder: folder, isBuiltIn: false)])
        let screen = LessonListScreen(library: library, store: ProgressStore(folder: folder + "/data"))
        _ = screen.handle(.up)
        #expect(screen.selected == 13)
        var lines = Self.frame(screen, width: 80, height: 24)
        #expect(lines.contains { $0.contains("14. Lesson number 14") })
        #expect(!lines.contains { $0.contains(" 1. Lesson number 1 ") })
        // The lessons out of view are counted on the frame, with the keys that reach them.
        #expect(lines[22].contains("▲ 7 above  ↑↓ PgUp PgDn"), "\(lines[22])")
        _ = screen.handle(.home)
        lines = Self.frame(screen, width: 80, height: 24)
        #expect(lines.contains { $0.contains(" 1. Lesson number 1") })
        #expect(lines[22].contains("▼ 7 more below"), "\(lines[22])")
        #expect(Self.frame(screen, width: 80, height: 24, capabilities: .plain)[22].contains("v 7 more below  PgUp PgDn"))
        #expect(!Self.frame(screen, width: 80, height: 60)[58].contains("more below"))
        _ = screen.handle(.pageDown)
        #expect(screen.selected > 1)
        _ = screen.handle(.end)
        _ = screen.handle(.down)
        #expect(screen.selected == 0)
        lines = Self.frame(screen, width: 80, height: 24)
        let third = try #require(lines.firstIndex { $0.contains(" 3. Lesson number 3") })
        guard case .none = screen.handle(.click(x: 10, y: third + 1)) else {
            Issue.record("a click selects")
            return
        }
        #expect(screen.selected == 2)
        guard case .push(let player) = screen.handle(.click(x: 10, y: third)), player is LessonPlayerScreen else {
            Issue.record("a click on the selected entry opens it")
            return
        }
        for (width, height) in [(0, 0), (1, 1), (10, 3), (80, 24), (200, 60)] {
            _ = Self.frame(screen, width: width, height: height)
            _ = Self.frame(screen, width: width, height: height, capabilities: .plain)
        }
    }
}
