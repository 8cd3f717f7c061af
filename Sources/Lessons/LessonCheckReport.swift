/// The outcome of `convtutor lessons check`: one line per lesson file, then every problem.
public struct LessonCheckReport: Sendable {
    /// One checked file: the lesson (nil when the file did not parse) and its problems.
    public struct Item: Sendable {
        public var file: String
        public var lesson: Lesson?
        public var problems: [LessonError]
    }

    public var items: [Item]

    /// True when every file parsed and every step ran.
    public var isSound: Bool { !items.isEmpty && items.allSatisfy { $0.problems.isEmpty } }

    /// Parses nothing itself: takes the library's entries and runs `LessonChecker` on each lesson.
    public static func make(library: LessonLibrary) -> LessonCheckReport {
        let items = library.entries.map { entry -> Item in
            switch entry {
            case .lesson(let lesson, let source):
                return Item(file: lesson.file, lesson: lesson,
                            problems: LessonChecker.problems(in: lesson, lessonFolder: folder(of: lesson.file, source: source)))
            case .broken(let file, let error, _):
                return Item(file: file, lesson: nil, problems: [error])
            }
        }
        return LessonCheckReport(items: items)
    }

    /// The folder a lesson's relative paths start from.
    static func folder(of file: String, source: LessonSource) -> String {
        guard let slash = file.lastIndex(of: "/") else { return source.folder }
        return String(file[..<slash])
    }

    /// What the command prints.
    public var text: String {
        guard !items.isEmpty else {
            return "no lesson files (*.toml) were found; nothing to check"
        }
        var lines: [String] = []
        for item in items {
            if let lesson = item.lesson, item.problems.isEmpty {
                let exercises = lesson.steps.filter(\.isExercise).count
                lines.append("ok      \(lesson.id)  (\(lesson.steps.count) steps, \(exercises) "
                    + (exercises == 1 ? "exercise" : "exercises") + ")  \(item.file)")
            } else {
                lines.append("FAILED  \(item.lesson?.id ?? "?")  \(item.file)")
                for problem in item.problems { lines.append("  \(problem.description)") }
            }
        }
        let failed = items.filter { !$0.problems.isEmpty }.count
        let problems = items.reduce(0) { $0 + $1.problems.count }
        lines.append("")
        let checked = "\(items.count) lesson file\(items.count == 1 ? "" : "s") checked"
        lines.append(failed == 0 ? "\(checked): all sound" : "\(checked): \(failed) with problems (\(problems) in all)")
        return lines.joined(separator: "\n")
    }
}
