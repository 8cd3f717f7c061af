/// A line chart of one or more series drawn with Braille dots (or marker characters in ASCII),
/// with a y axis of labelled ticks on the left, an x axis with labels along the bottom (and an
/// optional title left of them), a legend and an optional title. Made for training curves: loss
/// raw and smoothed, train and validation accuracy over steps, two runs overlaid.
///
///     Loss                 ── raw  ── smoothed
///          │⣆
///        2 ┤⢻⡀
///          │⠸⣇
///          │ ⢻⣆
///        1 ┤  ⠻⣷⣄⡀
///          │   ⠈⠙⠻⠿⣶⣦⣤⣤⣄⣀⣀⣀⣀⣀⣀
///        0 ┤         ⠈⠉⠉⠉⠛⠛⠛⠛⠛⠛⠛⠛⠻⠿⠿⠿⠿⠿⠿⠿⠿⠿⠿⠿
///          └┬────────────┬─────────────┬──────
///     step  0            5k           10k
///
/// - Ranges are automatic (the data's, each end widened to a nice tick when that is cheap or
///   padded a little; 3 to 5 ticks as the height allows, as many x labels as fit) or fixed
///   (accuracy 0...1, or a zoomed 0.9...1.0, with nice ticks inside). See `Ticks`.
/// - Non-finite points (and, on a logarithmic axis, values <= 0) are skipped and break the line,
///   so a diverged loss ends its curve there instead of breaking the chart.
/// - Many points are cheap: each series is one polyline, but consecutive points that fall into
///   the same dot column only widen that column's vertical extent (the dots are the same as
///   drawing every segment), so after one pass over the points the work is proportional to the
///   width. 20,000 points x 3 series in 100x20 cells take about 0.4 ms (release build).
/// - Colour tells series apart. Without colour the legend shows each series' line style, and
///   the Braille lines of the first three series are solid, dotted and dashed (the next three
///   repeat those, dim). In ASCII each series draws with its own marker (`*`, `+`, `o`, `x`, `#`).
/// - Series are drawn in order: where two share a cell, the later one's colour (or marker) shows.
public struct LineChart: Sendable {
    /// One data point.
    public struct Point: Hashable, Sendable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// A named line. Colour and marker default to the chart's palette by the series' position.
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        /// The line's colour; nil takes `LineChart.palette[index]`.
        public var color: TerminalColor?
        /// The ASCII marker; nil (or one that is not printable ASCII) takes `LineChart.markers[index]`.
        public var marker: Character?

        public init(_ name: String, points: [Point], color: TerminalColor? = nil, marker: Character? = nil) {
            self.name = name
            self.points = points
            self.color = color
            self.marker = marker
        }

        /// A series of `values` at x = 0, 1, 2, ...
        public init(_ name: String, values: [Double], color: TerminalColor? = nil, marker: Character? = nil) {
            self.init(name, points: values.enumerated().map { Point(x: Double($0.offset), y: $0.element) },
                      color: color, marker: marker)
        }

