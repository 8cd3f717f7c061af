/// A heatmap of a grid of values (a feature map, a kernel, an image): each value drawn in its
/// colour on a `ColorScale`, as a block, as a number on its colour, or two values to a cell with
/// the upper half block.
///
/// ```
/// let map = Heatmap(featureMap, scale: .sequential, mode: .halfBlocks, scaling: .fit)
/// map.render(in: area, into: &buffer, capabilities: backend.capabilities)
/// ```
///
/// The values are mapped with `range` when given (so that several maps share one range and can be
/// compared), otherwise with the range of their own finite values; NaN and infinities are drawn as
/// markers (see `ColorMapping`). The map is drawn from the area's top-left corner and clipped to
/// it; cells of the area it does not cover are left as they were.
public struct Heatmap: Hashable, Sendable {
    /// How values become cells.
    public enum Mode: Hashable, Sendable {
        /// One cell per value: a blank on the value's colour; in monochrome the value's shade
        /// character (`ColorScale.shadeRamp(for:)`).
        case blocks
        /// One value per fixed-width cell (the longest number plus one space), the number with
        /// `decimals` decimals right-aligned on the value's colour, in black or white, whichever
        /// reads better; in monochrome the plain numbers.
        case numbers(decimals: Int)
        /// Two values per cell, one above the other: `▀` in the upper value's colour on the lower
        /// value's colour (a last odd row on the terminal's background). It needs colour and
        /// Unicode; otherwise the map is drawn as `.blocks` two cells wide per value, so that the
        /// picture keeps its shape (a cell is about twice as tall as it is wide).
        case halfBlocks
    }

    /// Whether the grid is resized to the area.
    public enum Scaling: Hashable, Sendable {
        /// One value per cell (or half cell, or number cell); what does not fit is clipped.
        case none
        /// A grid larger than the area is shrunk to fit by nearest-neighbour sampling, keeping
        /// its aspect in values; a grid that fits twice or more is enlarged by the largest whole
        /// factor that fits (each value repeated in a square of cells or half cells).
        case fit
    }

    public let rows: Int
    public let columns: Int
    /// The values row by row: `values[row * columns + column]`.
    public let values: [Float]
    public var scale: ColorScale
    /// The range the scale spans; nil to use the range of the values.
    public var range: ValueRange?
    public var mode: Mode
    public var scaling: Scaling

