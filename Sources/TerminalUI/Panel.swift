/// A border around an area with a title in its top edge (`┌ Title ───┐`) and an optional footer
/// in its bottom edge (`└──── Esc to close ┘`). A focused panel has a highlighted border: bold and
/// cyan in colour, bold with a reversed title in monochrome. The panel draws only its border (the
/// inside is left as it is) and returns the inside for the content.
///
/// Any size works: 2x2 is just the corners; one row is the top edge; one column is the left edge.
public struct Panel: Hashable, Sendable {
    public var title: String
    public var footer: String
    public var focused: Bool

    public init(title: String = "", footer: String = "", focused: Bool = false) {
        self.title = title
        self.footer = footer
        self.focused = focused
    }

    /// The inside of a panel drawn in `area`: one cell in from every edge.
    public static func inner(of area: Rect) -> Rect { area.inset(by: 1) }

    /// The style of the border lines.
    public func borderStyle(colors: ColorMode) -> Style {
        guard focused else { return .plain }
        return colors == .monochrome ? .bold : Style(foreground: .cyan, attributes: .bold)
    }

    /// The style of the title text.
    public func titleStyle(colors: ColorMode) -> Style {
        guard focused else { return .bold }
        return colors == .monochrome ? Style(attributes: [.bold, .reverse]) : Style(foreground: .cyan, attributes: .bold)
    }

    /// Draws the border, title and footer, clipped to `area`; returns the inside.
    @discardableResult
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Rect {
        let inner = Panel.inner(of: area)
        guard !area.isEmpty else { return inner }
        let glyphs = capabilities.glyphs.glyphs
        let border = borderStyle(colors: capabilities.colors)
        let top = area.y, bottom = area.maxY - 1, left = area.x, right = area.maxX - 1

        func put(_ character: Character, _ x: Int, _ y: Int) {
            if area.contains(x: x, y: y) { buffer[x, y] = Cell(character, style: border) }
        }
        for x in (left + 1)..<max(left + 1, right) {
            put(glyphs.horizontal, x, top)
            if bottom > top { put(glyphs.horizontal, x, bottom) }
        }
        for y in (top + 1)..<max(top + 1, bottom) {
            put(glyphs.vertical, left, y)
            if right > left { put(glyphs.vertical, right, y) }
        }
        put(glyphs.topLeft, left, top)
        if right > left { put(glyphs.topRight, right, top) }
        if bottom > top {
            put(glyphs.bottomLeft, left, bottom)
            if right > left { put(glyphs.bottomRight, right, bottom) }
        }

        // Labels sit between the corners with a space either side: at least one character of text.
        let room = area.width - 4
        if !title.isEmpty && room >= 1 {
            let text = glyphs.truncated(title, toWidth: room)
            buffer.write(" ", x: left + 1, y: top, style: border, clip: area)
            let end = buffer.write(text, x: left + 2, y: top, style: titleStyle(colors: capabilities.colors), clip: area)
            buffer.write(" ", x: end, y: top, style: border, clip: area)
        }
        if !footer.isEmpty && room >= 1 && bottom > top {
            let text = glyphs.truncated(footer, toWidth: room)
            let start = right - 1 - text.count
            buffer.write(" " + text + " ", x: start - 1, y: bottom, style: border, clip: area)
        }
        return inner
    }
}
