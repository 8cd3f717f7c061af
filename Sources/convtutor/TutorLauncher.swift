import CursesBackend
import Foundation
import KernelCommands
import Lessons
import TerminalUI
import TutorApp

/// Opens the interactive tutor on the terminal: `convtutor` with no command.
enum TutorLauncher {
    /// Runs the tutor until the user quits; never returns with the terminal in curses mode.
    ///
    /// - Parameters: `openLesson` (an id, or "" for the list) starts in that lesson's player with the
    ///   list and home below it; nil starts at home. `warning` is printed after the screens close.
    static func run(noColor: Bool, ascii: Bool, library: LessonLibrary, openLesson: String? = nil,
                    warning: String? = nil) -> Never {
        guard CursesTerminal.isTerminal() else {
            printStandardError("""
                convtutor: the tutor's screens need a terminal, and standard input or output is not one.
                Without a terminal, use the commands (convtutor --help lists them), for example:
                  convtutor conv --input "0 1 2; 3 4 5; 6 7 8" --kernel "0 1; 2 3" --steps
                  convtutor train --no-tui --epochs 1
                """)
            exit(ExitStatus.usage)
        }
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal.open(options: .fromFlags(noColor: noColor, ascii: ascii))
        } catch {
            printStandardError("convtutor: \(error.message)")
            exit(ExitStatus.failure)
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let store = ProgressStore(folder: ProgressStore.defaultFolder(environment: ProcessInfo.processInfo.environment))
        let app = TutorApp(root: HomeScreen(library: library, progressStore: store,
                                                 training: TrainingScreenLauncher.homeTrainingScreen), backend: terminal,
                           clock: { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 },
                           shouldClose: { terminal.pendingSignal != nil })
        if let openLesson {
            let list = LessonListScreen(library: library, store: store)
            app.push(list)
            if !openLesson.isEmpty, let player = list.player(forLessonID: openLesson) { app.push(player) }
        }
        app.run()
        if let signal = terminal.pendingSignal { terminal.closeAndReraise(signal) }
        terminal.close()
        if let warning { printStandardError("convtutor: \(warning)") }
        exit(ExitStatus.success)
    }
}
