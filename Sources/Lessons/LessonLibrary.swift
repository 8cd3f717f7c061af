import CommonIO
import Foundation

/// A folder of lesson files: the built-in lessons or a teacher's.
public struct LessonSource: Sendable {
    public var folder: String
    public var isBuiltIn: Bool

    public init(folder: String, isBuiltIn: Bool) {
        self.folder = folder
        self.isBuiltIn = isBuiltIn
    }
}

/// One lesson file as the list shows it: a lesson, or the error that keeps it from loading.
public enum LessonEntry: Sendable {
    case lesson(Lesson, LessonSource)
    case broken(file: String, error: LessonError, LessonSource)

    /// The lesson file's path.
    public var file: String {
        switch self {
        case .lesson(let lesson, _): lesson.file
        case .broken(let file, _, _): file
        }
    }

    public var source: LessonSource {
        switch self {
        case .lesson(_, let source), .broken(_, _, let source): source
        }
    }

    /// The lesson, when it loaded.
    public var lesson: Lesson? {
        if case .lesson(let lesson, _) = self { lesson } else { nil }
    }

    /// The problem, when it did not.
    public var error: LessonError? {
        if case .broken(_, let error, _) = self { error } else { nil }
    }
}

/// Every lesson file of some folders, loaded and checked: a broken file becomes a `.broken` entry
/// and the others still load.
public struct LessonLibrary: Sendable {
    /// Sorted by `order` (files without one after those with one), then file name, built-in lessons
    /// before a teacher's on a tie.
    public var entries: [LessonEntry]

    public init(entries: [LessonEntry]) {
        self.entries = entries
    }

    /// The lessons that loaded, in list order.
    public var lessons: [Lesson] { entries.compactMap(\.lesson) }

    public func lesson(id: String) -> Lesson? {
        lessons.first { $0.id == id }
    }

    /// Loads every `*.toml` file of each source's folder, in file-name order. Ids must be unique across
    /// all sources: a later file reusing an id is broken, naming the file that has it first.
    public static func load(sources: [LessonSource]) -> LessonLibrary {
        var loaded: [(entry: LessonEntry, order: Int?, sourceIndex: Int)] = []
        var firstFileForID: [String: String] = [:]
        for (sourceIndex, source) in sources.enumerated() {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: source.folder)
                    .filter { $0.hasSuffix(".toml") }
                    .sorted()
            } catch {
                let problem = LessonError(file: source.folder, message: "cannot read the lessons folder: "
                    + LessonParser.describe(error))
                loaded.append((.broken(file: source.folder, error: problem, source), nil, sourceIndex))
                continue
            }
            for name in names {
                let path = (source.folder as NSString).appendingPathComponent(name)
                do {
                    let lesson = try LessonParser.load(path: path)
                    if let first = firstFileForID[lesson.id] {
                        let problem = LessonError(file: path, line: LessonParser.line(ofTopLevelKey: "id", inFile: path),
                                                  lessonID: lesson.id, field: "id",
                                                  message: "duplicate id '\(lesson.id)': \(first) already uses it; "
                                                      + "every lesson needs its own id")
                        loaded.append((.broken(file: path, error: problem, source), lesson.order, sourceIndex))
                    } else {
                        firstFileForID[lesson.id] = path
                        loaded.append((.lesson(lesson, source), lesson.order, sourceIndex))
                    }
                } catch {
                    // A broken lesson keeps its place in the list when its order can still be read.
                    loaded.append((.broken(file: path, error: error, source), bestEffortOrder(path: path), sourceIndex))
                }
            }
        }
        let sorted = loaded.sorted { a, b in
            switch (a.order, b.order) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            let nameA = (a.entry.file as NSString).lastPathComponent, nameB = (b.entry.file as NSString).lastPathComponent
            if nameA != nameB { return nameA < nameB }
            if a.entry.source.isBuiltIn != b.entry.source.isBuiltIn { return a.entry.source.isBuiltIn }
            return a.sourceIndex < b.sourceIndex
        }
        return LessonLibrary(entries: sorted.map(\.entry))
    }

    /// The `order` of a file that did not load, when it is still valid TOML with an integer order.
    private static func bestEffortOrder(path: String) -> Int? {
        guard let text = try? LessonParser.readText(path), let table = try? TOMLDocument.parse(text),
              case .int(let order)? = table["order"] else { return nil }
        return order
    }

    /// The folder of the built-in lessons (`ShippedFolder.find`: `CONVTUTOR_BUILTIN_LESSONS`, the
    /// installed `share/convtutor/lessons`, the repository around the executable, the one this file
    /// was compiled from), or nil when none is found.
    public static func builtInFolder(environment: [String: String], executablePath: String) -> String? {
        builtInFolder(environment: environment, executablePath: executablePath, sourceFile: #filePath)
    }

    static func builtInFolder(environment: [String: String], executablePath: String, sourceFile: String) -> String? {
        ShippedFolder.find("lessons", variable: "CONVTUTOR_BUILTIN_LESSONS", environment: environment,
                           executablePath: executablePath, sourceFile: sourceFile)
    }
}

extension LessonParser {
    /// The line of a top-level key in a lesson file, for messages about the lesson as a whole.
    static func line(ofTopLevelKey key: String, inFile path: String) -> Int? {
        guard let text = try? LessonParser.readText(path) else { return nil }
        return SourceMap(text: text).line(step: nil, key: key)
    }
}
