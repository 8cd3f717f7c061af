/// A box centred over the screen with a title, a two-column list of keys and what they do,
/// optional paragraphs of `StyledText` after the list, and "Esc or ? to close" in its bottom edge:
///
/// ```
/// ┌ Help ────────────────────────────┐
/// │ ←→     move the window           │
/// │ Enter  open the lesson           │
/// │                                  │
/// │ Padding cells are marked with ·. │
/// └─────────────── Esc or ? to close ┘
/// ```
///
/// It clears the box before drawing (whatever was under it is hidden). When the content is taller
/// than the box, it scrolls: `render` takes the first content line to show and returns the largest
/// useful offset; `↑` and `↓` on the right edge say there is more above or below.
public struct HelpOverlay: Hashable, Sendable {
    public var title: String
    /// The keys; descriptions may use `StyledText` markup and wrap under their column.
    public var entries: [KeyHint]
    /// Paragraphs after the key list (a blank line between), wrapped to the box.
    public var text: StyledText?
    public var footer: String
    /// The widest the box gets, borders included.
    public var maxWidth: Int

    public init(title: String = "Help", entries: [KeyHint], text: StyledText? = nil,
                footer: String = "Esc or ? to close", maxWidth: Int = 64) {
        self.title = title
        self.entries = entries
        self.text = text
        self.footer = footer
        self.maxWidth = maxWidth
    }

    /// The rectangle the box takes when drawn over `area`.
    public func box(in area: Rect, glyphs: GlyphSet = .unicode) -> Rect {
        let glyphs = glyphs.glyphs
        let keyWidth = entries.map { glyphs.text($0.key).count }.max() ?? 0
        func longestLine(_ text: StyledText) -> Int {
            text.wrapped(width: Int.max / 2, glyphs: glyphs.set).map(\.width).max() ?? 0
        }
        var natural = entries.map { keyWidth + 2 + longestLine(StyledText($0.description)) }.max() ?? 0
        if let text { natural = max(natural, longestLine(text)) }
        let labels = max(glyphs.text(title).count, glyphs.text(footer).count) + 6
        let width = min(area.width, max(1, maxWidth), max(natural + 4, labels))
        let height = min(area.height, contentLines(contentWidth: contentWidth(boxWidth: width), glyphs: glyphs.set).count + 2)
        return area.centred(width: width, height: height)
    }

    /// How many content lines there are and how many fit in the box, for a caller that scrolls.
    public func contentLineCount(in area: Rect, glyphs: GlyphSet = .unicode) -> (total: Int, visible: Int) {
        let box = box(in: area, glyphs: glyphs)
        return (contentLines(contentWidth: contentWidth(boxWidth: box.width), glyphs: glyphs).count, max(0, box.height - 2))
    }

    /// Clears the box and draws it over `area`, from content line `offset` (clamped); returns the
    /// largest useful offset (0 when everything fits).
    @discardableResult
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities,
                       offset: Int = 0) -> Int {
        let box = box(in: area, glyphs: capabilities.glyphs)
        guard !box.isEmpty else { return 0 }
        let glyphs = capabilities.glyphs.glyphs
        buffer.fill(box)
        let panel = Panel(title: title, footer: footer, focused: true)
        let inner = panel.render(in: box, into: &buffer, capabilities: capabilities)
        let width = contentWidth(boxWidth: box.width)
        let lines = contentLines(contentWidth: width, glyphs: capabilities.glyphs)
        let maxOffset = max(0, lines.count - inner.height)
        let first = min(max(0, offset), maxOffset)
        let content = Rect(x: inner.x + (inner.width - width) / 2, y: inner.y, width: width, height: inner.height)
        for row in 0..<inner.height where first + row < lines.count {
            let y = content.y + row
            let line = lines[first + row]
            var x = content.x
            if let key = line.key {
                buffer.write(key, x: x, y: y, style: KeyHints.keyStyle(colors: capabilities.colors), clip: content)
            }
            x += line.indent
            for run in line.text.runs {
                x = buffer.write(run.text, x: x, y: y,
                                 style: StyledText.style(for: run.emphasis, colors: capabilities.colors), clip: content)
            }
        }
        if !inner.isEmpty {
            let border = Panel(focused: true).borderStyle(colors: capabilities.colors)
            if first > 0 { buffer.write(String(glyphs.arrowUp), x: box.maxX - 1, y: inner.y, style: border, clip: box) }
            if first < maxOffset {
                buffer.write(String(glyphs.arrowDown), x: box.maxX - 1, y: inner.maxY - 1, style: border, clip: box)
            }
        }
        return maxOffset
    }

    // MARK: Layout

    private struct Line {
        var key: String?
        var indent: Int
        var text: StyledLine
    }

    /// Inside the border, one space of margin either side when there is room for it.
    private func contentWidth(boxWidth: Int) -> Int {
        boxWidth >= 5 ? boxWidth - 4 : max(0, boxWidth - 2)
    }

    private func contentLines(contentWidth width: Int, glyphs: GlyphSet) -> [Line] {
        guard width > 0 else { return [] }
        // The key column takes at most half the width; keys wider than that are cut by the clip.
        let keyWidth = min(entries.map { glyphs.glyphs.text($0.key).count }.max() ?? 0, width / 2)
        let descriptionX = min(width, keyWidth + 2)
        var lines: [Line] = []
        for entry in entries {
            let key = glyphs.glyphs.truncated(entry.key, toWidth: keyWidth)
            let description = StyledText(entry.description).wrapped(width: width - descriptionX, glyphs: glyphs)
            if description.isEmpty {
                lines.append(Line(key: key, indent: descriptionX, text: StyledLine(runs: [])))
            }
            for (index, part) in description.enumerated() {
                lines.append(Line(key: index == 0 ? key : nil, indent: descriptionX, text: part))
            }
        }
        if let text {
            if !lines.isEmpty { lines.append(Line(key: nil, indent: 0, text: StyledLine(runs: []))) }
            lines += text.wrapped(width: width, glyphs: glyphs).map { Line(key: nil, indent: 0, text: $0) }
        }
        return lines
    }
}
