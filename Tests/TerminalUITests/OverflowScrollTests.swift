import Testing
import TerminalUI

@Suite("Widgets: content taller than its area")
struct OverflowScrollTests {
    /// Ten numbered rows drawn top-down, clipped to the area, as the step panels draw.
    static func tenRows(_ buffer: inout CellBuffer, _ area: Rect) {
        for row in 0..<10 { buffer.write("row \(row)", x: area.x, y: area.y + row, clip: area) }
    }

    @Test("content that fits is drawn as it is, with no marker")
    func fits() {
        var buffer = CellBuffer(width: 10, height: 12)
        let layout = OverflowScroll.render(in: buffer.area, offset: 3, into: &buffer, draw: Self.tenRows)
        #expect(!layout.overflows && layout.offset == 0)
        #expect(buffer.lines[9] == "row 9")
        #expect(layout.footer(down: "]", up: "[", glyphs: .unicode) == "")
    }

    @Test("content cut by the area is measured, scrolled from the offset (clamped) and marked")
    func overflows() {
        var buffer = CellBuffer(width: 12, height: 4)
        var layout = OverflowScroll.render(in: buffer.area, offset: 0, into: &buffer, draw: Self.tenRows)
        #expect(layout.overflows && layout.contentHeight == 10 && layout.maximumOffset == 6)
        #expect(buffer.lines == ["row 0", "row 1", "row 2", "row 3"])
        #expect(layout.footer(down: "]", up: "[", glyphs: .unicode) == "▼ 6 more rows  ] scrolls")
        layout = OverflowScroll.render(in: buffer.area, offset: 4, into: &buffer, draw: Self.tenRows)
        #expect(buffer.lines == ["row 4", "row 5", "row 6", "row 7"])
        #expect(layout.footer(down: "]", up: "[", glyphs: .ascii) == "^ 4 above  [ back  v 2 more rows  ] scrolls")
        layout = OverflowScroll.render(in: buffer.area, offset: 99, into: &buffer, draw: Self.tenRows)
        #expect(layout.offset == 6 && buffer.lines.last == "row 9")
        #expect(layout.footer(down: "]", up: "[", glyphs: .unicode) == "▲ 6 above  [ back")
    }

    @Test("content that adapts to its height (a line kept at the bottom) is drawn as it is")
    func adapts() {
        var buffer = CellBuffer(width: 12, height: 4)
        let layout = OverflowScroll.render(in: buffer.area, offset: 0, into: &buffer) { buffer, area in
            buffer.write("top", x: area.x, y: area.y, clip: area)
            buffer.write("bottom", x: area.x, y: area.maxY - 1, clip: area)
        }
        #expect(!layout.overflows)
        #expect(buffer.lines == ["top", "", "", "bottom"])
    }

    @Test("only the area is drawn into; the rest of the buffer is left alone")
    func staysInside() {
        #expect(!WidgetRender.drawsOutside { area, buffer in
            _ = OverflowScroll.render(in: area, offset: 1, into: &buffer, draw: Self.tenRows)
        })
    }
}