        /// A series of (`x[i]`, `y[i]`) pairs (as many as the shorter list has).
        public init(_ name: String, x: [Double], y: [Double], color: TerminalColor? = nil, marker: Character? = nil) {
            self.init(name, points: zip(x, y).map { Point(x: $0, y: $1) }, color: color, marker: marker)
        }
    }

    /// How one axis maps values: its range, scale and label format.
    public struct Axis: Sendable {
        /// Where the range comes from.
        public enum Bounds: Hashable, Sendable {
            /// From the data, widened to the nearest nice ticks (no data: 0...1).
            case automatic
            /// Exactly this range (an empty or non-finite one counts as automatic; on a logarithmic
            /// axis the lower bound must be above 0).
            case fixed(ClosedRange<Double>)
        }

        public enum Scale: Hashable, Sendable {
            case linear
            /// Decades evenly spaced (ticks 0.01, 0.1, 1, ...); values <= 0 are skipped.
            case logarithmic
        }

        public var bounds: Bounds
        public var scale: Scale
        public var format: LabelFormat

        public init(bounds: Bounds = .automatic, scale: Scale = .linear, format: LabelFormat = .number) {
            self.bounds = bounds
            self.scale = scale
            self.format = format
        }
    }

    /// How tick values become labels.
    public enum LabelFormat: Sendable {
        /// Compact numbers: as many decimals as the tick step needs (0.25, 1.5), thousands and
        /// millions as k and M when the step is at least 1000 (5k, 1.5M), and 1e-5 style for
        /// steps below 0.0001.
        case number
        /// Fractions as percentages (0.98 is 98%), with the decimals the step needs.
        case percent
        case custom(@Sendable (Double) -> String)

        /// The label of tick `value` on an axis whose ticks are `step` apart (the step decides the
        /// decimals).
        public func label(for value: Double, step: Double) -> String {
            switch self {
            case .number: return LineChartNumbers.compact(value, step: step, percent: false)
            case .percent: return LineChartNumbers.compact(value, step: step, percent: true)
            case .custom(let format): return format(value)
            }
        }
    }

    /// The ticks of an axis: its range and the values marked on it.
    public struct Ticks: Hashable, Sendable {
        public var lower: Double
        public var upper: Double
        public var values: [Double]
        /// The spacing of the ticks on a linear axis; 0 on a logarithmic one (each label then
        /// takes its decimals from its own value).
        public var step: Double
        public var isLogarithmic: Bool

        public init(lower: Double, upper: Double, values: [Double], step: Double, isLogarithmic: Bool = false) {
            self.lower = lower
            self.upper = upper
            self.values = values
            self.step = step
            self.isLogarithmic = isLogarithmic
        }

        /// The labels of the ticks in `format`.
        public func labels(_ format: LabelFormat) -> [String] {
            values.map { format.label(for: $0, step: isLogarithmic ? $0 : step) }
        }
    }

    public enum LegendPlacement: Hashable, Sendable {
        /// On a line above the plot (beside the title when both fit).
        case above
        /// In the plot's top-right corner, over the lines (saves a row; best for falling curves).
        case insideTopRight
        case hidden
    }

    public var series: [Series]
    /// Shown bold at the top-left; empty for none.
    public var title: String
    public var xAxis: Axis
    public var yAxis: Axis
    /// Shown left of the x labels ("step", "epoch"); empty for none.
    public var xTitle: String
    public var legend: LegendPlacement
    /// The style of the axis lines, ticks and labels.
    public var axisStyle: Style

    public init(series: [Series], title: String = "", xAxis: Axis = Axis(), yAxis: Axis = Axis(),
                xTitle: String = "", legend: LegendPlacement = .above, axisStyle: Style = .plain) {
        self.series = series
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.xTitle = xTitle
        self.legend = legend
        self.axisStyle = axisStyle
    }

    /// The default colours of the series, by position (cycled).
    public static let palette: [TerminalColor] = [.cyan, .yellow, .magenta, .green, .red, .blue]
    /// The default ASCII markers of the series, by position (cycled).
    public static let markers: [Character] = ["*", "+", "o", "x", "#"]
    /// The Braille line styles of the series without colour, by position (cycled; every other
    /// round is dim).
    public static let monochromePatterns: [BrailleCanvas.LinePattern] = [.solid, .dotted, .dashed]

    // MARK: Rendering

    /// Clears `area` and draws the chart in it, clipped to it. Small areas lose the title and the
    /// legend first, then the axes (below 3 rows or with no room beside the labels only the lines
    /// are drawn); 0x0 draws nothing. Returns the plot area (where the lines are).
    @discardableResult
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Rect {
        guard !area.isEmpty else { return area }
        buffer.fill(area, with: .blank)
        let glyphs = capabilities.glyphs.glyphs
        let pens = self.pens(for: capabilities)
        let extent = dataExtent()

        // Rows: header (title, legend above), plot, axis line, x labels.
        let entries = legend == .hidden ? [] : legendEntries(pens: pens, capabilities: capabilities)
        let titleText = glyphs.truncated(title, toWidth: area.width)
        let legendWidth = Self.legendWidth(entries[...])
        let wantsLegendRow = legend == .above && !entries.isEmpty
        let sharedRow = !titleText.isEmpty && wantsLegendRow && titleText.count + 2 + legendWidth <= area.width
        var titleRow: Int? = nil
        var legendRows: [(row: Int, entries: ArraySlice<LegendEntry>)] = []
        var headerRows = 0
        let minimumPlotRows = 2
        if !titleText.isEmpty && area.height - 2 - (headerRows + 1) >= minimumPlotRows {
            titleRow = area.y + headerRows
            headerRows += 1
        }
        if wantsLegendRow {
            if sharedRow, let titleRow {
                legendRows = [(titleRow, entries[...])]
            } else {
                // A legend wider than the chart goes on to more rows, while the plot keeps its minimum.
                for line in Self.legendLines(entries, width: area.width)
                where area.height - 2 - (headerRows + 1) >= minimumPlotRows {
                    legendRows.append((area.y + headerRows, line))
                    headerRows += 1
                }
            }
        }
        let plotHeight = area.height - headerRows - 2

        guard plotHeight >= 1 else {
            return drawLinesOnly(in: area, into: &buffer, pens: pens, extent: extent, capabilities: capabilities)
        }
        let dotsPerRow = capabilities.glyphs == .unicode ? 4 : 1
        let dotsPerColumn = capabilities.glyphs == .unicode ? 2 : 1
        let yTicks = ticks(for: yAxis, lower: extent?.minY, upper: extent?.maxY,
                           maxCount: min(5, max(2, (plotHeight - 1) / 2 + 1)))
        let yLabels = yTicks.labels(yAxis.format).map { glyphs.text($0) }
        let yLabelWidth = yLabels.reduce(0) { max($0, $1.count) }
        var xTitleText = glyphs.text(xTitle)
        var gutter = max(yLabelWidth, xTitleText.count) + 1
        if area.width - gutter - 1 < 2 {
            xTitleText = ""
            gutter = yLabelWidth + 1
        }
        let plotWidth = area.width - gutter - 1
        guard plotWidth >= 2 else {
            return drawLinesOnly(in: area, into: &buffer, pens: pens, extent: extent, capabilities: capabilities)
        }
        let axisX = area.x + gutter
        let plot = Rect(x: axisX + 1, y: area.y + headerRows, width: plotWidth, height: plotHeight)

        // As many x ticks as fit with two spaces between labels as wide as the widest of a first guess.
        let firstGuess = ticks(for: xAxis, lower: extent?.minX, upper: extent?.maxX, maxCount: 6)
        let guessWidth = firstGuess.labels(xAxis.format).reduce(1) { max($0, $1.count) }
        let xTicks = ticks(for: xAxis, lower: extent?.minX, upper: extent?.maxX,
                           maxCount: min(6, max(2, plotWidth / (guessWidth + 2) + 1)))

        var canvas = BrailleCanvas(width: plot.width, height: plot.height, glyphs: capabilities.glyphs)
        let xMap = LineChartAxisMap(xTicks, dots: canvas.dotWidth, flipped: false)
        let yMap = LineChartAxisMap(yTicks, dots: canvas.dotHeight, flipped: true)
        draw(on: &canvas, pens: pens, x: xMap, y: yMap)
        canvas.render(in: plot, into: &buffer, colors: capabilities.colors)

        // Axes: the y axis left of the plot, the x axis under it, ticks pointing at the labels.
        let xTick: Character = capabilities.glyphs == .unicode ? "┬" : "+"
        func put(_ character: Character, _ x: Int, _ y: Int) {
            if area.contains(x: x, y: y) { buffer[x, y] = Cell(character, style: axisStyle) }
        }
        for y in plot.y..<plot.maxY { put(glyphs.vertical, axisX, y) }
        put(glyphs.bottomLeft, axisX, plot.maxY)
        for x in plot.x..<plot.maxX { put(glyphs.horizontal, x, plot.maxY) }

        var lastTickRow = Int.min
        for (value, label) in zip(yTicks.values, yLabels) {
            let dot = yMap.dot(value)
            let row = plot.y + min(max(dot, 0), canvas.dotHeight - 1) / dotsPerRow
            guard row != lastTickRow else { continue }
            lastTickRow = row
            put(glyphs.teeLeft, axisX, row)
            buffer.write(label, x: axisX - 1 - label.count, y: row, style: axisStyle, clip: area)
        }

        let labelRow = plot.maxY + 1
        var labelEnd = axisX - 1  // the column after the last label drawn
        for (value, label) in zip(xTicks.values, xTicks.labels(xAxis.format)) {
            let dot = xMap.dot(value)
            let column = plot.x + min(max(dot, 0), canvas.dotWidth - 1) / dotsPerColumn
            put(xTick, column, plot.maxY)
            let text = glyphs.text(label)
            let start = min(column - (text.count - 1) / 2, area.maxX - text.count)
            guard start > labelEnd else { continue }  // a space after the previous label (or the y labels)
            labelEnd = buffer.write(text, x: start, y: labelRow, style: axisStyle, clip: area)
        }
        if !xTitleText.isEmpty {
            buffer.write(xTitleText, x: axisX - 1 - xTitleText.count, y: labelRow, style: axisStyle, clip: area)
        }

        // Title and legend.
        if let titleRow {
            buffer.write(titleText, x: area.x, y: titleRow, style: .bold, clip: area)
        }
        if !legendRows.isEmpty {
            // Entries left without a row say so at the end of the last one (drawn two columns to the left).
            let cut = legendRows.last.map { $0.entries.endIndex < entries.endIndex } ?? false
            for (index, (row, line)) in legendRows.enumerated() {
                let marked = cut && index == legendRows.count - 1
                drawLegendLine(Array(line), width: Self.legendWidth(line) + (marked ? 2 : 0), row: row, in: area,
                               into: &buffer)
                if marked { buffer.write(glyphs.ellipsis, x: area.maxX - 1, y: row, clip: area) }
            }
        } else if legend == .insideTopRight {
            drawLegendInside(entries, plot: plot, into: &buffer)
        }
        return plot
    }

    /// The whole area as plot, with no axes, labels or legend (for areas too small for them).
    private func drawLinesOnly(in area: Rect, into buffer: inout CellBuffer, pens: [BrailleCanvas.Pen],
                               extent: Extent?, capabilities: TerminalCapabilities) -> Rect {
        var canvas = BrailleCanvas(width: area.width, height: area.height, glyphs: capabilities.glyphs)
        let xTicks = ticks(for: xAxis, lower: extent?.minX, upper: extent?.maxX, maxCount: 2)
        let yTicks = ticks(for: yAxis, lower: extent?.minY, upper: extent?.maxY, maxCount: 2)
        draw(on: &canvas, pens: pens, x: LineChartAxisMap(xTicks, dots: canvas.dotWidth, flipped: false),
             y: LineChartAxisMap(yTicks, dots: canvas.dotHeight, flipped: true))
        canvas.render(in: area, into: &buffer, colors: capabilities.colors)
        return area
    }

    // MARK: Series

    /// The pen of each series for these capabilities.
    private func pens(for capabilities: TerminalCapabilities) -> [BrailleCanvas.Pen] {
        series.enumerated().map { index, series in
            var marker = series.marker ?? LineChart.markers[index % LineChart.markers.count]
            if capabilities.glyphs == .ascii && !(marker.isASCII && marker != " ") {
                marker = LineChart.markers[index % LineChart.markers.count]
            }
            var pen = BrailleCanvas.Pen(color: series.color ?? LineChart.palette[index % LineChart.palette.count],
                                        marker: marker)
            if capabilities.colors == .monochrome {
                pen.color = .terminalDefault
                let styles = capabilities.glyphs == .unicode ? LineChart.monochromePatterns.count : LineChart.markers.count
                if capabilities.glyphs == .unicode {
                    pen.pattern = LineChart.monochromePatterns[index % styles]
                }
                if (index / styles) % 2 == 1 { pen.attributes = .dim }
            }
            return pen
        }
    }

    /// Draws every series as a polyline. Points that land in the same dot column as the point
    /// before them only widen that column's run (first, lowest, highest and last value, kept as
    /// values: y is mapped once per run, x only when a point leaves the range of x known to fall
    /// in the run's column); a run is drawn as first -> nearer extreme -> farther extreme -> last,
    /// which sets the same dots as drawing each segment. So 20,000 points cost little more than
    /// reading them.
    private func draw(on canvas: inout BrailleCanvas, pens: [BrailleCanvas.Pen], x xMap: LineChartAxisMap, y yMap: LineChartAxisMap) {
        guard canvas.dotWidth > 0 && canvas.dotHeight > 0 else { return }
        for (series, pen) in zip(series, pens) {
            canvas.pen = pen
            series.points.withUnsafeBufferPointer { points in
                // The current run, in locals so that the per-point loop stays in registers.
                var active = false, column = 0
                var columnLow = 0.0, columnHigh = 0.0  // x in columnLow...columnHigh maps to `column`
                var first = 0.0, last = 0.0, lowest = 0.0, highest = 0.0
                for point in points {
                    guard LineChartAxisMap.canDraw(point, x: xMap, y: yMap) else {
                        // A gap: the line stops here and starts again at the next drawable point.
                        if active {
                            LineChart.drawRun(column: column, first: first, last: last, lowest: lowest, highest: highest,
                                              on: &canvas, y: yMap)
                        }
                        active = false
                        continue
                    }
                    if active && ((point.x >= columnLow && point.x <= columnHigh) || xMap.dot(point.x) == column) {
                        last = point.y
                        if point.y < lowest { lowest = point.y }
                        if point.y > highest { highest = point.y }
                        continue
                    }
                    let newColumn = xMap.dot(point.x), row = yMap.dot(point.y)
                    if active {
                        LineChart.drawRun(column: column, first: first, last: last, lowest: lowest, highest: highest,
                                          on: &canvas, y: yMap)
                    } else {
                        canvas.move(to: (newColumn, row))
                    }
                    canvas.line(to: (newColumn, row))
                    (active, column, first, last, lowest, highest) = (true, newColumn, point.y, point.y, point.y, point.y)
                    (columnLow, columnHigh) = xMap.valuesInside(column: newColumn, around: point.x)
                }
                if active {
                    LineChart.drawRun(column: column, first: first, last: last, lowest: lowest, highest: highest,
                                      on: &canvas, y: yMap)
                }
            }
        }
    }

    /// Draws the vertical extent of the points that fell into one dot column (the pen is at the
    /// first), leaving the pen at the last.
    private static func drawRun(column: Int, first: Double, last: Double, lowest: Double, highest: Double,
                                on canvas: inout BrailleCanvas, y yMap: LineChartAxisMap) {
        guard lowest < highest else { return }
        let firstDot = yMap.dot(first), lowestDot = yMap.dot(lowest), highestDot = yMap.dot(highest)
        let (near, far) = abs(firstDot - lowestDot) <= abs(highestDot - firstDot)
            ? (lowestDot, highestDot) : (highestDot, lowestDot)
        canvas.line(to: (column, near))
        canvas.line(to: (column, far))
        canvas.line(to: (column, yMap.dot(last)))
    }

    /// The smallest and largest coordinates of the drawable points of all series.
    private struct Extent {
        var minX, maxX, minY, maxY: Double
    }

    /// The extent of the data; nil when nothing is drawable, or when both axes have fixed ranges
    /// (nothing needs it: live charts with fixed axes skip the pass over the points).
    private func dataExtent() -> Extent? {
        guard fixedRange(of: xAxis) == nil || fixedRange(of: yAxis) == nil else { return nil }
        let xLog = xAxis.scale == .logarithmic, yLog = yAxis.scale == .logarithmic
        // x and y side by side in one vector: one compare and select each for the lowest and highest.
        var lowest = SIMD2<Double>(repeating: .infinity), highest = SIMD2<Double>(repeating: -.infinity)
        for series in series {
            series.points.withUnsafeBufferPointer { points in
                for point in points {
                    let xy = SIMD2(point.x, point.y)
                    // x - x is 0 exactly when x is finite (infinity - infinity and NaN are NaN).
                    guard xy - xy == .zero, !xLog || point.x > 0, !yLog || point.y > 0 else { continue }
                    lowest.replace(with: xy, where: xy .< lowest)
                    highest.replace(with: xy, where: xy .> highest)
                }
            }
        }
        return lowest.x <= highest.x
            ? Extent(minX: lowest.x, maxX: highest.x, minY: lowest.y, maxY: highest.y) : nil
    }

    /// The fixed range of `axis`, if it has a usable one.
    private func fixedRange(of axis: Axis) -> ClosedRange<Double>? {
        guard case .fixed(let range) = axis.bounds, range.lowerBound.isFinite, range.upperBound.isFinite,
              range.lowerBound < range.upperBound, axis.scale == .linear || range.lowerBound > 0 else { return nil }
        return range
    }

    /// The ticks of `axis` for data from `lower` to `upper` (nil: no data).
    private func ticks(for axis: Axis, lower: Double?, upper: Double?, maxCount: Int) -> Ticks {
        let logarithmic = axis.scale == .logarithmic
        if let range = fixedRange(of: axis) {
            return logarithmic ? Ticks.logarithmic(within: range, maxCount: maxCount)
                               : Ticks.within(range, maxCount: maxCount)
        }
        let lower = lower ?? (logarithmic ? 1 : 0), upper = upper ?? (logarithmic ? 10 : 1)
        return logarithmic ? Ticks.logarithmic(covering: lower...upper, maxCount: maxCount)
                           : Ticks.automatic(covering: lower...upper, maxCount: maxCount)
    }

    // MARK: Legend

    private struct LegendEntry {
        var sample: String
        var sampleStyle: Style
        var name: String
        var width: Int { sample.count + 1 + name.count }
    }

    /// One entry per named series: a sample of its line (its marker in ASCII) and its name.
    private func legendEntries(pens: [BrailleCanvas.Pen], capabilities: TerminalCapabilities) -> [LegendEntry] {
        zip(series, pens).compactMap { series, pen in
            guard !series.name.isEmpty else { return nil }
            let sample: String
            if capabilities.glyphs == .ascii {
                sample = String(pen.marker)
            } else if pen.pattern == .dotted {
                sample = "┈┈"
            } else if pen.pattern.isSolid {
                sample = "──"
            } else {
                sample = "╌╌"
            }
            let color = capabilities.colors == .monochrome ? TerminalColor.terminalDefault : pen.color
            return LegendEntry(sample: sample, sampleStyle: Style(foreground: color, attributes: pen.attributes),
                               name: capabilities.glyphs.glyphs.text(series.name))
        }
    }

    /// The entries in one line, right-aligned in `area` (left-aligned and cut when too wide).
    /// The width of legend entries on one row, two columns between them.
    private static func legendWidth(_ entries: ArraySlice<LegendEntry>) -> Int {
        entries.reduce(0) { $0 + $1.width } + 2 * max(0, entries.count - 1)
    }

    /// The entries in rows of at most `width` columns, in order (an entry wider than that alone on its row).
    private static func legendLines(_ entries: [LegendEntry], width: Int) -> [ArraySlice<LegendEntry>] {
        var lines: [ArraySlice<LegendEntry>] = []
        var start = entries.startIndex
        for index in entries.indices where index > start && legendWidth(entries[start...index]) > width {
            lines.append(entries[start..<index])
            start = index
        }
        if start < entries.endIndex { lines.append(entries[start...]) }
        return lines
    }

    private func drawLegendLine(_ entries: [LegendEntry], width: Int, row: Int, in area: Rect,
                                into buffer: inout CellBuffer) {
        var x = max(area.x, area.maxX - width)
        for (index, entry) in entries.enumerated() {
            if index > 0 { x += 2 }
            x = buffer.write(entry.sample, x: x, y: row, style: entry.sampleStyle, clip: area)
            x = buffer.write(" " + entry.name, x: x, y: row, style: .plain, clip: area)
        }
    }

    /// The entries one per row in the plot's top-right corner, over a blank box one cell wider.
    private func drawLegendInside(_ entries: [LegendEntry], plot: Rect, into buffer: inout CellBuffer) {
        let width = entries.reduce(0) { max($0, $1.width) }
        let left = max(plot.x, plot.maxX - width)
        for (index, entry) in entries.enumerated() where index < plot.height {
            let row = plot.y + index
            buffer.fill(Rect(x: max(plot.x, left - 1), y: row, width: plot.maxX - max(plot.x, left - 1), height: 1))
            let x = buffer.write(entry.sample, x: left, y: row, style: entry.sampleStyle, clip: plot)
            buffer.write(" " + entry.name, x: x, y: row, style: .plain, clip: plot)
        }
    }
}

