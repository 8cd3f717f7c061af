/// What a cell of a `NumberGrid` is in the current step; a cell can be several at once (a padding
/// cell under the kernel window is `[.window, .padding]`).
public struct GridHighlight: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Under the current kernel window.
    public static let window = GridHighlight(rawValue: 1 << 0)
    /// Added by padding, not part of the input: dim, with `Glyphs.paddingMarker` before the value.
    public static let padding = GridHighlight(rawValue: 1 << 1)
    /// The output cell being computed.
    public static let current = GridHighlight(rawValue: 1 << 2)
    /// An output cell already revealed (drawn as a plain number).
    public static let done = GridHighlight(rawValue: 1 << 3)
    /// An output cell not revealed yet: its value is hidden behind `Glyphs.pending`.
    public static let pending = GridHighlight(rawValue: 1 << 4)
}

/// A grid of numbers, right-aligned in columns of a common width, with highlighted cells (see
/// `GridHighlight`) and optional row and column labels:
///
/// ```
///    0  1  2
/// 0 ·0 ·0 ·0
/// 1 ·0  3  1
/// ```
///
/// Numbers are shown with `decimals` decimals, or with none when every value is whole. Columns
/// are one space apart. Styles: the window is white on blue (reverse in monochrome), the current
/// cell black on yellow and bold (reverse, bold and underlined in monochrome), padding grey (dim),
/// pending cells dim.
public struct NumberGrid: Hashable, Sendable {
    public let rowCount: Int
    public let columnCount: Int
    /// The values row by row.
    public private(set) var values: [Double]
    /// The highlight of each cell, row by row.
    public private(set) var highlights: [GridHighlight]
    public var decimals: Int
    /// Labels to the left of the rows (none when empty), right-aligned.
    public var rowLabels: [String]
    /// Labels above the columns (none when empty), right-aligned over them.
    public var columnLabels: [String]
    /// The narrowest a column is drawn: a grid whose cells are revealed one by one sets it to the
    /// width of its final values, so that it does not widen (and move what is beside it) as they come.
    public var minimumColumnWidth = 0

