import CNcursesw
import TerminalUI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real terminal, through ncursesw: draws changed cells, reads keys, mouse clicks and resizes,
/// and puts the terminal back the way it was.
///
/// The program owns one and must:
/// - check `pendingSignal` after every `nextEvent` (SIGINT, SIGTERM or SIGHUP arrived: save what
///   needs saving, then `closeAndReraise(_:)`, or `close()` and exit);
/// - stop when `inputClosed` becomes true (the terminal went away);
/// - redraw in full after `.resize`, which also comes after the program was suspended and
///   continued (`size` is already the new size);
/// - call `close()` before it exits normally or with an error. A crash or an `exit()` that skips
///   it still ends curses, but only `close()` is certain to.
///
/// While it is open, standard error (when it is the terminal) is held in a temporary file and
/// written out when the terminal closes (or the program crashes), after the screens are gone.
public final class CursesTerminal: TerminalBackend {
    public private(set) var size: (width: Int, height: Int)
    public let capabilities: TerminalCapabilities
    /// The colours as curses drives them (basic 8/16, 256, direct, or none).
    public let colorDepth: CursesColorDepth
    public private(set) var inputClosed = false
    public private(set) var isClosed = false

    private let options: CursesOptions
    /// The colour curses uses for "the terminal's default": -1 where the terminal has default
    /// colours, white on black where it does not.
    private let defaultForeground: Int32
    private let defaultBackground: Int32
    private let highestPair: Int32
    private var nextPair: Int32 = 1
    private var pairsByStyleColors: [StyleColors: Int32] = [:]
    private var pairsByCursesColors: [CursesColors: Int32] = [:]
    /// What this terminal last drew in each cell, so that every cell can be drawn again when the
    /// colour pairs run out and are handed out afresh.
    private var shadow: [Cell]
    private let attributeBits: (bold: attr_t, dim: attr_t, reverse: attr_t, underline: attr_t)
    /// Times in a row that input was ready but no key came out of it (see `nextEvent`).
    private var emptyReads = 0

    private struct StyleColors: Hashable {
        let foreground: TerminalColor
        let background: TerminalColor
    }

    private struct CursesColors: Hashable {
        let foreground: Int32
        let background: Int32
    }

    /// True when standard input and standard output are both terminals.
    public static func isTerminal() -> Bool {
        cn_is_terminal(0) != 0 && cn_is_terminal(1) != 0
    }

    /// Starts curses on this process's terminal, or says why it cannot; the terminal is untouched
    /// when this throws.
    public static func open(options: CursesOptions = CursesOptions()) throws(TerminalError) -> CursesTerminal {
        guard cn_is_terminal(0) != 0 else {
            throw TerminalError("standard input is not a terminal, so the screens cannot read keys; \(options.alternative)")
        }
        guard cn_is_terminal(1) != 0 else {
            throw TerminalError("standard output is not a terminal, so the screens cannot be shown; \(options.alternative)")
        }
        guard let termValue = getenv("TERM"), termValue.pointee != 0 else {
            throw TerminalError("TERM is not set, so the terminal type is unknown; set it (for example TERM=xterm-256color) or \(options.alternative)")
        }
        let term = String(cString: termValue)
        if term == "dumb" {
            throw TerminalError("this terminal (TERM=dumb) cannot show the screens; \(options.alternative)")
        }
        let localeIsUTF8 = cn_adopt_ctype_locale_is_utf8() != 0
        switch cn_probe_terminal(termValue) {
        case 1:
            break
        case -1:
            throw TerminalError("no terminfo database was found to look up TERM=\(term); install one (Debian: ncurses-base) or \(options.alternative)")
        case 2:
            throw TerminalError("this terminal (TERM=\(term)) cannot move the cursor, so it cannot show the screens; \(options.alternative)")
        default:
            throw TerminalError("the terminal type TERM=\(term) is unknown (not in the terminfo database); set TERM to a known type such as xterm-256color, or \(options.alternative)")
        }

        guard ProcessSignals.installBeforeStart() else {
            throw TerminalError("could not set up the signal handlers that restore the terminal; \(options.alternative)")
        }
        guard cn_newterm() != nil else {
            ProcessSignals.restore()
            throw TerminalError("curses could not start on this terminal (TERM=\(term)); \(options.alternative)")
        }
        return CursesTerminal(options: options, unicode: localeIsUTF8 && !options.forceASCII)
    }