// MARK: - Ticks

extension LineChart.Ticks {
    /// Nice ticks for data from `data.lowerBound` to `data.upperBound`. Each end of the range is
    /// either widened to the next tick, when that adds at most 10% of the span (0...19,999 becomes
    /// 0...20,000, and the end is labelled), or padded by 3% so that the line does not run along
    /// the frame (never across zero: data from 0.05 starts at 0). The step is 1, 2, 2.5 or 5
    /// times a power of ten, chosen for the tightest range with `min(3, maxCount)` to `maxCount`
    /// ticks inside, ends on ticks preferred (on a tie more ticks, unless that takes a step of
    /// 2.5: 0, 0.5, 1 rather than 0, 0.25, ..., 1). A single value v is widened to v ± 10% (0 to
    /// 0...1).
    ///
    ///     automatic(covering: 0...1400, maxCount: 5)    // 0...1500: 0, 500, 1000, 1500
    ///     automatic(covering: 0.05...2.3, maxCount: 5)  // 0...2.3675: 0, 0.5, 1, 1.5, 2
    public static func automatic(covering data: ClosedRange<Double>, maxCount: Int) -> Self {
        var lower = data.lowerBound, upper = data.upperBound
        if !lower.isFinite || !upper.isFinite { (lower, upper) = (0, 1) }
        if upper - lower <= Swift.max(abs(lower), abs(upper)) * 1e-12 {
            if lower == 0 {
                upper = 1
            } else {
                let margin = abs(lower) * 0.1
                (lower, upper) = (lower - margin, upper + margin)
            }
        }
        let span = upper - lower, tolerance = span * 0.1
        var paddedLower = lower - span * 0.03, paddedUpper = upper + span * 0.03
        if lower >= 0 && paddedLower < 0 { paddedLower = 0 }
        if upper <= 0 && paddedUpper > 0 { paddedUpper = 0 }
        let maxCount = Swift.max(2, maxCount)
        var best: (low: Double, high: Double, first: Double, last: Double, step: Double, score: Double)? = nil
        for fewest in [Swift.min(3, maxCount), 1] where best == nil {
            for step in LineChartNumbers.niceSteps(from: span / Double(maxCount - 1) / 2) {
                let snappedLower = (lower / step + 1e-9).rounded(.down) * step
                let snappedUpper = (upper / step - 1e-9).rounded(.up) * step
                var lows = [paddedLower], highs = [paddedUpper]
                if lower - snappedLower <= tolerance { lows.append(snappedLower) }
                if snappedUpper - upper <= tolerance { highs.append(snappedUpper) }
                for low in lows {
                    for high in highs {
                        let first = (low / step - 1e-9).rounded(.up), last = (high / step + 1e-9).rounded(.down)
                        let count = Int(last - first) + 1
                        guard count >= fewest && count <= maxCount else { continue }
                        // An end off the ticks costs as much as widening by the whole tolerance.
                        var score = high - low + LineChartNumbers.quarterPenalty(step, span: span)
                        if abs(first * step - low) > step * 1e-9 { score += tolerance }
                        if abs(last * step - high) > step * 1e-9 { score += tolerance }
                        if let current = best, score >= current.score - span * 1e-9 { continue }
                        best = (low, high, first, last, step, score)
                    }
                }
            }
        }
        guard let best else { return Self(lower: lower, upper: upper, values: [lower, upper], step: span) }
        let values = stride(from: best.first, through: best.last, by: 1).map { LineChartNumbers.clean($0 * best.step, step: best.step) }
        return Self(lower: best.low, upper: best.high, values: values, step: best.step)
    }