    /// A grid of `rows` (all the same length): `[[Float]]` as a tensor's `grid(batch:channel:)`
    /// gives them, or `[[Double]]`.
    public init<Value: BinaryFloatingPoint>(_ rows: [[Value]], decimals: Int = 2) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "NumberGrid rows differ in length: \(rows.map(\.count))")
        rowCount = rows.count
        columnCount = rows.isEmpty ? 0 : columns
        values = rows.flatMap { $0.map { Double($0) } }
        highlights = Array(repeating: [], count: values.count)
        self.decimals = decimals
        rowLabels = []
        columnLabels = []
    }

    /// A grid of whole numbers (all rows the same length).
    public init(_ rows: [[Int]]) {
        self.init(rows.map { $0.map(Double.init) }, decimals: 0)
    }

    /// Labels `start`, `start + 1`, ... for `count` rows or columns.
    public static func indexLabels(_ count: Int, from start: Int = 0) -> [String] {
        (0..<max(0, count)).map { String(start + $0) }
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[index(row, column)] }
        set { values[index(row, column)] = newValue }
    }

    /// The highlight of one cell.
    public func highlight(row: Int, column: Int) -> GridHighlight { highlights[index(row, column)] }

    /// Adds `highlight` to the cells in `rows` x `columns` (clamped to the grid).
    public mutating func highlight(rows: Range<Int>, columns: Range<Int>, _ highlight: GridHighlight) {
        for row in rows.clamped(to: 0..<rowCount) {
            for column in columns.clamped(to: 0..<columnCount) { highlights[row * columnCount + column].formUnion(highlight) }
        }
    }

    /// Adds `highlight` to one cell (ignored outside the grid).
    public mutating func highlight(row: Int, column: Int, _ highlight: GridHighlight) {
        self.highlight(rows: row..<(row + 1), columns: column..<(column + 1), highlight)
    }

    /// Sets one cell's highlight, replacing what it had.
    public mutating func setHighlight(row: Int, column: Int, _ highlight: GridHighlight) {
        highlights[index(row, column)] = highlight
    }

    /// Removes every highlight.
    public mutating func clearHighlights() { highlights = Array(repeating: [], count: values.count) }

    /// The decimals actually shown: none when every value is whole.
    public var shownDecimals: Int {
        values.allSatisfy { $0.isFinite && $0 == $0.rounded() } ? 0 : max(0, decimals)
    }

    /// The text of one cell without the padding marker (the number, or the pending glyph).
    public func cellText(row: Int, column: Int, glyphs: GlyphSet = .unicode) -> String {
        text(at: index(row, column), decimals: shownDecimals, glyphs: glyphs)
    }

    /// The width of every column's text (padding marker included).
    public func columnWidth(glyphs: GlyphSet = .unicode) -> Int {
        let decimals = shownDecimals
        var width = max(minimumColumnWidth, columnLabels.map { glyphs.glyphs.text($0).count }.max() ?? 0)
        for index in values.indices {
            let marker = highlights[index].contains(.padding) ? 1 : 0
            width = max(width, text(at: index, decimals: decimals, glyphs: glyphs).count + marker)
        }
        return max(1, width)
    }

    private func text(at index: Int, decimals: Int, glyphs: GlyphSet) -> String {
        highlights[index].contains(.pending)
            ? String(glyphs.glyphs.pending)
            : NumberGrid.format(values[index], decimals: decimals)
    }

    /// The columns and rows the grid takes when drawn.
    public func size(glyphs: GlyphSet = .unicode) -> (width: Int, height: Int) {
        let layout = layout(glyphs: glyphs)
        let width = columnCount == 0 ? max(0, layout.labelWidth) : layout.cellsX + columnCount * (layout.cell + 1) - 1
        return (width, rowCount + (columnLabels.isEmpty ? 0 : 1))
    }

    /// Draws the grid from the top-left of `area`, clipped to it (the rest of the area is left as is).
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let layout = layout(glyphs: capabilities.glyphs)
        let labelStyle = Style.dim
        let decimals = shownDecimals
        var y = area.y
        if !columnLabels.isEmpty {
            for column in 0..<min(columnCount, columnLabels.count) {
                let label = glyphs.text(columnLabels[column])
                let right = area.x + layout.cellsX + column * (layout.cell + 1) + layout.cell
                buffer.write(label, x: right - label.count, y: y, style: labelStyle, clip: area)
            }
            y += 1
        }
        for row in 0..<rowCount {
            defer { y += 1 }
            guard y < area.maxY else { break }
            if row < rowLabels.count {
                let label = glyphs.text(rowLabels[row])
                buffer.write(label, x: area.x + layout.labelWidth - label.count, y: y, style: labelStyle, clip: area)
            }
            for column in 0..<columnCount {
                let highlight = highlights[row * columnCount + column]
                let style = NumberGrid.style(for: highlight, colors: capabilities.colors)
                let left = area.x + layout.cellsX + column * (layout.cell + 1)
                // The gap between two window cells takes the window's colour, so the window reads as one block.
                if column > 0 && highlight.contains(.window) && highlights[row * columnCount + column - 1].contains(.window) {
                    let gapStyle = NumberGrid.style(for: .window, colors: capabilities.colors)
                    buffer.write(" ", x: left - 1, y: y, style: gapStyle, clip: area)
                }
                var shown = text(at: row * columnCount + column, decimals: decimals, glyphs: capabilities.glyphs)
                if highlight.contains(.padding) { shown = String(glyphs.paddingMarker) + shown }
                let padded = String(repeating: " ", count: max(0, layout.cell - shown.count)) + shown
                buffer.write(padded, x: left, y: y, style: style, clip: area)
            }
        }
    }

    /// The style of a cell with `highlight`.
    public static func style(for highlight: GridHighlight, colors: ColorMode) -> Style {
        let mono = colors == .monochrome
        var style = Style.plain
        if highlight.contains(.padding) || highlight.contains(.pending) {
            if mono { style.attributes.insert(.dim) } else { style.foreground = .brightBlack }
        }
        if highlight.contains(.window) {
            if mono {
                style.attributes.insert(.reverse)
            } else {
                style.background = .blue
                style.foreground = highlight.contains(.padding) ? .white : .brightWhite
            }
        }
        if highlight.contains(.current) {
            if mono {
                style.attributes.formUnion([.reverse, .bold, .underline])
            } else {
                style.background = .yellow
                style.foreground = .black
                style.attributes.insert(.bold)
            }
        }
        return style
    }

    /// `value` with exactly `decimals` decimals (0 to 9), rounded half away from zero, without
    /// Foundation: `format(2.345, decimals: 1)` is "2.3", `format(-0.001, decimals: 2)` is
    /// "0.00" (no negative zero), non-finite values are "nan", "inf" and "-inf".
    public static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        let places = min(9, max(0, decimals))
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded()
        // Beyond 2^53 the scaled value is no longer an exact integer: fall back to Swift's own text.
        guard scaled < 9.0e15 else { return "\(value)" }
        let units = UInt64(scaled), divisor = UInt64(scale)
        var text = String(units / divisor)
        if places > 0 {
            let fraction = String(units % divisor)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return value < 0 && units != 0 ? "-" + text : text
    }

    // MARK: Layout

    private struct Layout {
        /// Width of the row labels (0 without them).
        var labelWidth: Int
        /// Offset of the first cell from the left of the grid.
        var cellsX: Int
        /// Width of one cell's text.
        var cell: Int
    }

    private func layout(glyphs: GlyphSet) -> Layout {
        let labelWidth = rowLabels.map { glyphs.glyphs.text($0).count }.max() ?? 0
        return Layout(labelWidth: labelWidth, cellsX: rowLabels.isEmpty ? 0 : labelWidth + 1, cell: columnWidth(glyphs: glyphs))
    }

    private func index(_ row: Int, _ column: Int) -> Int {
        precondition(row >= 0 && row < rowCount && column >= 0 && column < columnCount,
                     "cell (\(row), \(column)) is outside the \(rowCount)x\(columnCount) grid")
        return row * columnCount + column
    }
}
