import TerminalUI

/// A screen of text in a titled panel that goes back with Esc: the Help entry, and the screens a
/// later part of the tutor fills in (they say what they will hold and what works today).
public final class TextScreen: Screen {
    public let title: String
    /// What the screen shows (`**bold**` and `` `code` `` spans).
    let text: String
    public let helpText: String
    public let keyHelp: [KeyHint]
    /// The widest the text is set, so that lines stay readable on a wide terminal.
    let maximumWidth: Int

    init(title: String, text: String, helpText: String, keyHelp: [KeyHint], maximumWidth: Int) {
        self.title = title
        self.text = text
        self.helpText = helpText
        self.keyHelp = keyHelp
        self.maximumWidth = maximumWidth
    }

    public func handle(_ event: KeyEvent) -> ScreenAction {
        switch event {
        case .escape, .character("q"), .left, .backspace: .pop
        default: .none
        }
    }

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        let (body, footer) = area.splitBottom(1)
        let inner = Panel(title: title).render(in: body, into: &buffer, capabilities: capabilities)
        let width = min(maximumWidth, inner.width - 2)
        let left = inner.x + max(1, (inner.width - width) / 2)
        StyledText(text).render(in: Rect(x: left, y: inner.y + 1, width: width, height: inner.height - 1),
                                into: &buffer, capabilities: capabilities)
        KeyHints(keyHelp).render(in: footer, into: &buffer, capabilities: capabilities)
    }
}

/// The Lessons entry when the tutor was opened without a lesson library (tests of other screens).
enum NoLessonsScreen {
    static func make() -> TextScreen {
        TextScreen(title: "Lessons",
                   text: "**No lessons were loaded.** The built-in lessons are read from the `lessons` folder "
                    + "of the repository or of the installation (see the README); a folder of your own is "
                    + "given with `convtutor --lessons DIR`. `convtutor lessons list` shows what was found.",
                   helpText: "No lesson library was loaded.", keyHelp: [KeyHint("Esc", "back"), KeyHint("?", "help")],
                   maximumWidth: 72)
    }
}

/// The Train entry when no training run could be made here (the tutor opened without a way to
/// make one, as in tests of other screens).
enum TrainingUnavailableScreen {
    static func make() -> TextScreen {
        TextScreen(title: "Train LeNet-5",
                   text: "**Training could not start from here.** `convtutor train` on the command line opens the "
                    + "same live screen and says what is wrong; `convtutor train --no-tui --epochs 1` trains "
                    + "without it.",
                   helpText: "No training run could be made.", keyHelp: [KeyHint("Esc", "back"), KeyHint("?", "help")],
                   maximumWidth: 72)
    }
}

/// The Help entry of the menu: what ConvTutor is and the keys every screen shares.
enum AboutScreen {
    static func make() -> TextScreen {
        TextScreen(title: "Help", text: text, helpText: text,
                   keyHelp: [KeyHint("Esc", "back"), KeyHint("?", "keys of this screen")], maximumWidth: 76)
    }

    static let text = "**ConvTutor** teaches convolutional neural networks with the real arithmetic on screen. "
        + "Every number comes from the same kernels that train the network.\n\n"
        + "**Keys everywhere:** arrows move, **Enter** opens, **Esc** goes back, **?** shows the keys of the "
        + "screen you are on, **q** on the home screen quits, **Ctrl-C** quits from anywhere.\n\n"
        + "**Without the screens:** `convtutor --help` lists the commands: `conv`, `pool` and `activate` "
        + "compute small grids with every window's sum (`--steps`), `train --no-tui` trains LeNet-5, "
        + "`data fetch mnist` downloads MNIST, `model` prints the layers, `bench` measures speed.\n\n"
        + "**Options:** `--no-color` (or the NO_COLOR variable) draws without colour, `--ascii` without "
        + "Unicode. The screens need a terminal of at least 80x24."
}
