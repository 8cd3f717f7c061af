import Lessons
import TerminalUI

/// A checked question inside a lesson step: the question, its grid (if any) and the answer line.
///
/// - Number and shape quizzes take typed text (digits, `x`, spaces, commas, parentheses, `-`, `.`, `/`;
///   Backspace deletes, Enter checks); the key help lists what the answer is written with.
/// - Choice quizzes list the choices numbered from 1, none selected at first: Up/Down or the
///   choice's digit (or a click) selects one, Enter checks it. Enter with nothing selected asks for a
///   choice and is not a miss.
/// - Cell quizzes move a cursor on the grid with the arrows; Enter picks the cell.
///
/// Answers go to `QuizSpec.check`. A right answer shows a tick and the explanation; a wrong one
/// says so and shows the hint (after the first miss); after the second miss `s` shows the answer
/// and the explanation. Input the checker cannot read gets its message and is not counted as a
/// miss. The step counts as done once answered right or once the answer was shown.
public final class QuizPanel: StepPanel {
    /// Where the learner is with the question.
    enum State: Equatable {
        case answering
        case right
        /// The learner asked to see the answer.
        case revealed
    }

    /// What the last check said, for the feedback line.
    enum Feedback: Equatable {
        case none
        case wrong(String)
        case unreadable(String)
    }

    public let spec: QuizSpec
    private(set) var state: State = .answering
    private(set) var feedback: Feedback = .none
    /// Wrong answers so far (unreadable input does not count).
    private(set) var misses = 0
    /// The answer being typed (number and shape quizzes).
    private(set) var typed = ""
    /// The highlighted choice, 0-based (choice quizzes); nil until the learner selects one.
    private(set) var selectedChoice: Int?
    /// Choices already tried and found wrong, 0-based.
    private(set) var wrongChoices: Set<Int> = []
    /// The cursor on the grid (cell quizzes), 0-based.
    private(set) var cursor = (row: 0, column: 0)
    /// The rows of the choice list as last drawn, for mouse clicks.
    private var choiceRows: [Int] = []

    /// The longest answer that can be typed.
    static let maximumTypedLength = 40
    /// After this many misses the answer may be shown.
    static let missesBeforeGivingUp = 2

    public init(spec: QuizSpec) {
        self.spec = spec
    }

    /// How the learner answers.
    enum InputKind {
        case typed, choice, cell
    }

    var inputKind: InputKind {
        switch spec.answer {
        case .number, .shape: .typed
        case .choice: .choice
        case .cell: .cell
        }
    }

    public var isComplete: Bool { state != .answering }

    /// True once the learner may ask for the answer.
    var offersAnswer: Bool { state == .answering && misses >= Self.missesBeforeGivingUp }

    public var keyHelp: [KeyHint] {
        guard state == .answering else { return [] }
        var hints: [KeyHint]
        switch inputKind {
        case .typed:
            // What the answer is written with: a number ("-0.5", "24/2") or a shape ("6x28x28", "(6, 28, 28)").
            let keys = if case .shape = spec.answer { "0-9 x , ( )" } else { "0-9 - . /" }
            hints = [KeyHint(keys, "type"), KeyHint("Backspace", "delete"), KeyHint("Enter", "check")]
        case .choice:
            let last = max(1, min(9, spec.choices.count))
            hints = [KeyHint("↑↓", "choose"), KeyHint("1-\(last)", "select"), KeyHint("Enter", "check")]
        case .cell:
            hints = [KeyHint("←→↑↓", "move"), KeyHint("Enter", "pick the cell")]
        }
        if offersAnswer { hints.append(KeyHint("s", "show the answer")) }
        return hints
    }

    // MARK: Keys

    public func handle(_ event: KeyEvent) -> Bool {
        guard state == .answering else { return false }
        if offersAnswer && event == .character("s") {
            state = .revealed
            feedback = .none
            return true
        }
        switch inputKind {
        case .typed: return handleTyped(event)
        case .choice: return handleChoice(event)
        case .cell: return handleCell(event)
        }
    }