    /// Sets curses up once `newterm` has succeeded.
    private init(options: CursesOptions, unicode: Bool) {
        self.options = options
        let window = cn_stdscr()
        raw() // Ctrl-C, Ctrl-Z, Ctrl-S and Ctrl-Q arrive as keys
        noecho()
        nonl()
        intrflush(window, false)
        keypad(window, true)
        nodelay(window, true) // nextEvent waits itself, so that signals and hang-ups wake it
        leaveok(window, true)
        typeahead(-1) // finish drawing a frame even while keys are arriving
        curs_set(0)
        if getenv("ESCDELAY") == nil { set_escdelay(25) } // Esc alone arrives after 25 ms, not 1 s
        mousemask(cn_mouse_button_presses(), nil)
        mouseinterval(0) // report presses at once instead of waiting to see if they become clicks

        var depth = CursesColorDepth.monochrome
        var defaultForeground: Int32 = -1
        var defaultBackground: Int32 = -1
        if !options.forceMonochrome && has_colors() && start_color() == OK {
            if use_default_colors() != OK {
                defaultForeground = Int32(COLOR_WHITE)
                defaultBackground = Int32(COLOR_BLACK)
            }
            let colors = cn_colors()
            // 2^24 colours: a direct-colour entry (such as xterm-direct, which also has the RGB
            // capability), where ncurses takes colour numbers as 0xRRGGBB. Checking the RGB flag
            // alone would be wrong: entries give it as a flag, a number or a string.
            if colors >= 1 << 24 {
                depth = .direct
            } else if colors >= 256 {
                depth = .palette256
            } else if colors >= 16 {
                depth = .basic(count: 16)
            } else if colors >= 8 {
                depth = .basic(count: 8)
            }
        }
        colorDepth = depth
        self.defaultForeground = defaultForeground
        self.defaultBackground = defaultBackground
        highestPair = depth == .monochrome ? 0 : max(0, cn_color_pairs() - 1)
        capabilities = TerminalCapabilities(colors: depth.colorMode, glyphs: unicode ? .unicode : .ascii)
        attributeBits = (cn_attr_bold(), cn_attr_dim(), cn_attr_reverse(), cn_attr_underline())

        size = (Int(cn_width(window)), Int(cn_height(window)))
        shadow = Array(repeating: .blank, count: size.width * size.height)
        ProcessSignals.installWhileRunning()
        // Start from a known blank screen.
        werase(window)
        wnoutrefresh(window)
        doupdate()
    }

    deinit {
        close()
    }

    /// The SIGINT, SIGTERM or SIGHUP that asked the program to end, if one came. Check it after
    /// every `nextEvent` (which returns at once when one arrives).
    public var pendingSignal: Int32? {
        ProcessSignals.pendingTermination
    }

    // MARK: Drawing

    public func draw(_ changes: [CellChange]) {
        guard !isClosed, let window = cn_stdscr() else { return }
        // After a shrink that has not been read as .resize yet, curses' window may be smaller.
        let width = min(size.width, Int(cn_width(window)))
        let height = min(size.height, Int(cn_height(window)))
        var pairsRanOut = false
        for change in changes where change.x >= 0 && change.y >= 0 && change.x < width && change.y < height {
            shadow[change.y * size.width + change.x] = change.cell
            if !put(change.cell, x: change.x, y: change.y, window: window, fallBackToDefaultColors: false) {
                pairsRanOut = true
            }
        }
        if pairsRanOut { redrawWithFreshPairs(window: window, width: width, height: height) }
        wnoutrefresh(window)
        doupdate()
    }

    public func invalidate() {
        guard !isClosed else { return }
        // The next refresh clears the physical screen and draws every cell.
        clearok(cn_curscr(), true)
    }