    /// Nice ticks inside a fixed `range` (the ends are ticks only when they are nice): the step
    /// of 1, 2, 2.5 or 5 times a power of ten that gives `min(3, maxCount)` to `maxCount` ticks
    /// and leaves the least room unmarked at the ends (ties as in `automatic`).
    ///
    ///     within(0.9...1.0, maxCount: 5)   // 0.9, 0.95, 1
    ///     within(0...5000, maxCount: 6)    // 0, 1000, 2000, 3000, 4000, 5000
    public static func within(_ range: ClosedRange<Double>, maxCount: Int) -> Self {
        let lower = range.lowerBound, upper = range.upperBound
        guard lower.isFinite && upper.isFinite && lower < upper else { return automatic(covering: range, maxCount: maxCount) }
        let maxCount = Swift.max(2, maxCount)
        let rough = (upper - lower) / Double(maxCount - 1)
        var best: (first: Double, last: Double, step: Double, waste: Double)? = nil
        for fewest in [Swift.min(3, maxCount), 1] where best == nil {
            for step in LineChartNumbers.niceSteps(from: rough) {
                let first = (lower / step - 1e-9).rounded(.up), last = (upper / step + 1e-9).rounded(.down)
                let count = Int(last - first) + 1
                guard count >= fewest && count <= maxCount else { continue }
                let waste = (first * step - lower) + (upper - last * step)
                    + LineChartNumbers.quarterPenalty(step, span: upper - lower)
                if let current = best, waste >= current.waste - (upper - lower) * 1e-9 { continue }
                best = (first, last, step, waste)
            }
        }
        guard let best else { return Self(lower: lower, upper: upper, values: [lower, upper], step: upper - lower) }
        let values = stride(from: best.first, through: best.last, by: 1).map { LineChartNumbers.clean($0 * best.step, step: best.step) }
        return Self(lower: lower, upper: upper, values: values, step: best.step)
    }

