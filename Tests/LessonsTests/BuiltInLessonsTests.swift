import Foundation
import Lessons
import Testing

/// The lessons that ship in lessons/: every file must pass `convtutor lessons check`.
@Suite("Built-in lessons")
struct BuiltInLessonsTests {
    /// The repository's lessons folder, from this file's place in it.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("lessons").path

    static func library() -> LessonLibrary {
        LessonLibrary.load(sources: [LessonSource(folder: folder, isBuiltIn: true)])
    }

    @Test("every built-in lesson parses and every step runs (what `lessons check` does)")
    func everyLessonIsSound() {
        let report = LessonCheckReport.make(library: Self.library())
        let sound = report.isSound
        #expect(sound, "\(report.text)")
    }

    @Test("at least 14 lessons, each ending with a checked exercise, in order, with unique ids")
    func theSet() {
        let lessons = Self.library().lessons
        #expect(lessons.count >= 14)
        #expect(lessons.allSatisfy { lesson in lesson.steps.last?.isExercise == true }, "every lesson ends with an exercise")
        let orders = lessons.compactMap(\.order)
        #expect(orders.count == lessons.count && orders == orders.sorted())
        #expect(Set(lessons.map(\.id)).count == lessons.count)
    }

    @Test("the folder has the teachers' README")
    func readme() {
        #expect(FileManager.default.fileExists(atPath: Self.folder + "/README.md"))
    }

    @Test("the README's complete example lessons pass the checker as the README says")
    func readmeExamplesAreSound() throws {
        let readme = try String(contentsOfFile: Self.folder + "/README.md", encoding: .utf8)
        let blocks = readme.components(separatedBy: "```toml\n").dropFirst()
            .compactMap { $0.components(separatedBy: "\n```").first }
            .filter { $0.hasPrefix("id = ") }
        #expect(!blocks.isEmpty)
        for block in blocks {
            let lesson = try LessonParser.parse(block, file: "README.md")
            #expect(lesson.steps.contains { !$0.checks.isEmpty }, "the example shows checks")
            let problems = LessonChecker.problems(in: lesson, lessonFolder: nil)
            #expect(problems.isEmpty, "\(problems.map(\.description))")
        }
    }

    /// The lessons whose text quotes numbers a step computes; each states them in `checks`.
    static let lessonsWithStatedNumbers = ["convolution", "classic-kernels", "padding", "padding-modes", "stride",
                                           "dilation", "feature-maps", "multi-channel", "separable", "activations", "pooling",
                                           "receptive-field", "classifier", "lenet5", "training", "overfitting"]

    @Test("every lesson that quotes a computed number states it in checks")
    func statedNumbersAreChecked() {
        let lessons = Self.library().lessons
        for id in Self.lessonsWithStatedNumbers {
            let lesson = lessons.first { $0.id == id }
            #expect(lesson?.steps.contains { !$0.checks.isEmpty } == true, "\(id) has no checks")
        }
    }
}
