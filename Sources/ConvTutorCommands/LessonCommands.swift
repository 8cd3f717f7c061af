import ArgumentParser
import Foundation
import Lessons
import TutorApp

/// How the screens are drawn. Shared by the root command and `lesson` as one group: declared
/// separately, the root would take `--ascii` even when it follows `lesson ID`.
struct DisplayOptions: ParsableArguments {
    @Flag(name: .customLong("no-color"), help: "Draw the tutor's screens without colour (also: the NO_COLOR variable).")
    var noColor = false

    @Flag(help: "Draw the tutor's screens with ASCII characters only, for terminals without Unicode.")
    var ascii = false
}

/// Where the lessons come from: the built-in folder, a teacher's folder, or both.
struct LessonSourceOptions: ParsableArguments {
    @Option(name: .customLong("lessons"),
            help: ArgumentHelp("A folder of your own lessons (*.toml), shown with the built-in ones.", valueName: "dir"),
            completion: .directory)
    var folder: String?

    @Flag(name: .customLong("no-builtin"), help: "With --lessons: only that folder's lessons, not the built-in ones.")
    var noBuiltIn = false

    func validate() throws {
        if noBuiltIn && folder == nil {
            throw ValidationError("--no-builtin needs --lessons DIR (the folder to use instead of the built-in lessons)")
        }
        if let folder {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
                throw ValidationError("--lessons \(folder): no such folder; give a folder that holds lesson files (*.toml)")
            }
            guard isFolder.boolValue else {
                throw ValidationError("--lessons \(folder): this is a file, not a folder; give the folder that holds it")
            }
        }
    }

    /// The lessons to show. Without a built-in folder (an installed binary without its lessons) and
    /// without --lessons, the library is empty and `builtInMissing` says why.
    func sources() -> (sources: [LessonSource], builtInMissing: String?) {
        Self.sources(folder: folder, noBuiltIn: noBuiltIn)
    }

    /// The lessons of the built-in folder (unless `noBuiltIn`) and of `folder`.
    static func sources(folder: String?, noBuiltIn: Bool) -> (sources: [LessonSource], builtInMissing: String?) {
        var sources: [LessonSource] = []
        var missing: String?
        if !noBuiltIn {
            let executable = CommandLine.arguments.first.map { Self.resolvedExecutable($0) } ?? ""
            if let builtIn = LessonLibrary.builtInFolder(environment: ProcessInfo.processInfo.environment,
                                                         executablePath: executable) {
                sources.append(LessonSource(folder: builtIn, isBuiltIn: true))
            } else {
                missing = "the built-in lessons were not found (looked beside the executable, in "
                    + "../share/convtutor/lessons and in $CONVTUTOR_BUILTIN_LESSONS); see the README's install section"
            }
        }
        if let folder {
            // The built-in folder given again (a teacher checking the shipped lessons) is read once.
            let resolved = Self.canonical(folder)
            if !sources.contains(where: { Self.canonical($0.folder) == resolved }) {
                sources.append(LessonSource(folder: folder, isBuiltIn: false))
            }
        }
        return (sources, missing)
    }

    static func canonical(_ folder: String) -> String {
        URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The executable's real path (argv[0] may be a bare name found on PATH, or a symlink).
    static func resolvedExecutable(_ argument: String) -> String {
        if let path = Bundle.main.executablePath { return URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
        return URL(fileURLWithPath: argument).resolvingSymlinksInPath().path
    }
}

/// `convtutor lesson [ID]`: opens one lesson, or the list.
struct LessonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson",
        abstract: "Open a lesson in the tutor (or the list of lessons).",
        discussion: """
            The lesson resumes at the step where you left it. IDs are listed by 'convtutor lessons list'.

            Examples:
              convtutor lesson                 (the list)
              convtutor lesson convolution
              convtutor lesson my-lesson --lessons ~/my-lessons
            """)

    @Argument(help: ArgumentHelp("The lesson's id (see 'convtutor lessons list').", valueName: "id"),
              completion: .custom(Completion.lessonIDs))
    var id: String?

    @OptionGroup var source: LessonSourceOptions

    @OptionGroup var display: DisplayOptions

    func run() throws {
        let (sources, missing) = source.sources()
        let library = LessonLibrary.load(sources: sources)
        if let id {
            guard library.lesson(id: id) != nil else {
                let known = library.lessons.map(\.id)
                var message = "no lesson '\(id)'"
                message += known.isEmpty ? "; no lessons were found" + (missing.map { " (\($0))" } ?? "")
                    : "; known lessons: " + known.joined(separator: ", ")
                throw ValidationError(message)
            }
        }
        let status = TutorLauncher.run(noColor: display.noColor, ascii: display.ascii, library: library,
                                       openLesson: id ?? "", warning: missing)
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}

/// `convtutor lessons list|check`.
struct LessonsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lessons",
        abstract: "List the lessons with your progress, or check lesson files.",
        discussion: """
            Examples:
              convtutor lessons list
              convtutor lessons check
              convtutor lessons check --lessons ~/my-lessons --no-builtin
            """,
        subcommands: [List.self, Check.self])

    /// `convtutor lessons list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the lessons in order, with your progress in each.",
            discussion: """
                Progress is kept in $XDG_DATA_HOME/convtutor/progress.json (~/.local/share/convtutor when \
                XDG_DATA_HOME is not set). A lesson file with an error is listed with the error.
                """)

        @OptionGroup var source: LessonSourceOptions

        func run() throws {
            let (sources, missing) = source.sources()
            let library = LessonLibrary.load(sources: sources)
            let store = ProgressStore(folder: ProgressStore.defaultFolder(environment: ProcessInfo.processInfo.environment))
            let (book, warning) = store.load()
            if let warning { printStandardError("convtutor: \(warning)") }
            if let missing { printStandardError("convtutor: \(missing)") }
            print(LessonListing.text(library: library, progress: book))
            if library.entries.isEmpty { throw ExitCode(ExitStatus.failure) }
        }
    }

    /// `convtutor lessons check`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every lesson file: its format, and every step's computation.",
            discussion: """
                Reads every *.toml file, then runs each step as the player would (every convolution, \
                pooling, activation, pipeline and image through the real kernels; quizzes must accept their \
                own answer; a few steps of each training task). Problems are printed as \
                file:line:column or file: lesson, step, field: message.

                Exit status: 0 when every lesson is sound, 1 when any has a problem, 2 for a bad flag.
                """)

        @OptionGroup var source: LessonSourceOptions

        func run() throws {
            let (sources, missing) = source.sources()
            if let missing {
                printStandardError("convtutor: \(missing)")
                throw ExitCode(ExitStatus.failure)
            }
            let library = LessonLibrary.load(sources: sources)
            let report = LessonCheckReport.make(library: library)
            print(report.text)
            if !report.isSound { throw ExitCode(ExitStatus.failure) }
        }
    }
}