    /// Ticks at powers of ten for positive data, the range widened to whole decades (every
    /// second or third decade when there are more than `maxCount`; 1, 2, 5, 10 within a single
    /// decade when 4 ticks fit). Non-positive or non-finite bounds fall back to 1...10.
    public static func logarithmic(covering data: ClosedRange<Double>, maxCount: Int) -> Self {
        var lower = data.lowerBound, upper = data.upperBound
        if !(lower > 0) || !lower.isFinite || !upper.isFinite { (lower, upper) = (1, 10) }
        let maxCount = Swift.max(2, maxCount)
        var low = LineChartNumbers.decimalExponent(lower)
        var high = LineChartNumbers.decimalExponent(upper)
        if LineChartNumbers.powerOfTen(high) < upper { high += 1 }
        if high <= low { high = low + 1 }
        let stride = (high - low + maxCount - 2) / (maxCount - 1)
        low -= ((low % stride) + stride) % stride
        high = low + stride * ((high - low + stride - 1) / stride)
        var values = Swift.stride(from: low, through: high, by: stride).map { LineChartNumbers.powerOfTen($0) }
        if high - low == 1 && maxCount >= 4 {
            let base = values[0]
            values = [base, 2 * base, 5 * base, 10 * base]
        }
        return Self(lower: values[0], upper: values[values.count - 1], values: values, step: 0, isLogarithmic: true)
    }

