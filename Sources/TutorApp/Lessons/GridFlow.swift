import Lessons
import TerminalUI

/// Titled number grids laid out left to right, wrapping to a new row when the next one does not
/// fit: the inputs, kernels and outputs of a step panel, at whatever width the panel gets.
struct GridFlow {
    /// One grid with its title above it.
    struct Block {
        var title: String
        var grid: NumberGrid
        var titleStyle: Style = .bold
        /// Starts a new row even when it would fit beside the previous block.
        var startsRow = false
        /// True for a grid whose cells are revealed one by one (an output filling in): its columns
        /// are as wide as its values need once all are shown, hidden ones included, so the grid
        /// keeps its size and the layout does not jump when a wider value appears.
        var sizedByEveryValue = false
    }

    var blocks: [Block]
    /// Columns between two blocks of a row.
    var gap = 2
    /// When a block does not fit beside the previous one, it goes under that block (in its column)
    /// if it fits there, rather than starting a new row: a kernel and a wide output stacked beside
    /// a large input, instead of the output alone on a row below everything.
    var stacksInColumns = false

    /// Draws the blocks from the top-left of `area`, clipped to it; returns the rows used.
    @discardableResult
    func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Int {
        guard !area.isEmpty else { return 0 }
        let glyphs = capabilities.glyphs
        var x = area.x, y = area.y, rowHeight = 0
        /// The last block placed in this row: its column and the row after it.
        var last: (x: Int, bottom: Int)?
        for block in blocks {
            let grid = block.sizedByEveryValue ? Self.sizedByEveryValue(block.grid, glyphs: glyphs) : block.grid
            let size = grid.size(glyphs: glyphs)
            let title = glyphs.glyphs.text(block.title)
            let width = max(size.width, title.count)
            let height = size.height + 1
            var place = (x: x, y: y)
            if x > area.x && (block.startsRow || x + width > area.maxX) {
                if stacksInColumns && !block.startsRow, let column = last, column.x + width <= area.maxX {
                    place = (column.x, column.bottom + 1)
                } else {
                    x = area.x
                    y += rowHeight + 1
                    rowHeight = 0
                    place = (x, y)
                }
            }
            let titleArea = Rect(x: place.x, y: place.y, width: min(width, area.maxX - place.x), height: 1).intersection(area)
            buffer.write(glyphs.glyphs.truncated(title, toWidth: titleArea.width), x: place.x, y: place.y,
                         style: block.titleStyle, clip: titleArea)
            let gridArea = Rect(x: place.x, y: place.y + 1, width: area.maxX - place.x,
                                height: area.maxY - place.y - 1).intersection(area)
            grid.render(in: gridArea, into: &buffer, capabilities: capabilities)
            last = (place.x, place.y + height)
            x = max(x, place.x + width + gap)
            rowHeight = max(rowHeight, place.y + height - y)
        }
        return min(area.height, y + rowHeight - area.y)
    }

    /// `grid` with its columns at least as wide as every value needs when shown (hidden cells
    /// draw a one-character glyph, so the revealed cells alone would make them narrower).
    static func sizedByEveryValue(_ grid: NumberGrid, glyphs: GlyphSet) -> NumberGrid {
        var shown = grid
        shown.clearHighlights()
        var sized = grid
        sized.minimumColumnWidth = max(grid.minimumColumnWidth, shown.columnWidth(glyphs: glyphs))
        return sized
    }

    /// The decimals a grid of `values` needs: as many as the lesson's number format shows (at most
    /// three), so 0.25 keeps its 5 and 1/3 reads 0.333.
    static func decimals<S: Sequence>(for values: S) -> Int where S.Element == Float {
        var decimals = 0
        for value in values where value.isFinite {
            let text = LessonNumber.format(value)
            if text.contains("e") { return 3 }
            if let dot = text.firstIndex(of: ".") { decimals = max(decimals, text.distance(from: dot, to: text.endIndex) - 1) }
            if decimals >= 3 { return 3 }
        }
        return decimals
    }
}
