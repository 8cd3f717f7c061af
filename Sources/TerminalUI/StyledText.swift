/// How a run of text is emphasised: bold, code, or both.
public struct TextEmphasis: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextEmphasis(rawValue: 1 << 0)
    public static let code = TextEmphasis(rawValue: 1 << 1)
}

/// A piece of text with one emphasis.
public struct StyledRun: Hashable, Sendable {
    public var text: String
    public var emphasis: TextEmphasis

    public init(_ text: String, emphasis: TextEmphasis = []) {
        self.text = text
        self.emphasis = emphasis
    }
}

/// One line of wrapped text: its runs, left to right.
public struct StyledLine: Hashable, Sendable {
    public var runs: [StyledRun]

    public init(runs: [StyledRun]) { self.runs = runs }

    /// The line's characters without emphasis.
    public var text: String { runs.map(\.text).joined() }
    /// Columns the line takes (one per character).
    public var width: Int { runs.reduce(0) { $0 + $1.text.count } }
}

/// Lesson and help text with a tiny markup: `**bold**` and `` `code` `` spans. Wrapped at spaces to
/// a width (a word longer than the width is broken), existing newlines kept (an empty line
/// separates paragraphs), and drawn into an area from a scroll offset.
///
/// Markup rules: a marker with no closing partner is literal text; inside a code span everything
/// is literal (`` `a**b` `` shows `a**b`); code inside bold is bold code; a backslash makes the next
/// `*`, `` ` `` or `\` literal.
public struct StyledText: Hashable, Sendable {
    /// The text as written, markup included.
    public var markup: String

    public init(_ markup: String) { self.markup = markup }

    /// The text split into runs of one emphasis, markup removed, newlines kept.
    public var runs: [StyledRun] { StyledText.parse(markup) }

    /// The text without markup.
    public var plainText: String { runs.map(\.text).joined() }

    /// The lines the text wraps into at `width` columns (none when `width` is 0 or less). In ASCII,
    /// symbols are replaced first (see `Glyphs.text(_:)`), so lines are measured as drawn.
    public func wrapped(width: Int, glyphs: GlyphSet = .unicode) -> [StyledLine] {
        guard width > 0 else { return [] }
        let characters = runs.flatMap { run in
            glyphs.glyphs.text(run.text).map { (character: $0, emphasis: run.emphasis) }
        }
        var lines: [StyledLine] = []
        var hardLine: [(character: Character, emphasis: TextEmphasis)] = []
        for item in characters {
            if item.character == "\n" || item.character == "\r\n" {
                lines += StyledText.wrap(hardLine, width: width)
                hardLine = []
            } else {
                hardLine.append(item.character == "\t" ? (" ", item.emphasis) : item)
            }
        }
        lines += StyledText.wrap(hardLine, width: width)
        return lines
    }

    /// The style a run with `emphasis` is drawn in on top of `base`: bold is bold; code is cyan in
    /// colour and underlined in monochrome (so it stays distinct without colour).
    public static func style(for emphasis: TextEmphasis, base: Style = .plain, colors: ColorMode) -> Style {
        var style = base
        if emphasis.contains(.bold) { style.attributes.insert(.bold) }
        if emphasis.contains(.code) {
            if colors == .monochrome { style.attributes.insert(.underline) } else { style.foreground = .cyan }
        }
        return style
    }