    /// Ticks at the powers of ten inside a fixed positive `range` (thinned to `maxCount`); when
    /// fewer than two fit, 1, 2 and 5 times powers of ten inside it; when none, the ends.
    public static func logarithmic(within range: ClosedRange<Double>, maxCount: Int) -> Self {
        let lower = range.lowerBound, upper = range.upperBound
        guard lower > 0 && upper.isFinite && lower < upper else { return logarithmic(covering: range, maxCount: maxCount) }
        let maxCount = Swift.max(2, maxCount)
        var first = LineChartNumbers.decimalExponent(lower)
        if LineChartNumbers.powerOfTen(first) < lower * (1 - 1e-12) { first += 1 }
        let last = LineChartNumbers.decimalExponent(upper)
        var values: [Double] = []
        if last >= first {
            // Every `every`-th decade, so that at most maxCount remain.
            let every = Swift.max(1, (last - first + maxCount - 2) / (maxCount - 1))
            values = Swift.stride(from: first, through: last, by: every).map { LineChartNumbers.powerOfTen($0) }
        }
        if values.count < 2 {
            var multiples: [Double] = []
            for exponent in (first - 1)...(Swift.max(first, last) + 1) {
                for mantissa in [1.0, 2, 5] {
                    let value = mantissa * LineChartNumbers.powerOfTen(exponent)
                    if value >= lower * (1 - 1e-12) && value <= upper * (1 + 1e-12) { multiples.append(value) }
                }
            }
            if multiples.count >= 2 && multiples.count <= maxCount { values = multiples }
        }
        if values.isEmpty { values = [lower, upper] }
        return Self(lower: lower, upper: upper, values: values, step: 0, isLogarithmic: true)
    }
}

