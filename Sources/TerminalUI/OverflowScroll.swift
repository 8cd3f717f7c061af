/// Draws content that may need more rows than its area has, so that nothing is cut off without a
/// marker: when it does not fit, the rows from a scroll offset are shown and the host says how
/// many more there are (`footer`) and which keys scroll.
///
/// It works for any drawing without the drawing knowing: the content is drawn twice, into the
/// real area and into one `tallest` rows high. When the tall drawing's top rows are exactly the
/// real one's and it goes on below, the content flows top-down and was cut, so the tall drawing
/// is shown from `offset`. When the two differ at the top, the content adapts to the height it is
/// given (a picture scaled to fit, a line kept at the bottom) and is shown as drawn in the area.
public struct OverflowScroll: Hashable, Sendable {
    /// The most rows content is measured to: far more than any step's content needs.
    public static let tallest = 400

    /// The content's height in rows (at most `tallest`), the rows shown, and the offset used
    /// (clamped so the last row can be reached and no more).
    public var contentHeight = 0
    public var visibleHeight = 0
    public var offset = 0

    public init() {}

    /// True when the content needs more rows than the area has.
    public var overflows: Bool { contentHeight > visibleHeight }
    public var maximumOffset: Int { max(0, contentHeight - visibleHeight) }
    public var rowsBelow: Int { max(0, contentHeight - visibleHeight - offset) }

    /// The frame-footer marker: "▼ 9 more rows  ] scrolls" and, scrolled, the way back; empty when
    /// everything is shown.
    public func footer(down: String, up: String, glyphs: GlyphSet) -> String {
        guard overflows else { return "" }
        let unicode = glyphs == .unicode
        var parts: [String] = []
        if offset > 0 { parts.append("\(unicode ? "▲" : "^") \(offset) above  \(up) back") }
        if rowsBelow > 0 { parts.append("\(unicode ? "▼" : "v") \(rowsBelow) more row\(rowsBelow == 1 ? "" : "s")  \(down) scrolls") }
        return parts.joined(separator: "  ")
    }

    /// Draws `draw` in `area` of `buffer` at scroll `offset`; returns the layout it found.
    public static func render(in area: Rect, offset: Int, into buffer: inout CellBuffer,
                              draw: (inout CellBuffer, Rect) -> Void) -> OverflowScroll {
        var layout = OverflowScroll()
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return layout }
        // The tall drawing first: content that records its layout while drawing (a page height
        // for its own scrolling) then keeps what the real area gave it.
        var tall = CellBuffer(width: area.maxX, height: area.y + tallest)
        // What was already in the buffer under the area stays the background in both drawings.
        for y in area.y..<area.maxY { for x in area.x..<area.maxX { tall[x, y] = buffer[x, y] } }
        draw(&tall, Rect(x: area.x, y: area.y, width: area.width, height: tallest))
        var fitted = buffer
        draw(&fitted, area)

        let lastRow = (area.y..<tall.height).last { y in (area.x..<area.maxX).contains { tall[$0, y] != .blank } }
        layout.contentHeight = lastRow.map { $0 - area.y + 1 } ?? 0
        layout.visibleHeight = area.height
        let sameTop = (area.y..<area.maxY).allSatisfy { y in (area.x..<area.maxX).allSatisfy { fitted[$0, y] == tall[$0, y] } }
        guard layout.overflows, sameTop else {
            layout.contentHeight = min(layout.contentHeight, area.height)
            copy(from: fitted, rows: area.y, to: &buffer, area: area)
            return layout
        }
        layout.offset = min(max(0, offset), layout.maximumOffset)
        copy(from: tall, rows: area.y + layout.offset, to: &buffer, area: area)
        return layout
    }

    /// Copies `area.height` rows of `source` from row `firstRow` into `area` of `buffer`.
    private static func copy(from source: CellBuffer, rows firstRow: Int, to buffer: inout CellBuffer, area: Rect) {
        for row in 0..<area.height {
            for x in area.x..<area.maxX { buffer[x, area.y + row] = source[x, firstRow + row] }
        }
    }
}
