import Foundation

/// The text of `convtutor lessons list`: every lesson in order with the learner's progress, and the
/// files that could not be read with their error.
public enum LessonListing {
    public static func text(library: LessonLibrary, progress: ProgressBook) -> String {
        guard !library.entries.isEmpty else { return "no lessons found" }
        let lessons = library.lessons
        let idWidth = min(max(lessons.map(\.id.count).max() ?? 0, 2), 28)
        var lines: [String] = []
        var number = 0
        for entry in library.entries {
            switch entry {
            case .lesson(let lesson, let source):
                number += 1
                let id = lesson.id.padding(toLength: idWidth, withPad: " ", startingAt: 0)
                let state = status(of: lesson, progress: progress.lessons[lesson.id])
                let origin = source.isBuiltIn ? "" : "  [\(source.folder)]"
                lines.append("\(pad(String(number), 3)). \(id)  \(state.padding(toLength: 14, withPad: " ", startingAt: 0))"
                    + "\(lesson.title)\(origin)")
            case .broken(let file, let error, _):
                lines.append("  !  \(file): cannot be opened: \(error.message)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// "not started", "step 3 of 9" or "done".
    public static func status(of lesson: Lesson, progress: LessonProgress?) -> String {
        guard let progress else { return "not started" }
        if progress.finished { return "done" }
        let step = min(progress.currentStep + 1, max(lesson.steps.count, 1))
        return "step \(step) of \(lesson.steps.count)"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(width - text.count, 0)) + text
    }
}