// MARK: - Mapping

/// Maps values of one axis to dot positions: the ticks' range onto 0...dots-1 (flipped for y,
/// whose dot 0 is at the top), through log10 on a logarithmic axis.
private struct LineChartAxisMap {
    let origin: Double
    let scale: Double
    let flipped: Bool
    let logarithmic: Bool

    init(_ ticks: LineChart.Ticks, dots: Int, flipped: Bool) {
        logarithmic = ticks.isLogarithmic
        let lower = logarithmic ? LineChartNumbers.log10(ticks.lower) : ticks.lower
        let upper = logarithmic ? LineChartNumbers.log10(ticks.upper) : ticks.upper
        let span = upper - lower
        scale = span > 0 && span.isFinite ? Double(Swift.max(0, dots - 1)) / span : 0
        origin = flipped ? upper : lower
        self.flipped = flipped
    }

    /// A range of values around `value` (which maps to `column`) that all map to `column`: the
    /// column's edges pulled in a little and checked (mapping is monotonic), so that points
    /// inside need no mapping. Just `value` on a logarithmic or flipped axis.
    func valuesInside(column: Int, around value: Double) -> (low: Double, high: Double) {
        guard !logarithmic && !flipped && scale > 0 else { return (value, value) }
        let low = origin + (Double(column) - 0.5) / scale, high = origin + (Double(column) + 0.5) / scale
        // A millionth of a dot, above the rounding of `dot` (which works near 1e9) and of the edges.
        let margin = 1e-6 / scale + (abs(low) + abs(high)) * 1e-12
        var inside = (low: low + margin, high: high - margin)
        if !(inside.low <= value) || dot(inside.low) != column { inside.low = value }
        if !(inside.high >= value) || dot(inside.high) != column { inside.high = value }
        return inside
    }

    /// Whether `point` can be drawn: both coordinates finite, and above 0 on a logarithmic axis.
    @inline(__always)
    static func canDraw(_ point: LineChart.Point, x xMap: LineChartAxisMap, y yMap: LineChartAxisMap) -> Bool {
        let xy = SIMD2(point.x, point.y)
        // x - x is 0 exactly when x is finite (infinity - infinity and NaN are NaN).
        return xy - xy == .zero && (!xMap.logarithmic || point.x > 0) && (!yMap.logarithmic || point.y > 0)
    }

    /// Whether `value` can be drawn: finite, and above 0 on a logarithmic axis.
    @inline(__always)
    func canDraw(_ value: Double) -> Bool {
        value.isFinite && (!logarithmic || value > 0)
    }