    /// Draws one cell; false when it needs a colour pair and none is left.
    private func put(_ cell: Cell, x: Int, y: Int, window: UnsafeMutablePointer<WINDOW>, fallBackToDefaultColors: Bool) -> Bool {
        var pair: Int32 = 0
        if let found = colorPair(for: cell.style) {
            pair = found
        } else if !fallBackToDefaultColors {
            return false
        }
        let text = glyph(cell.character)
        var attributes = cn_attr_normal()
        let wanted = cell.style.attributes
        if wanted.contains(.bold) { attributes |= attributeBits.bold }
        if wanted.contains(.dim) { attributes |= attributeBits.dim }
        if wanted.contains(.reverse) { attributes |= attributeBits.reverse }
        if wanted.contains(.underline) { attributes |= attributeBits.underline }
        // ERR in the bottom-right cell only means the cursor could not move past it.
        _ = cn_put_cell(window, Int32(y), Int32(x), text.0, text.1, text.2, text.3, text.4, attributes, pair)
        return true
    }

    /// The colour pair for a style's colours, made on first use; nil when every pair is taken.
    private func colorPair(for style: Style) -> Int32? {
        guard colorDepth != .monochrome else { return 0 }
        let styleColors = StyleColors(foreground: style.foreground, background: style.background)
        if let pair = pairsByStyleColors[styleColors] { return pair }
        let colors = CursesColors(
            foreground: colorDepth.cursesColor(style.foreground, defaultColor: defaultForeground),
            background: colorDepth.cursesColor(style.background, defaultColor: defaultBackground))
        if let pair = pairsByCursesColors[colors] {
            pairsByStyleColors[styleColors] = pair
            return pair
        }
        var pair: Int32 = 0
        if colors.foreground != -1 || colors.background != -1 {
            guard nextPair <= highestPair else { return nil }
            // A colour the terminal refuses is drawn in the default colours rather than not at all.
            if init_extended_pair(nextPair, colors.foreground, colors.background) == OK {
                pair = nextPair
                nextPair += 1
            }
        }
        pairsByCursesColors[colors] = pair
        pairsByStyleColors[styleColors] = pair
        return pair
    }

    /// Hands the colour pairs out again from 1 and draws every cell with them: the pairs of cells
    /// that left the screen are free again.
    private func redrawWithFreshPairs(window: UnsafeMutablePointer<WINDOW>, width: Int, height: Int) {
        // Curses compares cells (and the terminal's current colours) by pair number, so a pair that
        // now means other colours could be skipped as unchanged: repaint the whole screen.
        clearok(cn_curscr(), true)
        pairsByStyleColors.removeAll(keepingCapacity: true)
        pairsByCursesColors.removeAll(keepingCapacity: true)
        nextPair = 1
        for y in 0..<height {
            for x in 0..<width {
                // With more colour combinations on screen than pairs, the rest go uncoloured.
                _ = put(shadow[y * size.width + x], x: x, y: y, window: window, fallBackToDefaultColors: true)
            }
        }
    }

