/// A matrix of counts with row and column labels, drawn as a confusion matrix: rows are the actual
/// class, columns the predicted one.
///
/// ```
/// actual ↓  predicted →
///    0  1  2
/// 0 97  ·  3
/// 1  · 88 12
/// 2  1  · 99
/// ```
///
/// The diagonal (correct answers) is highlighted: green and bold in colour, reversed in
/// monochrome (a zero there is shown as `0`, it matters). Off the diagonal, zeros are a dim `·`
/// and non-zero counts are emphasised by size relative to the largest off-diagonal count: the
/// upper half red and bold (bold in monochrome), the lower half yellow (plain in monochrome).
///
/// Columns are one space apart and as wide as the widest count or label, so a 10x10 matrix of
/// counts below 1000 takes 41 columns. When the area is narrower than that, the space between
/// columns is dropped (a 10x10 matrix of four-digit counts then fits in 41 columns too).
public struct LabelledMatrix: Hashable, Sendable {
    /// The counts, row by row (rows all the same length).
    public var counts: [[Int]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// What the rows are ("actual"); with `columnTitle`, written on a first line. No line when both are empty.
    public var rowTitle: String
    /// What the columns are ("predicted").
    public var columnTitle: String

    /// A matrix of `counts`; labels default to the indices 0, 1, 2, ...
    public init(_ counts: [[Int]], rowLabels: [String]? = nil, columnLabels: [String]? = nil,
                rowTitle: String = "actual", columnTitle: String = "predicted") {
        let columns = counts.first?.count ?? 0
        precondition(counts.allSatisfy { $0.count == columns }, "LabelledMatrix rows differ in length: \(counts.map(\.count))")
        self.counts = counts
        self.rowLabels = rowLabels ?? NumberGrid.indexLabels(counts.count)
        self.columnLabels = columnLabels ?? NumberGrid.indexLabels(columns)
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
    }

    public var rowCount: Int { counts.count }
    public var columnCount: Int { counts.first?.count ?? 0 }

    /// The columns and rows the matrix takes with a space between columns (`compact` false) or without.
    public func size(glyphs: GlyphSet = .unicode, compact: Bool = false) -> (width: Int, height: Int) {
        let layout = layout(glyphs: glyphs, compact: compact)
        let cells = layout.labelWidth + 1 + columnCount * (layout.cell + layout.gap) - (columnCount > 0 ? layout.gap : 0)
        let title = titleText(glyphs: glyphs.glyphs).count
        return (max(cells, title), rowCount + 1 + (title > 0 ? 1 : 0))
    }

    /// The text of one cell: the count, or the zero glyph for a zero off the diagonal.
    public func cellText(row: Int, column: Int, glyphs: GlyphSet = .unicode) -> String {
        let count = counts[row][column]
        return count == 0 && row != column ? String(glyphs.glyphs.zero) : String(count)
    }

    /// The style of one cell.
    public func style(row: Int, column: Int, colors: ColorMode) -> Style {
        let mono = colors == .monochrome
        let count = counts[row][column]
        if row == column {
            return mono ? .reverse : Style(foreground: .green, attributes: .bold)
        }
        if count == 0 { return .dim }
        let largest = largestOffDiagonal
        if 2 * count >= largest {
            return mono ? .bold : Style(foreground: .red, attributes: .bold)
        }
        return mono ? .plain : Style(foreground: .yellow)
    }

    /// Draws from the top-left of `area`, clipped to it.
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let compact = size(glyphs: capabilities.glyphs).width > area.width
        let layout = layout(glyphs: capabilities.glyphs, compact: compact)
        var y = area.y
        let title = titleText(glyphs: glyphs)
        if !title.isEmpty {
            buffer.write(glyphs.truncated(title, toWidth: area.width), x: area.x, y: y, style: .dim, clip: area)
            y += 1
        }
        let cellsX = area.x + layout.labelWidth + 1
        func right(of column: Int) -> Int { cellsX + column * (layout.cell + layout.gap) + layout.cell }
        for column in 0..<columnCount where column < columnLabels.count {
            let label = glyphs.text(columnLabels[column])
            buffer.write(label, x: right(of: column) - label.count, y: y, style: .dim, clip: area)
        }
        y += 1
        for row in 0..<rowCount {
            guard y < area.maxY else { break }
            if row < rowLabels.count {
                let label = glyphs.text(rowLabels[row])
                buffer.write(label, x: area.x + layout.labelWidth - label.count, y: y, style: .dim, clip: area)
            }
            for column in 0..<columnCount {
                let text = cellText(row: row, column: column, glyphs: capabilities.glyphs)
                buffer.write(text, x: right(of: column) - text.count, y: y,
                             style: style(row: row, column: column, colors: capabilities.colors), clip: area)
            }
            y += 1
        }
    }

    // MARK: Layout

    private var largestOffDiagonal: Int {
        var largest = 0
        for (row, counts) in counts.enumerated() {
            for (column, count) in counts.enumerated() where column != row { largest = max(largest, count) }
        }
        return largest
    }

    private func titleText(glyphs: Glyphs) -> String {
        var parts: [String] = []
        if !rowTitle.isEmpty { parts.append(glyphs.text(rowTitle) + " " + String(glyphs.arrowDown)) }
        if !columnTitle.isEmpty { parts.append(glyphs.text(columnTitle) + " " + String(glyphs.arrowRight)) }
        return parts.joined(separator: "  ")
    }

    private struct Layout {
        var labelWidth: Int
        var cell: Int
        var gap: Int
    }

    private func layout(glyphs: GlyphSet, compact: Bool) -> Layout {
        var cell = columnLabels.map { glyphs.glyphs.text($0).count }.max() ?? 0
        for row in 0..<rowCount {
            for column in 0..<columnCount { cell = max(cell, cellText(row: row, column: column, glyphs: glyphs).count) }
        }
        let labelWidth = rowLabels.map { glyphs.glyphs.text($0).count }.max() ?? 0
        return Layout(labelWidth: labelWidth, cell: max(1, cell), gap: compact ? 0 : 1)
    }
}