    private func handleTyped(_ event: KeyEvent) -> Bool {
        switch event {
        case .character(let character):
            guard Self.isAnswerCharacter(character) else { return false }
            if typed.count < Self.maximumTypedLength { typed.append(character) }
            return true
        case .backspace, .delete:
            if !typed.isEmpty { typed.removeLast() }
            return true
        case .enter:
            let answer = typed.trimmingSpaces
            guard !answer.isEmpty else {
                feedback = .unreadable("Type your answer first, then press Enter.")
                return true
            }
            apply(spec.check(answer))
            return true
        default:
            return false
        }
    }

    /// Characters a number or shape answer may contain ('/' for a fraction such as 1/4, 'e' for 1e-3,
    /// '[' and ']' for a shape written as a list).
    static func isAnswerCharacter(_ character: Character) -> Bool {
        if let digit = character.wholeNumberValue, digit >= 0 && digit <= 9, character.isASCII { return true }
        return "xX ,()-.+/eE[]×".contains(character)
    }

    private func handleChoice(_ event: KeyEvent) -> Bool {
        let count = spec.choices.count
        guard count > 0 else { return false }
        switch event {
        case .up, .character("k"):
            select(selectedChoice.map { ($0 + count - 1) % count } ?? count - 1)
        case .down, .character("j"):
            select(selectedChoice.map { ($0 + 1) % count } ?? 0)
        case .home:
            select(0)
        case .end:
            select(count - 1)
        case .enter:
            if let selectedChoice {
                submitChoice(selectedChoice)
            } else {
                feedback = .unreadable(Self.chooseFirst)
            }
        case .character(let character):
            guard character.isASCII, let digit = character.wholeNumberValue, digit >= 1, digit <= count else { return false }
            select(digit - 1)
        case .click(_, let y):
            // A click selects a choice; a click on the selected one checks it.
            guard let index = choiceRows.firstIndex(of: y) else { return false }
            if index == selectedChoice { submitChoice(index) } else { select(index) }
        default:
            return false
        }
        return true
    }

    /// What Enter with no choice selected says.
    static let chooseFirst = "choose one first (↑↓ or its number)"

    /// Selects a choice without checking it; the "choose one first" note goes.
    private func select(_ index: Int) {
        selectedChoice = index
        if feedback == .unreadable(Self.chooseFirst) { feedback = .none }
    }

    private func submitChoice(_ index: Int) {
        let verdict = spec.check(String(index + 1))
        if case .wrong = verdict { wrongChoices.insert(index) }
        apply(verdict)
    }

    private func handleCell(_ event: KeyEvent) -> Bool {
        guard let grid = spec.grid else { return false }
        switch event {
        case .up: cursor.row = max(0, cursor.row - 1)
        case .down: cursor.row = min(grid.height - 1, cursor.row + 1)
        case .left: cursor.column = max(0, cursor.column - 1)
        case .right: cursor.column = min(grid.width - 1, cursor.column + 1)
        case .home: cursor.column = 0
        case .end: cursor.column = grid.width - 1
        case .enter: apply(spec.check(row: cursor.row, column: cursor.column))
        default: return false
        }
        return true
    }

    private func apply(_ verdict: QuizVerdict) {
        switch verdict {
        case .right:
            state = .right
            feedback = .none
        case .wrong(let message):
            misses += 1
            feedback = .wrong(message)
            if inputKind == .typed { typed = "" }
        case .unreadable(let message):
            feedback = .unreadable(message)
        }
    }

    // MARK: Drawing

    /// What to type, shown dim on the empty answer line: "a number", "a shape: HxW".
    var answerPrompt: String {
        switch spec.answer {
        case .shape(let sizes):
            let letters = ["H", "W"]
            let names = sizes.count <= 2 ? Array(letters.suffix(sizes.count))
                : (sizes.count == 3 ? ["C", "H", "W"] : ["N", "C", "H", "W"] + Array(repeating: "D", count: max(0, sizes.count - 4)))
            return "a shape: " + names.joined(separator: "x")
        default:
            return "a number"
        }
    }

    /// "✓" or, in ASCII, "[right]".
    static func rightMark(_ glyphs: GlyphSet) -> String { glyphs == .unicode ? "✓" : "[right]" }
    /// "✗" or, in ASCII, "[wrong]".
    static func wrongMark(_ glyphs: GlyphSet) -> String { glyphs == .unicode ? "✗" : "[wrong]" }

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        buffer.fill(area)
        guard !area.isEmpty else { return }
        var writer = QuizLineWriter(area: area, capabilities: capabilities)
        let mono = capabilities.colors == .monochrome
        let glyphs = capabilities.glyphs.glyphs