    /// The dot of a drawable `value`; values far outside are clamped far outside, for the canvas
    /// to clip.
    @inline(__always)
    func dot(_ value: Double) -> Int {
        let value = logarithmic ? LineChartNumbers.log10(value) : value
        let position = flipped ? (origin - value) * scale : (value - origin) * scale
        guard !position.isNaN else { return 0 }
        // Rounded half up by truncating a positive number (no libm call in the per-point loop).
        return Int(Swift.min(1e9, Swift.max(-1e9, position)) + 1_000_000_000.5) - 1_000_000_000
    }
}

// MARK: - Numbers

/// The arithmetic the chart needs without libm: powers of ten, decimal exponents, log10, and
/// compact number formatting.
enum LineChartNumbers {
    /// 10^exponent (0 or infinity beyond Double's range).
    static func powerOfTen(_ exponent: Int) -> Double {
        var result = 1.0
        let count = Swift.min(abs(exponent), 400)
        for _ in 0..<count { result *= 10 }
        // Dividing keeps 0.1, 0.01, ... correctly rounded.
        return exponent >= 0 ? result : 1 / result
    }

    /// floor(log10(value)) for a positive finite value.
    static func decimalExponent(_ value: Double) -> Int {
        guard value > 0 && value.isFinite else { return 0 }
        var exponent = Int((Double(Int(value.exponent)) * 0.30102999566398120).rounded(.down))
        while exponent > -400 && powerOfTen(exponent) > value { exponent -= 1 }
        while exponent < 400 && powerOfTen(exponent + 1) <= value { exponent += 1 }
        return exponent
    }

    /// log10 of a positive finite value, from its binary exponent and an atanh series for the
    /// significand (accurate to about 1e-15).
    static func log10(_ value: Double) -> Double {
        var exponent = Double(Int(value.exponent))
        var significand = value.significand
        if significand > 1.4142135623730951 {
            significand *= 0.5
            exponent += 1
        }
        // ln(m) = 2 atanh(z), z = (m - 1) / (m + 1), |z| < 0.172.
        let z = (significand - 1) / (significand + 1), zz = z * z
        var term = z, sum = z
        var denominator = 1.0
        for _ in 0..<12 {
            term *= zz
            denominator += 2
            sum += term / denominator
        }
        let naturalLog = exponent * 0.69314718055994531 + 2 * sum
        return naturalLog * 0.43429448190325182
    }

    /// The steps 1, 2, 2.5 and 5 times powers of ten from just below `rough` up, smallest first.
    static func niceSteps(from rough: Double) -> [Double] {
        guard rough > 0 && rough.isFinite else { return [1] }
        let exponent = decimalExponent(rough)
        var steps: [Double] = []
        for power in exponent...(exponent + 2) {
            for mantissa in [1.0, 2, 2.5, 5] {
                let step = power >= 0 ? mantissa * powerOfTen(power) : mantissa / powerOfTen(-power)
                if step >= rough * (1 - 1e-9) { steps.append(step) }
            }
        }
        return steps
    }

    /// A tiny extra cost for steps of 2.5 times a power of ten, whose labels need one more digit:
    /// on an otherwise even choice, 0, 0.5, 1 beats 0, 0.25, 0.5, 0.75, 1.
    static func quarterPenalty(_ step: Double, span: Double) -> Double {
        let mantissa = step / powerOfTen(decimalExponent(step))
        return abs(mantissa - 2.5) < 1e-9 ? span * 1e-6 : 0
    }

    /// `value` with rounding noise next to zero removed (0.1 * 3 - 0.3 is 0).
    static func clean(_ value: Double, step: Double) -> Double {
        abs(value) < abs(step) * 1e-9 ? 0 : value
    }

    /// The compact label of `value` on an axis `step` apart (see `LineChart.LabelFormat.number`).
    static func compact(_ value: Double, step: Double, percent: Bool) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        let suffix = percent ? "%" : ""
        var value = percent ? value * 100 : value
        var step = abs(percent ? step * 100 : step)
        if !(step > 0) || !step.isFinite { step = abs(value) > 0 ? abs(value) : 1 }
        if abs(value) < step * 1e-9 { return "0" + suffix }
        var unit = ""
        if !percent && step >= 1000 {
            for (size, name) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where abs(value) >= size {
                value /= size
                step /= size
                unit = name
                break
            }
        }
        if step < 1e-4 {
            let exponent = decimalExponent(abs(value))
            let scale = powerOfTen(exponent)
            return fixed(value / scale, decimals: decimals(for: step / scale)) + "e\(exponent)" + suffix
        }
        return fixed(value, decimals: decimals(for: step)) + unit + suffix
    }

    /// The decimals that show multiples of `step` exactly (at most 6).
    static func decimals(for step: Double) -> Int {
        for decimals in 0..<6 {
            let scaled = step * powerOfTen(decimals)
            if abs(scaled - scaled.rounded()) <= 1e-6 * Swift.max(1, scaled) { return decimals }
        }
        return 6
    }

    /// `value` with `decimals` decimals, trailing zeros (and a bare point) removed.
    static func fixed(_ value: Double, decimals: Int) -> String {
        let scaled = (abs(value) * powerOfTen(decimals)).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        var digits = String(Int(scaled))
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
            while digits.last == "0" { digits.removeLast() }
            if digits.last == "." { digits.removeLast() }
        }
        return value < 0 && scaled != 0 ? "-" + digits : digits
    }
}
