import Lessons
import TerminalUI

/// The lessons in order, each with its number, title, summary and the learner's progress; a lesson
/// file that could not be read is listed greyed with its error (Enter shows all of it) and the
/// others still open. Enter opens the selected lesson in the player, which resumes where the
/// learner left off; progress is saved through the store as the player reports it.
public final class LessonListScreen: Screen {
    public let library: LessonLibrary
    private let store: ProgressStore
    /// Everyone's progress, as loaded and then as the player reports it.
    public private(set) var book: ProgressBook
    /// The warning `store.load()` gave (a corrupt progress file set aside), until a lesson is opened.
    public private(set) var warning: String?
    /// The last save's error, if it failed.
    public private(set) var saveError: String?
    public private(set) var selected = 0
    /// The first entry drawn (the list scrolls to keep the selection in view).
    private var firstShown = 0
    /// Entries that fit in the last frame, for PageUp and PageDown.
    private var visibleCount = 5
    /// The entry drawn on each screen row of the last frame (its title and summary rows), for clicks.
    private var entryAtRow: [Int: Int] = [:]

    public init(library: LessonLibrary, store: ProgressStore) {
        self.library = library
        self.store = store
        let loaded = store.load()
        book = loaded.book
        warning = loaded.warning
    }

    public var title: String { "Lessons" }

    public var keyHelp: [KeyHint] {
        [KeyHint("↑↓", "choose"), KeyHint("Enter", selectedIsBroken ? "show the error" : "open"), KeyHint("Esc", "back"),
         KeyHint("?", "help")]
    }

    public var helpText: String {
        "The lessons in order. Choose one with the arrows and press **Enter**: it opens where you left off. "
            + "Your progress is saved as you go, so you can leave with **Esc** and come back later.\n\n"
            + "A lesson file that cannot be read is shown greyed with its error; **Enter** on it shows the whole "
            + "message, with the file, line and field to fix."
    }

    private var entries: [LessonEntry] { library.entries }

    private var selectedIsBroken: Bool {
        guard entries.indices.contains(selected), case .broken = entries[selected] else { return false }
        return true
    }

    /// The progress text of a lesson, as `convtutor lessons list` gives it: "not started", "step 3 of 9",
    /// "3 of 4 exercises" (the end reached with exercises left) or "done ✓" (every exercise completed).
    static func progressText(_ progress: LessonProgress?, lesson: Lesson, glyphs: GlyphSet) -> String {
        let status = LessonListing.status(of: lesson, progress: progress)
        return status == "done" && glyphs == .unicode ? "done ✓" : status
    }

    // MARK: Keys

    public func handle(_ event: KeyEvent) -> ScreenAction {
        let count = entries.count
        switch event {
        case .escape, .left, .character("q"):
            return .pop
        case .up, .character("k"):
            if count > 0 { selected = (selected + count - 1) % count }
        case .down, .character("j"):
            if count > 0 { selected = (selected + 1) % count }
        case .home:
            selected = 0
        case .end:
            selected = max(0, count - 1)
        case .pageUp:
            selected = max(0, selected - max(1, visibleCount - 1))
        case .pageDown:
            selected = max(0, min(count - 1, selected + max(1, visibleCount - 1)))
        case .enter, .right, .character(" "):
            return open()
        case .click(_, let y):
            // A click selects an entry; a click on the selected one opens it.
            guard let index = entryAtRow[y] else { break }
            if index == selected { return open() }
            selected = index
        default:
            break
        }
        return .none
    }

    /// Opens the selected lesson in the player, or a broken lesson's full error.
    private func open() -> ScreenAction {
        guard entries.indices.contains(selected) else { return .none }
        switch entries[selected] {
        case .lesson(let lesson, _):
            return .push(player(for: lesson))
        case .broken(let file, let error, _):
            let text = "**\(WindowStepper.escapedMarkup(Self.fileName(file))) cannot be read.**\n\n"
                + WindowStepper.escapedMarkup(error.description)
                + "\n\nFix the file and start ConvTutor again; `convtutor lessons check` lists every problem."
            return .push(TextScreen(title: "Lesson error", text: text, helpText: "The error of a lesson file that could not be read.",
                                    keyHelp: [KeyHint("Esc", "back"), KeyHint("?", "help")], maximumWidth: 90))
        }
    }

    /// The player for the lesson with this id, resuming where the learner left off and saving through
    /// this list (`convtutor lesson ID` opens it directly); nil when no lesson has the id.
    public func player(forLessonID id: String) -> LessonPlayerScreen? {
        guard let index = entries.firstIndex(where: { $0.lesson?.id == id }), let lesson = entries[index].lesson else {
            return nil
        }
        selected = index
        return player(for: lesson)
    }

    private func player(for lesson: Lesson) -> LessonPlayerScreen {
        let loadWarning = warning
        warning = nil
        let id = lesson.id
        return LessonPlayerScreen(lesson: lesson, progress: book.lessons[id],
                                  record: { [weak self] progress in self?.save(progress, for: id) },
                                  saveError: { [weak self] in self?.saveError }, loadWarning: loadWarning)
    }

    /// Keeps `progress` and writes the whole book; a failure is shown, never fatal.
    func save(_ progress: LessonProgress, for id: String) {
        book.lessons[id] = progress
        do {
            try store.save(book)
            saveError = nil
        } catch {
            saveError = "Progress could not be saved: \(error)"
        }
    }