        writer.text(spec.question, style: .bold, into: &buffer)
        if let grid = spec.grid {
            writer.gap()
            writer.y = drawGrid(grid, at: writer.y, area: area, capabilities: capabilities, into: &buffer)
        }
        writer.gap()

        // The answer line.
        choiceRows = []
        switch inputKind {
        case .typed:
            let prompt = "Your answer: "
            if state == .answering {
                let end = buffer.write(prompt, x: area.x, y: writer.y, style: .bold, clip: area)
                let afterText = buffer.write(typed, x: end, y: writer.y, clip: area)
                buffer.write(" ", x: afterText, y: writer.y, style: .reverse, clip: area)  // the cursor
                if typed.isEmpty && feedback == .none {
                    buffer.write("  " + answerPrompt + ", then Enter", x: afterText + 1, y: writer.y, style: .dim, clip: area)
                }
                writer.y += 1
            } else if state == .right {
                writer.line([(prompt, .bold), (typed.trimmingSpaces, .plain)], into: &buffer)
            }
        case .choice:
            let numberWidth = String(spec.choices.count).count
            for (index, choice) in spec.choices.enumerated() {
                guard writer.y < area.maxY else { break }
                let isSelected = index == selectedChoice && state == .answering
                let isAnswer = state != .answering && spec.answer == .choice(index)
                let marker = isSelected ? (capabilities.glyphs == .unicode ? "▶ " : "> ")
                    : wrongChoices.contains(index) ? (capabilities.glyphs == .unicode ? "✗ " : "x ")
                    : isAnswer ? (capabilities.glyphs == .unicode ? "✓ " : "v ") : "  "
                let number = String(repeating: " ", count: numberWidth - String(index + 1).count) + "\(index + 1). "
                var style = Style.plain
                if isSelected { style = Style.reverse.adding(.bold) }
                else if wrongChoices.contains(index) { style = .dim }
                else if isAnswer { style = mono ? .bold : Style(foreground: .green, attributes: .bold) }
                let x = buffer.write(marker, x: area.x, y: writer.y, style: isSelected ? .bold : .plain, clip: area)
                buffer.write(glyphs.truncated(number + choice, toWidth: max(0, area.maxX - x)), x: x, y: writer.y,
                             style: style, clip: area)
                choiceRows.append(writer.y)
                writer.y += 1
            }
        case .cell:
            if state == .answering {
                writer.text("Move to the cell with the arrows and press **Enter** (row \(cursor.row + 1), column \(cursor.column + 1)).",
                            into: &buffer)
            }
        }

        // What the check said.
        let rightStyle = mono ? Style.bold : Style(foreground: .green, attributes: .bold)
        let wrongStyle = mono ? Style.bold : Style(foreground: .red, attributes: .bold)
        switch state {
        case .right:
            writer.gap()
            writer.marked(Self.rightMark(capabilities.glyphs), style: rightStyle, text: "Right!", into: &buffer)
            if let explanation = spec.explanation, !explanation.isEmpty { writer.text(explanation, into: &buffer) }
        case .revealed:
            writer.gap()
            writer.line([("The answer: ", .bold), (spec.answerText, rightStyle)], into: &buffer)
            if let explanation = spec.explanation, !explanation.isEmpty { writer.text(explanation, into: &buffer) }
        case .answering:
            switch feedback {
            case .none:
                break
            case .wrong(let message):
                writer.gap()
                writer.marked(Self.wrongMark(capabilities.glyphs), style: wrongStyle,
                              text: message.isEmpty ? "Not right." : message.sentenceCased, into: &buffer)
            case .unreadable(let message):
                writer.gap()
                writer.marked("", style: .plain, text: message.sentenceCased, into: &buffer)
            }
            if misses >= 1, let hint = spec.hint, !hint.isEmpty {
                writer.text("**Hint:** " + hint, into: &buffer)
            }
            if offersAnswer {
                writer.text("Press `s` to see the answer.", into: &buffer)
            }
        }
    }

    /// Draws the question's grid (channels side by side) from row `y`; returns the row after it.
    private func drawGrid(_ stack: GridStack, at y: Int, area: Rect, capabilities: TerminalCapabilities,
                          into buffer: inout CellBuffer) -> Int {
        let isCellQuiz = inputKind == .cell
        var x = area.x
        var bottom = y
        for (channel, values) in stack.channels.enumerated() {
            var grid = NumberGrid(lessonValues: values)
            if isCellQuiz {
                grid.rowLabels = NumberGrid.indexLabels(stack.height, from: 1)
                grid.columnLabels = NumberGrid.indexLabels(stack.width, from: 1)
                if channel == 0 {
                    let highlight: GridHighlight
                    switch state {
                    case .answering: highlight = .current
                    case .right, .revealed:
                        if case .cell(let row, let column) = spec.answer {
                            grid.highlight(row: row, column: column, .window)
                        }
                        highlight = []
                    }
                    if !highlight.isEmpty { grid.highlight(row: cursor.row, column: cursor.column, highlight) }
                }
            }
            var top = y
            if stack.channelCount > 1 {
                buffer.write("channel \(channel + 1)", x: x, y: top, style: .dim, clip: area)
                top += 1
            }
            let size = grid.size(glyphs: capabilities.glyphs)
            grid.render(in: Rect(x: x, y: top, width: area.maxX - x, height: area.maxY - top).intersection(area),
                        into: &buffer, capabilities: capabilities)
            bottom = max(bottom, top + size.height)
            x += max(size.width, stack.channelCount > 1 ? 9 : 0) + 3
            if x >= area.maxX { break }
        }
        return bottom
    }

}

