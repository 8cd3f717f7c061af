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
}
