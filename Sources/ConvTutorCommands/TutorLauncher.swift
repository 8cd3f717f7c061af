import CursesBackend
import Foundation
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
                    warning: String? = nil) -> Int32 {
        guard CursesTerminal.isTerminal() else {
            printStandardError("""
                convtutor: the tutor's screens need a terminal, and standard input or output is not one.
                Without a terminal, use the commands (convtutor --help lists them), for example:
                  convtutor conv --input "0 1 2; 3 4 5; 6 7 8" --kernel "0 1; 2 3" --steps
                  convtutor train --no-tui --epochs 1
                """)
            return ExitStatus.usage
        }
        let store = ProgressStore(folder: ProgressStore.defaultFolder(environment: ProcessInfo.processInfo.environment))
        let home = HomeScreen(library: library, progressStore: store, training: TrainingScreenLauncher.homeTrainingScreen)
        return runOnTerminal(home, noColor: noColor, ascii: ascii, failure: { "convtutor: \($0)" }, prepare: { app in
            if let openLesson {
                let list = LessonListScreen(library: library, store: store)
                app.push(list)
                if !openLesson.isEmpty, let player = list.player(forLessonID: openLesson) { app.push(player) }
            }
        }, afterClose: {
            if let warning { printStandardError("convtutor: \(warning)") }
            return ExitStatus.success
        })
    }

    /// Opens curses, runs `root` (after `prepare`) until the user quits, gives the terminal back and
    /// exits with what `afterClose` returns (0 by default); a signal that ended it is re-raised after the terminal is restored. The one place the
    /// tutor and the training screen open the terminal.
    ///
    /// - Parameter failure: the line printed, given curses' message, when the terminal cannot be
    ///   opened (then exit 1).
    static func runOnTerminal(_ root: any Screen, noColor: Bool, ascii: Bool, failure: (String) -> String,
                              prepare: (TutorApp) -> Void = { _ in }, afterClose: () -> Int32 = { ExitStatus.success }) -> Int32 {
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal.open(options: .fromFlags(noColor: noColor, ascii: ascii))
        } catch {
            printStandardError(failure(error.message))
            return ExitStatus.failure
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let app = TutorApp(root: root, backend: terminal,
                           clock: { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 },
                           shouldClose: { terminal.pendingSignal != nil })
        prepare(app)
        app.run()
        let signal = terminal.pendingSignal
        terminal.close()
        // The process must still end by the signal (the shell sees 128 + its number): main.swift
        // re-raises it once the command has returned.
        if let signal { return ExitStatus.interrupted(by: signal) }
        return afterClose()
    }
}