/// Writes the quiz's lines from the top of an area down, clipped to it.
private struct QuizLineWriter {
    let area: Rect
    let capabilities: TerminalCapabilities
    var y: Int

    init(area: Rect, capabilities: TerminalCapabilities) {
        self.area = area
        self.capabilities = capabilities
        y = area.y
    }

    /// A blank line, unless the area is nearly full (then the lines stay together).
    mutating func gap() {
        if y > area.y && y < area.maxY - 2 { y += 1 }
    }

    /// Wrapped text with `**bold**` and `` `code` `` spans.
    mutating func text(_ markup: String, style: Style = .plain, into buffer: inout CellBuffer) {
        guard y < area.maxY else { return }
        let text = StyledText(markup)
        let count = text.wrapped(width: area.width, glyphs: capabilities.glyphs).count
        let rows = min(count, area.maxY - y)
        text.render(in: Rect(x: area.x, y: y, width: area.width, height: rows), into: &buffer,
                    capabilities: capabilities, style: style)
        y += rows
    }

    /// `mark` in `style`, then `plain` (no markup) wrapped beside it.
    mutating func marked(_ mark: String, style: Style, text plain: String, into buffer: inout CellBuffer) {
        guard y < area.maxY else { return }
        let shownMark = capabilities.glyphs.glyphs.text(mark)
        let indent = shownMark.isEmpty ? 0 : min(area.width, shownMark.count + 1)
        buffer.write(shownMark, x: area.x, y: y, style: style, clip: area)
        // Backslashes keep the message's own `*` and `` ` `` literal.
        var escaped = ""
        for character in plain {
            if "*`\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        let text = StyledText(escaped)
        let width = area.width - indent
        let count = max(1, text.wrapped(width: width, glyphs: capabilities.glyphs).count)
        let rows = min(count, area.maxY - y)
        if width > 0 {
            text.render(in: Rect(x: area.x + indent, y: y, width: width, height: rows), into: &buffer,
                        capabilities: capabilities)
        }
        y += rows
    }

    /// One line of pieces in their styles, cut at the area's edge.
    mutating func line(_ pieces: [(String, Style)], into buffer: inout CellBuffer) {
        guard y < area.maxY else { return }
        var x = area.x
        for (text, style) in pieces {
            x = buffer.write(capabilities.glyphs.glyphs.text(text), x: x, y: y, style: style, clip: area)
        }
        y += 1
    }
}

extension String {
    /// The string without leading and trailing spaces.
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }

    /// The checker's note as a sentence: "not quite: 14 is not it" becomes "Not quite: 14 is not it."
    fileprivate var sentenceCased: String {
        guard let first = first else { return self }
        var text = first.uppercased() + dropFirst()
        if let last = text.last, !".!?".contains(last) { text += "." }
        return text
    }
}