    /// The wide characters for a cell: a character one column wide and up to four combining marks,
    /// zero-padded. Anything that would not take exactly one column (a control character, a wide
    /// character, or outside ASCII when the glyphs are ASCII) becomes "?", so the columns never shift.
    private func glyph(_ character: Character) -> (wchar_t, wchar_t, wchar_t, wchar_t, wchar_t) {
        let replacement: (wchar_t, wchar_t, wchar_t, wchar_t, wchar_t) = (63, 0, 0, 0, 0)
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return replacement }
        if first.value >= 0x20 && first.value < 0x7F && scalars.count == 1 {
            return (wchar_t(first.value), 0, 0, 0, 0)
        }
        guard capabilities.glyphs == .unicode, cn_wcwidth(wchar_t(first.value)) == 1, scalars.count <= 5 else {
            return replacement
        }
        var marks: [wchar_t] = []
        for mark in scalars.dropFirst() {
            guard cn_wcwidth(wchar_t(mark.value)) == 0 else { return replacement }
            marks.append(wchar_t(mark.value))
        }
        marks += [0, 0, 0, 0]
        return (wchar_t(first.value), marks[0], marks[1], marks[2], marks[3])
    }

    // MARK: Input

    private enum Read {
        case event(KeyEvent)
        /// A key came but means nothing to the screens (or a mouse release).
        case ignored
        /// Nothing to read.
        case nothing
    }

    /// The next key, click or resize, waiting at most `timeout` seconds (nil: until one comes).
    /// Returns nil at once, before the time is up, when a termination signal arrives (see
    /// `pendingSignal`) or the input closes (see `inputClosed`).
    public func nextEvent(timeout: Double?) -> KeyEvent? {
        guard !isClosed, !inputClosed else { return nil }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + .seconds(min(max(0, $0), 1_000_000)) }
        var inputWasReady = false
        while true {
            if ProcessSignals.pendingTermination != nil { return nil }
            if ProcessSignals.takeContinued() {
                // Stopped and continued from outside (kill -STOP / -CONT, or a job-control shell):
                // whatever the shell printed is on the screen and the modes may have changed.
                cn_end_curses_if_active()
                resumeCurses()
                return .resize
            }
            // Curses may hold keys already read (the rest of an escape sequence, a resize).
            switch readKey() {
            case .event(let event):
                emptyReads = 0
                return event
            case .ignored:
                emptyReads = 0
                continue
            case .nothing:
                // Input that is ready again and again but never yields a key is a terminal that
                // keeps reporting readable with nothing in it: treat it as closed rather than spin.
                if inputWasReady {
                    emptyReads += 1
                    if emptyReads >= 1000 {
                        inputClosed = true
                        return nil
                    }
                }
            }
            inputWasReady = false
            var milliseconds: Int32? = nil
            if let deadline {
                let remaining = clock.now.duration(to: deadline)
                if remaining <= .zero { return nil }
                let (seconds, attoseconds) = remaining.components
                milliseconds = Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
            }
            switch ProcessSignals.waitForInput(milliseconds: milliseconds) {
            case .timeout:
                return nil
            case .hangup:
                inputClosed = true
                return nil
            case .woken:
                continue
            case .input:
                inputWasReady = true
            }
        }
    }

    private func readKey() -> Read {
        var code: wint_t = 0
        let result = wget_wch(cn_stdscr(), &code)
        if result == KEY_CODE_YES {
            let keyCode = Int32(truncatingIfNeeded: code)
            switch keyCode {
            case KEY_RESIZE:
                updateSize()
                return .event(.resize)
            case KEY_MOUSE:
                var x: Int32 = 0
                var y: Int32 = 0
                return cn_mouse_press(&x, &y) != 0 ? .event(.click(x: Int(x), y: Int(y))) : .ignored
            default:
                return KeyCodeMapping.event(forKeyCode: keyCode).map(Read.event) ?? .ignored
            }
        }
        guard result == OK else { return .nothing }
        if code == 26 && options.suspendsOnControlZ {
            suspend()
            return .event(.resize)
        }
        return KeyCodeMapping.event(forCharacter: UInt32(truncatingIfNeeded: code)).map(Read.event) ?? .ignored
    }

    /// Reads the size curses now has; the shadow starts blank, as the program redraws everything.
    private func updateSize() {
        let window = cn_stdscr()
        size = (Int(cn_width(window)), Int(cn_height(window)))
        shadow = Array(repeating: .blank, count: size.width * size.height)
    }

    // MARK: Suspending and closing

    /// Gives the terminal back to the shell and stops the process, as Ctrl-Z does elsewhere; when
    /// the shell continues it (`fg`), the screen is drawn again as it was. The program should still
    /// redraw in full: `nextEvent` returns `.resize` after a suspend.
    public func suspend() {
        guard !isClosed else { return }
        endwin()
        cn_stop_process()
        _ = ProcessSignals.takeContinued() // this continue is handled here
        resumeCurses()
    }

    /// Back to curses after endwin: program modes, the alternate screen, then every cell repainted
    /// from what curses holds.
    private func resumeCurses() {
        clearok(cn_curscr(), true)
        wnoutrefresh(cn_stdscr())
        doupdate()
        let window = cn_stdscr()
        if size != (Int(cn_width(window)), Int(cn_height(window))) { updateSize() }
    }

    /// Ends curses and restores the terminal (modes, cursor, the main screen, mouse reporting off)
    /// and the signal handlers that were there before. Prints nothing of its own; what was written
    /// to standard error while curses ran is written out now. Calling it again does nothing.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        ProcessSignals.restoreTerminal()
        ProcessSignals.restore()
    }

    /// Closes the terminal, then ends the process by `signal` with its default action, so that the
    /// shell sees the program was interrupted (status 128 + the signal's number).
    public func closeAndReraise(_ signal: Int32) -> Never {
        close()
        cn_die_by_signal(signal)
        // cn_die_by_signal does not return; the C declaration just cannot say so.
        _exit(128 + signal)
    }
}