    /// The error without its file (the row names the file): "line 4: lesson 'x', step 1, kind: ...".
    static func shortDescription(_ error: LessonError) -> String {
        var short = error
        short.file = ""
        short.line = nil
        short.column = nil
        let place = error.line.map { "line \($0)" + (error.column.map { ":\($0)" } ?? "") + ": " } ?? ""
        return place + short.description.split(separator: "\n").joined(separator: " ")
    }

    /// The last part of a path.
    static func fileName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let (body, footer) = area.splitBottom(1)
        KeyHints(keyHelp).render(in: footer, into: &buffer, capabilities: capabilities)
        // The frame is drawn last, once, with the footer the list's layout decides.
        var frameFooter = ""
        defer { Panel(title: "Lessons", footer: frameFooter).render(in: body, into: &buffer, capabilities: capabilities) }
        let inner = Panel.inner(of: body)
        let content = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        var top = content.y
        let mono = capabilities.colors == .monochrome
        let glyphs = capabilities.glyphs.glyphs
        for (message, color) in [(warning, TerminalColor.yellow), (saveError, TerminalColor.red)] {
            guard let message, top < content.maxY else { continue }
            let text = StyledText(WindowStepper.escapedMarkup(message))
            let height = min(text.wrapped(width: content.width, glyphs: capabilities.glyphs).count, content.maxY - top)
            text.render(in: Rect(x: content.x, y: top, width: content.width, height: height), into: &buffer,
                        capabilities: capabilities, style: mono ? .bold : Style(foreground: color, attributes: .bold))
            top += height
        }
        if top > content.y { top += 1 }
        let list = Rect(x: content.x, y: top, width: content.width, height: content.maxY - top)
        guard !list.isEmpty else { return }
        if entries.isEmpty {
            StyledText("No lessons were found. `convtutor lessons check` says where ConvTutor looks for them.")
                .render(in: list, into: &buffer, capabilities: capabilities)
        }

        // Two rows per entry (title, then summary or error) and a blank row between entries.
        let rowsPerEntry = 3
        visibleCount = max(1, (list.height + 1) / rowsPerEntry)
        if selected < firstShown { firstShown = selected }
        if selected >= firstShown + visibleCount { firstShown = selected - visibleCount + 1 }
        firstShown = max(0, min(firstShown, entries.count - visibleCount))
        let numberWidth = String(entries.count).count + 2
        entryAtRow = [:]
        var y = list.y
        for index in firstShown..<entries.count where y < list.maxY {
            let isSelected = index == selected
            entryAtRow[y] = index
            if y + 1 < list.maxY { entryAtRow[y + 1] = index }
            let marker = isSelected ? (capabilities.glyphs == .unicode ? "▶ " : "> ") : "  "
            let number = String(index + 1) + "."
            let prefix = marker + String(repeating: " ", count: max(0, numberWidth - number.count - 1)) + number + " "
            let row = Rect(x: list.x, y: y, width: list.width, height: 1)
            let second = Rect(x: list.x + prefix.count, y: y + 1, width: list.width - prefix.count, height: 1)
                .intersection(list)
            switch entries[index] {
            case .lesson(let lesson, _):
                let status = Self.progressText(book.lessons[lesson.id], lesson: lesson, glyphs: capabilities.glyphs)
                let statusStyle: Style = status.hasPrefix("done")
                    ? (mono ? .bold : Style(foreground: .green, attributes: .bold))
                    : (status == "not started" ? .dim : (mono ? .plain : Style(foreground: .cyan)))
                let titleStyle = isSelected ? Style.reverse.adding(.bold) : Style.bold
                var x = buffer.write(prefix, x: row.x, y: y, style: isSelected ? .bold : .plain, clip: row)
                let titleRoom = max(0, row.maxX - x - status.count - 2)
                x = buffer.write(glyphs.truncated(lesson.title, toWidth: titleRoom), x: x, y: y, style: titleStyle, clip: row)
                buffer.write(status, x: max(x + 2, row.maxX - status.count), y: y, style: statusStyle, clip: row)
                buffer.write(glyphs.truncated(lesson.summary, toWidth: second.width), x: second.x, y: second.y,
                             style: .dim, clip: second)
            case .broken(let file, let error, _):
                let grey: Style = mono ? .dim : Style(foreground: .brightBlack)
                var titleStyle = grey
                if isSelected { titleStyle.attributes.insert(.reverse) }
                let x = buffer.write(prefix, x: row.x, y: y, style: isSelected ? .bold : .plain, clip: row)
                let label = Self.fileName(file) + " (cannot be read)"
                buffer.write(glyphs.truncated(label, toWidth: max(0, row.maxX - x)), x: x, y: y, style: titleStyle, clip: row)
                let message = Self.shortDescription(error)
                buffer.write(glyphs.truncated(message, toWidth: second.width), x: second.x, y: second.y,
                             style: mono ? .dim : Style(foreground: .red), clip: second)
            }
            y += rowsPerEntry
        }
        // Lessons above or below the window are counted on the frame, with the keys that reach them.
        let above = firstShown, below = max(0, entries.count - firstShown - visibleCount)
        let unicode = capabilities.glyphs == .unicode
        var marks: [String] = []
        if above > 0 { marks.append("\(unicode ? "▲" : "^") \(above) above") }
        if below > 0 { marks.append("\(unicode ? "▼" : "v") \(below) more below") }
        if !marks.isEmpty { frameFooter = marks.joined(separator: "  ") + (unicode ? "  ↑↓ PgUp PgDn" : "  PgUp PgDn") }
    }
}