    /// Clears `area` and draws the wrapped lines from line `offset` (clamped at 0) down, clipped
    /// to the area. Returns how many lines the text wraps into at this width, so that a caller can
    /// limit its scrolling.
    @discardableResult
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities,
                       offset: Int = 0, style: Style = .plain) -> Int {
        buffer.fill(area, with: Cell(" ", style: style))
        let lines = wrapped(width: area.width, glyphs: capabilities.glyphs)
        let first = max(0, offset)
        for row in 0..<area.height where first + row < lines.count {
            var x = area.x
            for run in lines[first + row].runs {
                x = buffer.write(run.text, x: x, y: area.y + row,
                                 style: StyledText.style(for: run.emphasis, base: style, colors: capabilities.colors),
                                 clip: area)
            }
        }
        return lines.count
    }

    // MARK: Markup

    static func parse(_ markup: String) -> [StyledRun] {
        let characters = Array(markup)
        var runs: [StyledRun] = []
        var current = ""
        var emphasis: TextEmphasis = []

        func flush() {
            if !current.isEmpty { runs.append(StyledRun(current, emphasis: emphasis)) }
            current = ""
        }
        func isDoubleStar(at index: Int) -> Bool {
            index + 1 < characters.count && characters[index] == "*" && characters[index + 1] == "*"
        }
        /// The index of the next unescaped `**` from `start`, outside code spans, if any.
        func closingBold(from start: Int) -> Int? {
            var index = start
            while index < characters.count {
                if characters[index] == "\\" { index += 2; continue }
                if characters[index] == "`", let end = characters[(index + 1)...].firstIndex(of: "`") {
                    index = end + 1
                    continue
                }
                if isDoubleStar(at: index) { return index }
                index += 1
            }
            return nil
        }

        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count, "*`\\".contains(characters[index + 1]) {
                current.append(characters[index + 1])
                index += 2
            } else if character == "`", let end = characters[(index + 1)...].firstIndex(of: "`") {
                flush()
                runs.append(StyledRun(String(characters[(index + 1)..<end]), emphasis: emphasis.union(.code)))
                index = end + 1
            } else if isDoubleStar(at: index) && (emphasis.contains(.bold) || closingBold(from: index + 2) != nil) {
                flush()
                emphasis.formSymmetricDifference(.bold)
                index += 2
            } else {
                current.append(character)
                index += 1
            }
        }
        flush()
        // Empty code spans produce nothing to draw.
        return runs.filter { !$0.text.isEmpty }
    }

    // MARK: Wrapping

    /// Greedy word wrap of one hard line (no newlines). Spaces at a wrap point and at the end are
    /// dropped; the line's leading spaces (an indent) are kept when the first word fits after them.
    private static func wrap(_ characters: [(character: Character, emphasis: TextEmphasis)], width: Int) -> [StyledLine] {
        var wrapper = WordWrapper(width: width)
        for item in characters {
            if item.character == " " { wrapper.addSpace(item) } else { wrapper.word.append(item) }
        }
        return wrapper.finish().map { items in
            var runs: [StyledRun] = []
            for item in items {
                if let last = runs.last, last.emphasis == item.emphasis {
                    runs[runs.count - 1].text.append(item.character)
                } else {
                    runs.append(StyledRun(String(item.character), emphasis: item.emphasis))
                }
            }
            return StyledLine(runs: runs)
        }
    }
}

/// The state of a greedy word wrap: finished lines, the line being filled, the spaces since its
/// last word, and the word being read.
private struct WordWrapper {
    typealias Item = (character: Character, emphasis: TextEmphasis)

    let width: Int
    var lines: [[Item]] = []
    var line: [Item] = []
    var lineHasWord = false
    var spaces: [Item] = []
    var word: [Item] = []

    init(width: Int) { self.width = width }

    mutating func addSpace(_ space: Item) {
        placeWord()
        // Before the first word the spaces are the indent; after it they wait for the next word.
        if lineHasWord { spaces.append(space) } else { line.append(space) }
    }

    mutating func placeWord() {
        guard !word.isEmpty else { return }
        if lineHasWord && line.count + spaces.count + word.count <= width {
            line += spaces + word
        } else {
            if lineHasWord {
                lines.append(line)
                line = []
            }
            if line.count + word.count <= width {
                line += word
            } else {
                // No room beside the indent: drop it; a word longer than the width is broken.
                var rest = word[...]
                while rest.count > width {
                    lines.append(Array(rest.prefix(width)))
                    rest = rest.dropFirst(width)
                }
                line = Array(rest)
            }
            lineHasWord = true
        }
        spaces = []
        word = []
    }

    /// The wrapped lines; an empty hard line gives one empty line.
    mutating func finish() -> [[Item]] {
        placeWord()
        if lineHasWord { lines.append(line) } else if lines.isEmpty { lines.append([]) }
        return lines
    }
}
