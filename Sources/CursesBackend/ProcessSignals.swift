import CNcursesw

/// The process-wide part of running curses: signal handlers, their flags and the pipe that wakes a
/// waiting read.
///
/// The state lives in `static` variables of the C shim, and each object file that calls the shim
/// gets its own copy of those. So this is the only file that calls the shim's state functions
/// (`cn_install_*`, `cn_capture_stderr`, `cn_restore_*`, `cn_pending_termination_signal`,
/// `cn_take_continued`, `cn_wait_for_input`): the handlers it installs set the flags it reads.
enum ProcessSignals {
    /// What ended a wait for input.
    enum Wait {
        /// Standard input has bytes to read.
        case input
        /// Standard input reached its end or the terminal hung up.
        case hangup
        /// A handled signal arrived (a termination request, a resize, a continue).
        case woken
        /// The time ran out.
        case timeout
    }

    /// SIGINT, SIGTERM and SIGHUP set a flag and wake `waitForInput`; SIGCONT does the same with its
    /// own flag. Installed before curses starts, so that ncurses leaves SIGINT and SIGTERM alone.
    /// False when a handler or the pipe could not be set up (nothing is left installed then).
    static func installBeforeStart() -> Bool {
        if cn_install_termination_handlers() == 0 { return true }
        cn_restore_signal_handlers()
        return false
    }

    /// Once curses runs: SIGWINCH also wakes `waitForInput` (after ncurses' own handler has
    /// recorded the resize), a crash restores the terminal before the process dies, and so does
    /// an `exit()` that skips `close()`. Standard error, when it is the terminal, is kept in a
    /// temporary file until then, so that no message lands on the screen (or is lost with the
    /// alternate screen, as a crash's message would be).
    static func installWhileRunning() {
        cn_install_running_handlers()
        cn_capture_stderr()
    }

    /// Ends curses if it is on, then gives standard error back and writes out what it received.
    static func restoreTerminal() {
        cn_restore_terminal()
    }

    /// Puts back the signal actions that were there before `installBeforeStart`.
    static func restore() {
        cn_restore_signal_handlers()
    }

    /// The number of the first SIGINT, SIGTERM or SIGHUP received, if any.
    static var pendingTermination: Int32? {
        let number = cn_pending_termination_signal()
        return number == 0 ? nil : number
    }

    /// True once after the process was continued (SIGCONT).
    static func takeContinued() -> Bool {
        cn_take_continued() != 0
    }

    /// Waits for input, a handled signal, or `milliseconds` (nil: no limit).
    static func waitForInput(milliseconds: Int32?) -> Wait {
        switch cn_wait_for_input(milliseconds ?? -1) {
        case CN_WAIT_INPUT: .input
        case CN_WAIT_HANGUP: .hangup
        case CN_WAIT_WOKEN: .woken
        default: .timeout
        }
    }
}
