import Lessons
import TerminalUI

/// The first screen: the title, a short introduction, and the menu.
public final class HomeScreen: Screen {
    /// One entry of the menu: its label, the letter that opens it (underlined), and what it does.
    struct Entry {
        let label: String
        let letter: Character
        let summary: String
        let open: () -> ScreenAction
    }

    private(set) var selected = 0
    let entries: [Entry]

    /// - Parameters: `library` and `progressStore` feed the Lessons entry; without them it explains
    ///   that no lessons were loaded (tests of other screens need neither). `training` makes the
    ///   "Train LeNet-5" screen (it loads data and starts training); without it, or when it gives
    ///   nil, the entry explains instead, so tests without data never train.
    public init(library: LessonLibrary? = nil, progressStore: ProgressStore? = nil,
                training: (() -> (any Screen)?)? = nil) {
        let openLessons: () -> ScreenAction = {
            guard let library, let progressStore else { return .push(NoLessonsScreen.make()) }
            return .push(LessonListScreen(library: library, store: progressStore))
        }
        entries = [
            Entry(label: "Lessons", letter: "L", summary: "convolution, padding, stride, pooling, step by step",
                  open: openLessons),
            Entry(label: "Playground", letter: "P", summary: "your own grid and kernel, every window's sum",
                  open: { .push(PlaygroundScreen()) }),
            Entry(label: "Train LeNet-5", letter: "T", summary: "watch a network learn digits, live",
                  open: { .push(training?() ?? TrainingUnavailableScreen.make()) }),
            Entry(label: "Inspect an image", letter: "I", summary: "what every layer sees in a picture",
                  open: { .push(ImagePromptScreen.inspecting()) }),
            Entry(label: "Help", letter: "H", summary: "keys, and how the tutor works",
                  open: { .push(AboutScreen.make()) }),
            Entry(label: "Quit", letter: "Q", summary: "", open: { .quit }),
        ]
    }

    public var title: String { "ConvTutor" }
    public var keyHelp: [KeyHint] {
        [KeyHint("↑↓", "choose"), KeyHint("Enter", "open"), KeyHint("L P T I H", "open directly"),
         KeyHint("?", "help"), KeyHint("q", "quit")]
    }
    public var helpText: String {
        "ConvTutor teaches how convolutional neural networks work by showing the real arithmetic. "
            + "Choose a part with the arrows and **Enter**, or press its underlined letter. "
            + "In every screen **Esc** goes back and **?** shows its keys."
    }

    public func handle(_ event: KeyEvent) -> ScreenAction {
        switch event {
        case .up, .character("k"): selected = (selected + entries.count - 1) % entries.count
        case .down, .character("j"), .tab: selected = (selected + 1) % entries.count
        case .backTab: selected = (selected + entries.count - 1) % entries.count
        case .home: selected = 0
        case .end: selected = entries.count - 1
        case .enter, .right, .character(" "): return entries[selected].open()
        // Esc goes back everywhere else; here it does nothing, so pressing it once too often never quits.
        case .character("q"): return .quit
        case .character(let character):
            let letter = Character(character.uppercased())
            if let index = entries.firstIndex(where: { $0.letter == letter }) {
                selected = index
                return entries[index].open()
            }
        case .click(_, let y):
            if let index = menuRows.firstIndex(of: y) {
                selected = index
                return entries[index].open()
            }
        default:
            break
        }
        return .none
    }

    /// The rows the menu entries were last drawn on, for mouse clicks.
    private var menuRows: [Int] = []

    static let introduction = "Learn how convolutional neural networks work by watching the real arithmetic: "
        + "a kernel sliding over a grid one window at a time with each sum written out, feature maps as "
        + "heatmaps, and a LeNet-5 learning digits in front of you."

    static let banner = [
        "  ___                _____      _             ",
        " / __|___ _ ___ ____|_   _|_  _| |_ ___ _ _   ",
        "| (__/ _ \\ ' \\ V /___|| || || |  _/ _ \\ '_|  ",
        " \\___\\___/_||_\\_/     |_| \\_,_|\\__\\___/_|    ",
    ]

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        let (body, footer) = area.splitBottom(1)
        let width = min(76, body.width - 4)
        let left = body.x + max(2, (body.width - width) / 2)
        var y = body.y + max(1, (body.height - 20) / 2)
        let accent = capabilities.colors == .monochrome ? Style.bold : Style(foreground: .indexed(39), attributes: .bold)
        if body.height >= 22 {
            for line in Self.banner {
                buffer.write(line, x: left, y: y, style: accent)
                y += 1
            }
        } else {
            buffer.write("ConvTutor", x: left, y: y, style: accent)
            y += 1
        }
        y += 1
        let intro = StyledText(Self.introduction)
        let introLines = intro.wrapped(width: width, glyphs: capabilities.glyphs).count
        intro.render(in: Rect(x: left, y: y, width: width, height: introLines), into: &buffer, capabilities: capabilities)
        y += introLines + 1
        menuRows = []
        let labelWidth = entries.map(\.label.count).max() ?? 0
        for (index, entry) in entries.enumerated() {
            let isSelected = index == selected
            let marker = isSelected ? (capabilities.glyphs == .unicode ? "▶ " : "> ") : "  "
            let rowStyle = isSelected ? Style.reverse.adding(.bold) : .plain
            var x = buffer.write(marker, x: left, y: y, style: isSelected ? .bold : .plain)
            // The label with its letter underlined.
            var underlined = false
            for character in entry.label {
                var style = rowStyle
                if !underlined && Character(character.uppercased()) == entry.letter {
                    style = style.adding(.underline)
                    underlined = true
                }
                x = buffer.write(String(character), x: x, y: y, style: style)
            }
            x = buffer.write(String(repeating: " ", count: labelWidth - entry.label.count), x: x, y: y, style: rowStyle)
            if !entry.summary.isEmpty {
                buffer.write("   " + entry.summary, x: x, y: y, style: isSelected ? .plain : .dim,
                             clip: Rect(x: left, y: y, width: width, height: 1))
            }
            menuRows.append(y)
            y += 1
        }
        KeyHints(keyHelp).render(in: footer, into: &buffer, capabilities: capabilities)
    }
}
