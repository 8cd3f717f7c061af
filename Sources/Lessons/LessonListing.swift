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
        let statusWidth = max(14, (lessons.map { status(of: $0, progress: progress.lessons[$0.id]).count }.max() ?? 0) + 2)
        for entry in library.entries {
            switch entry {
            case .lesson(let lesson, let source):
                number += 1
                let id = lesson.id.padding(toLength: idWidth, withPad: " ", startingAt: 0)
                let state = status(of: lesson, progress: progress.lessons[lesson.id])
                let origin = source.isBuiltIn ? "" : "  [\(source.folder)]"
                lines.append("\(pad(String(number), 3)). \(id)  \(state.padding(toLength: statusWidth, withPad: " ", startingAt: 0))"
                    + "\(lesson.title)\(origin)")
            case .broken(let file, let error, _):
                lines.append("  !  \(file): cannot be opened: \(error.message)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// "not started", "step 3 of 9", "3 of 4 exercises" or "done".
    ///
    /// "done" only when the learner reached the end with every exercise (quiz, predict-mode step)
    /// completed. A learner at the last step, or past it, with exercises left sees how many of the
    /// exercises are done instead; so does a progress file marked finished whose lesson has exercises
    /// it does not count as completed (written before this rule, or the lesson gained an exercise).
    public static func status(of lesson: Lesson, progress: LessonProgress?) -> String {
        guard let progress else { return "not started" }
        let exercises = lesson.steps.indices.filter { lesson.steps[$0].isExercise }
        let exercisesDone = exercises.filter { progress.completedSteps.contains($0) }.count
        if progress.finished && exercisesDone == exercises.count { return "done" }
        if progress.currentStep == 0 && progress.completedSteps.isEmpty && !progress.finished { return "not started" }
        let last = max(lesson.steps.count - 1, 0)
        if exercisesDone < exercises.count && (progress.finished || progress.currentStep >= last) {
            return "\(exercisesDone) of \(exercises.count) exercise\(exercises.count == 1 ? "" : "s")"
        }
        return "step \(min(progress.currentStep, last) + 1) of \(lesson.steps.count)"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(width - text.count, 0)) + text
    }
}