    /// A heatmap of `rows x columns` values given row by row.
    public init(rows: Int, columns: Int, values: [Float], scale: ColorScale = .sequential,
                range: ValueRange? = nil, mode: Mode = .blocks, scaling: Scaling = .none) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "Heatmap of \(rows)x\(columns) needs \(max(0, rows) * max(0, columns)) values, got \(values.count)")
        self.rows = rows
        self.columns = rows == 0 ? 0 : columns
        self.values = values
        self.scale = scale
        self.range = range
        self.mode = mode
        self.scaling = scaling
    }

    /// A heatmap of `grid`, a list of rows all the same length (as a tensor's
    /// `grid(batch:channel:)` gives them).
    public init(_ grid: [[Float]], scale: ColorScale = .sequential, range: ValueRange? = nil,
                mode: Mode = .blocks, scaling: Scaling = .none) {
        let columns = grid.first?.count ?? 0
        precondition(grid.allSatisfy { $0.count == columns }, "Heatmap rows differ in length: \(grid.map(\.count))")
        self.init(rows: grid.count, columns: columns, values: grid.flatMap { $0 }, scale: scale, range: range,
                  mode: mode, scaling: scaling)
    }

    /// The mapping from values to colours this map draws with (for a `Legend` beside it).
    public var mapping: ColorMapping {
        ColorMapping(scale: scale, range: range ?? ValueRange(fitting: values))
    }

    /// The mode drawn with `capabilities`: `.halfBlocks` becomes `.blocks` without colour or Unicode.
    public func effectiveMode(for capabilities: TerminalCapabilities) -> Mode {
        if case .halfBlocks = mode, capabilities.colors == .monochrome || capabilities.glyphs == .ascii {
            return .blocks
        }
        return mode
    }

    /// Cells across per value in `.blocks`: two when standing in for `.halfBlocks` (square
    /// values, as the half blocks draw them), one when `.blocks` was asked for.
    func blockWidth(for capabilities: TerminalCapabilities) -> Int {
        if case .halfBlocks = mode, case .blocks = effectiveMode(for: capabilities) { return 2 }
        return 1
    }

    /// The cells the grid takes at one value per cell (or half cell, or number cell), unscaled.
    public func size(capabilities: TerminalCapabilities) -> (width: Int, height: Int) {
        switch effectiveMode(for: capabilities) {
        case .blocks: return (columns * blockWidth(for: capabilities), rows)
        case .halfBlocks: return (columns, (rows + 1) / 2)
        case .numbers(let decimals): return (columns * numberCellWidth(decimals: decimals), rows)
        }
    }

    /// Draws the map from the top-left corner of `area`, clipped to it (any size, 0x0 included).
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let visible = area.intersection(buffer.area)
        guard !visible.isEmpty, rows > 0, columns > 0 else { return }
        let mapping = self.mapping
        switch effectiveMode(for: capabilities) {
        case .halfBlocks:
            let layout = layout(in: area, unitWidth: 1, valueRowsPerCell: 2)
            drawHalfBlocks(layout, area: area, visible: visible, mapping: mapping, colors: capabilities.colors,
                           into: &buffer)
        case .blocks:
            let layout = layout(in: area, unitWidth: blockWidth(for: capabilities), valueRowsPerCell: 1)
            drawBlocks(layout, area: area, visible: visible, mapping: mapping, capabilities: capabilities,
                       into: &buffer)
        case .numbers(let decimals):
            let layout = layout(in: area, unitWidth: numberCellWidth(decimals: decimals), valueRowsPerCell: 1)
            drawNumbers(layout, decimals: decimals, area: area, visible: visible, mapping: mapping,
                        colors: capabilities.colors, into: &buffer)
        }
    }

    /// The size in values the map is drawn at in `area` (after `.fit` scaling; its own size
    /// otherwise), and the cells that takes.
    public func shownSize(in area: Rect, capabilities: TerminalCapabilities)
        -> (rows: Int, columns: Int, cellWidth: Int, cellHeight: Int) {
        let layout: Layout
        switch effectiveMode(for: capabilities) {
        case .halfBlocks: layout = self.layout(in: area, unitWidth: 1, valueRowsPerCell: 2)
        case .blocks: layout = self.layout(in: area, unitWidth: blockWidth(for: capabilities), valueRowsPerCell: 1)
        case .numbers(let decimals): layout = self.layout(in: area, unitWidth: numberCellWidth(decimals: decimals), valueRowsPerCell: 1)
        }
        let half = if case .halfBlocks = effectiveMode(for: capabilities) { true } else { false }
        return (layout.shownRows, layout.shownColumns, layout.shownColumns * layout.unitWidth,
                half ? (layout.shownRows + 1) / 2 : layout.shownRows)
    }

    /// What a picture's title must add so that it does not claim a size it is not drawn at:
    /// nil when the map is drawn at its true size or a whole multiple of it, "drawn at 17x17"
    /// when `.fit` shrank it.
    public func sizeLabel(in area: Rect, capabilities: TerminalCapabilities) -> String? {
        let shown = shownSize(in: area, capabilities: capabilities)
        return DrawnSize.note(shown: (shown.rows, shown.columns), of: (rows, columns))
    }

    static let upperHalfBlock: Character = "\u{2580}"

    // MARK: - Layout

    /// Which value each shown row and column of values comes from.
    struct Layout {
        /// Columns of cells per value.
        let unitWidth: Int
        /// The values shown down and across, after scaling.
        let shownRows: Int
        let shownColumns: Int
        let rows: Int
        let columns: Int

        /// Nearest-neighbour sampling, the centre of each shown value: the identity when nothing
        /// is scaled, `i / k` when enlarged k times.
        @inline(__always) func sourceRow(_ shown: Int) -> Int { (2 * shown + 1) * rows / (2 * shownRows) }
        @inline(__always) func sourceColumn(_ shown: Int) -> Int { (2 * shown + 1) * columns / (2 * shownColumns) }
    }

    func layout(in area: Rect, unitWidth: Int, valueRowsPerCell: Int) -> Layout {
        guard scaling == .fit else {
            return Layout(unitWidth: unitWidth, shownRows: rows, shownColumns: columns, rows: rows, columns: columns)
        }
        let fitted = Heatmap.fittedSize(rows: rows, columns: columns, availableRows: area.height * valueRowsPerCell,
                                        availableColumns: area.width / unitWidth)
        return Layout(unitWidth: unitWidth, shownRows: fitted.rows, shownColumns: fitted.columns, rows: rows,
                      columns: columns)
    }

    /// The grid's size in values after `.fit` scaling into room for `availableRows x availableColumns`
    /// values (at least one of each is shown; the rest is clipped).
    static func fittedSize(rows: Int, columns: Int, availableRows: Int, availableColumns: Int) -> (rows: Int, columns: Int) {
        let roomRows = max(1, availableRows), roomColumns = max(1, availableColumns)
        if rows <= roomRows && columns <= roomColumns {
            let factor = max(1, min(roomRows / rows, roomColumns / columns))
            return (rows * factor, columns * factor)
        }
        // Shrink by the axis that overflows more, the other in proportion.
        if columns * roomRows >= rows * roomColumns {
            return (max(1, rows * roomColumns / columns), roomColumns)
        }
        return (roomRows, max(1, columns * roomRows / rows))
    }

    // MARK: - Drawing

    private func drawHalfBlocks(_ layout: Layout, area: Rect, visible: Rect, mapping: ColorMapping, colors mode: ColorMode,
                                into buffer: inout CellBuffer) {
        let firstX = visible.x, endX = min(visible.maxX, area.x + layout.shownColumns)
        let firstY = visible.y, endY = min(visible.maxY, area.y + (layout.shownRows + 1) / 2)
        guard firstX < endX && firstY < endY else { return }
        let marker = ColorMapping.markerColor(mode)
        let glyph = Heatmap.upperHalfBlock
        let columns = self.columns
        mapping.scale.table.colors(for: mode).withUnsafeBufferPointer { table in
            values.withUnsafeBufferPointer { values in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: endX - firstX) { sourceColumns in
                    for x in firstX..<endX { sourceColumns[x - firstX] = layout.sourceColumn(x - area.x) }
                    for y in firstY..<endY {
                        let topRow = (y - area.y) * 2
                        let topStart = layout.sourceRow(topRow) * columns
                        let hasBottom = topRow + 1 < layout.shownRows
                        let bottomStart = hasBottom ? layout.sourceRow(topRow + 1) * columns : 0
                        for x in firstX..<endX {
                            let column = sourceColumns[x - firstX]
                            let topStep = mapping.step(of: values[topStart + column])
                            let top = topStep < 0 ? marker : table[topStep]
                            var bottom = TerminalColor.terminalDefault
                            if hasBottom {
                                let bottomStep = mapping.step(of: values[bottomStart + column])
                                bottom = bottomStep < 0 ? marker : table[bottomStep]
                            }
                            buffer[x, y] = Cell(glyph, style: Style(foreground: top, background: bottom))
                        }
                    }
                }
            }
        }
    }

    private func drawBlocks(_ layout: Layout, area: Rect, visible: Rect, mapping: ColorMapping,
                            capabilities: TerminalCapabilities, into buffer: inout CellBuffer) {
        let width = layout.unitWidth
        let firstX = visible.x, endX = min(visible.maxX, area.x + layout.shownColumns * width)
        let firstY = visible.y, endY = min(visible.maxY, area.y + layout.shownRows)
        guard firstX < endX && firstY < endY else { return }
        let monochrome = capabilities.colors == .monochrome
        let marker = monochrome ? Cell(ColorMapping.markerShade)
            : Cell(" ", style: Style(background: ColorMapping.markerColor(capabilities.colors)))
        let ramp = mapping.scale.shadeRamp(for: capabilities.glyphs)
        let columns = self.columns
        mapping.scale.table.colors(for: capabilities.colors).withUnsafeBufferPointer { table in
            values.withUnsafeBufferPointer { values in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: endX - firstX) { sourceColumns in
                    for x in firstX..<endX { sourceColumns[x - firstX] = layout.sourceColumn((x - area.x) / width) }
                    for y in firstY..<endY {
                        let rowStart = layout.sourceRow(y - area.y) * columns
                        for x in firstX..<endX {
                            let step = mapping.step(of: values[rowStart + sourceColumns[x - firstX]])
                            if step < 0 {
                                buffer[x, y] = marker
                            } else if monochrome {
                                buffer[x, y] = Cell(ramp[ColorMapping.rampIndex(step: step, count: ramp.count)])
                            } else {
                                buffer[x, y] = Cell(" ", style: Style(background: table[step]))
                            }
                        }
                    }
                }
            }
        }
    }

    private func drawNumbers(_ layout: Layout, decimals: Int, area: Rect, visible: Rect, mapping: ColorMapping,
                             colors mode: ColorMode, into buffer: inout CellBuffer) {
        let width = layout.unitWidth
        let endY = min(visible.maxY, area.y + layout.shownRows)
        // The value columns with at least one cell inside the visible part.
        let firstColumn = max(0, (visible.x - area.x) / width)
        let endColumn = min(layout.shownColumns, (visible.maxX - area.x + width - 1) / width)
        guard visible.y < endY && firstColumn < endColumn else { return }
        let characters = HeatmapNumberText.asciiCharacters
        var text: [UInt8] = []
        text.reserveCapacity(width)
        for y in visible.y..<endY {
            let rowStart = layout.sourceRow(y - area.y) * columns
            for shownColumn in firstColumn..<endColumn {
                let value = values[rowStart + layout.sourceColumn(shownColumn)]
                var style = Style.plain
                if mode != .monochrome {
                    let background = mapping.color(for: value, mode: mode)
                    style = Style(foreground: TerminalColor.readableForeground(on: background), background: background)
                }
                text.removeAll(keepingCapacity: true)
                HeatmapNumberText.appendFixed(value, decimals: decimals, to: &text)
                let padding = width - text.count
                let cellX = area.x + shownColumn * width
                for offset in max(0, visible.x - cellX)..<min(width, visible.maxX - cellX) {
                    let character = offset < padding ? " " : characters[Int(text[offset - padding] & 0x7F)]
                    buffer[cellX + offset, y] = Cell(character, style: style)
                }
            }
        }
    }

    /// The width of a number cell: the longest value's text and one space before it.
    private func numberCellWidth(decimals: Int) -> Int {
        var text: [UInt8] = []
        var longest = 1
        for value in values {
            text.removeAll(keepingCapacity: true)
            HeatmapNumberText.appendFixed(value, decimals: decimals, to: &text)
            longest = max(longest, text.count)
        }
        return longest + 1
    }
}
