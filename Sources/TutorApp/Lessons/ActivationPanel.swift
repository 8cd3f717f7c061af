import ConvKernels
import Lessons
import TerminalUI

/// An activation step: a plot of the function and its derivative across the step's range, and, when
/// the step has a grid, the function applied to it cell by cell.
///
/// Elementwise functions (ReLU, leaky ReLU, sigmoid, tanh) show the input, the output and the
/// derivative grids side by side; Left/Right (and Up/Down by rows) move a highlighted cell, and a
/// line spells it out: "relu(-2) = 0, relu'(-2) = 0". Softmax shows each score, its exponential
/// (after subtracting the largest score, as the kernel does), their sum and the probabilities as bars.
///
/// Every value comes from the trace (the kernel's forward and backward passes); the exponentials of
/// the softmax table are `Math.exp(x - max)`, the kernel's own first half of softmax.
public final class ActivationPanel: StepPanel {
    public let trace: ActivationTrace
    /// The highlighted cell: an index into the input's cells, channel by channel, row by row.
    private(set) var selected = 0

    public init(trace: ActivationTrace) {
        self.trace = trace
    }

    /// The function's name: "relu", "sigmoid", "softmax".
    var name: String { trace.spec.function.name }

    var cellCount: Int {
        guard let input = trace.spec.input else { return 0 }
        return input.channelCount * input.height * input.width
    }

    /// Channel, row and column of the highlighted cell.
    var selectedCell: (channel: Int, row: Int, column: Int)? {
        guard let input = trace.spec.input, cellCount > 0 else { return nil }
        let index = min(max(0, selected), cellCount - 1)
        let perChannel = input.height * input.width
        return (index / perChannel, index % perChannel / input.width, index % input.width)
    }

    public var keyHelp: [KeyHint] {
        guard cellCount > 1 else { return [] }
        var hints = [KeyHint("←→", "next cell")]
        if let input = trace.spec.input, input.height > 1 { hints.append(KeyHint("↑↓", "next row")) }
        return hints
    }

    public func handle(_ event: KeyEvent) -> Bool {
        guard let input = trace.spec.input, cellCount > 1 else { return false }
        let rowStep = isSoftmax ? 1 : input.width
        switch event {
        case .right: selected = min(cellCount - 1, selected + 1)
        case .left: selected = max(0, selected - 1)
        case .down:
            guard input.height > 1 || isSoftmax else { return false }
            selected = min(cellCount - 1, selected + rowStep)
        case .up:
            guard input.height > 1 || isSoftmax else { return false }
            selected = max(0, selected - rowStep)
        case .home: selected = 0
        case .end: selected = cellCount - 1
        default: return false
        }
        return true
    }

    var isSoftmax: Bool { trace.spec.function == .softmax }

    // MARK: The highlighted cell in words

    /// "relu(−2) = 0, relu'(−2) = 0" for the highlighted cell (`-` for the minus in ASCII); for
    /// softmax "p = exp(2 − 2) / 1.52 = 0.659". Nil without a grid.
    func cellDescription(ascii: Bool) -> String? {
        guard let cell = selectedCell, let input = trace.spec.input, let output = trace.output else { return nil }
        let number = { (value: Float) in Self.number(value, ascii: ascii) }
        let minus = ascii ? "-" : "\u{2212}"
        let x = input.channels[cell.channel][cell.row][cell.column]
        let y = output.channels[cell.channel][cell.row][cell.column]
        if isSoftmax {
            let table = softmaxTable(channel: cell.channel)
            return "p = exp(\(number(x)) \(minus) \(number(table.largest))) / \(number(table.sum)) = \(number(y))"
        }
        var text = "\(name)(\(number(x))) = \(number(y))"
        if let derivative = trace.derivative {
            text += ", \(name)'(\(number(x))) = " + number(derivative.channels[cell.channel][cell.row][cell.column])
        }
        return text
    }

    /// `LessonNumber.format`, with the typographic minus `−` unless `ascii` (as `WindowArithmetic` writes).
    static func number(_ value: Float, ascii: Bool) -> String {
        let text = LessonNumber.format(value)
        return ascii ? text : String(text.map { $0 == "-" ? "\u{2212}" : $0 })
    }

    /// One channel's scores, their exponentials after subtracting the largest, and the sum, in the
    /// order the kernel adds them.
    func softmaxTable(channel: Int) -> (scores: [Float], exponentials: [Float], largest: Float, sum: Float) {
        guard let input = trace.spec.input else { return ([], [], 0, 0) }
        let scores = input.channels[channel].flatMap { $0 }
        let largest = scores.dropFirst().reduce(scores.first ?? 0) { $1 > $0 ? $1 : $0 }
        let exponentials = scores.map { Math.exp($0 - largest) }
        var sum: Float = 0
        for value in exponentials { sum += value }
        return (scores, exponentials, largest, sum)
    }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        buffer.fill(area)
        guard !area.isEmpty else { return }
        guard trace.spec.input != nil, trace.output != nil else {
            drawPlot(in: area, titled: area.height >= 12, into: &buffer, capabilities: capabilities)
            return
        }
        // The plot on top, the grids (or the softmax table) below it; the plot keeps at least 8 rows.
        let lower = isSoftmax ? softmaxHeight : gridsHeight(width: area.width, glyphs: capabilities.glyphs)
        let plotHeight = max(min(area.height - lower - 1, area.height * 3 / 5), min(area.height, 8))
        let (plotArea, rest) = area.splitTop(plotHeight)
        drawPlot(in: plotArea, titled: plotHeight >= 12, into: &buffer, capabilities: capabilities)
        let below = rest.splitTop(1).rest
        if isSoftmax {
            drawSoftmax(in: below, into: &buffer, capabilities: capabilities)
        } else {
            drawGrids(in: below, into: &buffer, capabilities: capabilities)
        }
    }

    /// The rows the grids and the description line take at `width` columns.
    private func gridsHeight(width: Int, glyphs: GlyphSet) -> Int {
        let placed = placedGrids(width: width, glyphs: glyphs)
        guard !placed.isEmpty else { return 0 }
        // The description line and a blank line under it, then the grids.
        return (placed.map { $0.y + 1 + $0.grid.size(glyphs: glyphs).height }.max() ?? 0) + 2
    }

    /// The input, output and derivative grids of the highlighted cell's channel (that cell marked),
    /// titled, placed left to right and onto a new row when the next one does not fit beside them.
    private func placedGrids(width: Int, glyphs: GlyphSet) -> [(title: String, grid: NumberGrid, x: Int, y: Int)] {
        guard let input = trace.spec.input, let output = trace.output, let cell = selectedCell else { return [] }
        let channelNote = input.channelCount > 1 ? " (channel \(cell.channel + 1) of \(input.channelCount))" : ""
        var grids: [(title: String, grid: NumberGrid)] = [
            ("input x" + channelNote, NumberGrid(lessonValues: input.channels[cell.channel])),
            ("\(name)(x)", NumberGrid(lessonValues: output.channels[cell.channel])),
        ]
        if let derivative = trace.derivative {
            grids.append(("\(name)'(x)", NumberGrid(lessonValues: derivative.channels[cell.channel])))
        }
        var placed: [(title: String, grid: NumberGrid, x: Int, y: Int)] = []
        var x = 0, y = 0, rowHeight = 0
        for (title, var grid) in grids {
            grid.highlight(row: cell.row, column: cell.column, .current)
            let size = grid.size(glyphs: glyphs)
            let itemWidth = max(size.width, glyphs.glyphs.text(title).count)
            if x > 0 && x + itemWidth > width {
                x = 0
                y += rowHeight + 1
                rowHeight = 0
            }
            placed.append((title, grid, x, y))
            x += itemWidth + 4
            rowHeight = max(rowHeight, 1 + size.height)
        }
        return placed
    }

    /// The rows the softmax table takes: header, one per score, the sum and the description line.
    private var softmaxHeight: Int {
        guard let input = trace.spec.input else { return 0 }
        return 1 + input.height * input.width + 1 + 2
    }

    /// f(x), f'(x) (titled when there is room) and, when a cell is highlighted and inside the range, a vertical line at its x.
    private func drawPlot(in area: Rect, titled: Bool, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let ascii = capabilities.glyphs == .ascii
        let xs = trace.plotX.map(Double.init)
        // Softmax is plotted for two scores, x and 0: p(x) is the first one's probability.
        let functionLabel = isSoftmax ? "p(x)" : "\(name)(x)"
        let derivativeLabel = isSoftmax ? "p'(x)" : "\(name)'(x)"
        var series = [LineChart.Series(functionLabel, x: xs, y: trace.plotValue.map(Double.init), color: .cyan)]
        if trace.spec.showDerivative && !trace.plotDerivative.isEmpty {
            series.append(LineChart.Series(derivativeLabel, x: xs, y: trace.plotDerivative.map(Double.init),
                                           color: .yellow))
        }
        let range = trace.spec.plotRange
        if !isSoftmax, let cell = selectedCell, let input = trace.spec.input {
            let x = input.channels[cell.channel][cell.row][cell.column]
            let values = (trace.plotValue + (trace.spec.showDerivative ? trace.plotDerivative : [])).filter(\.isFinite)
            if range.contains(x), let low = values.min(), let high = values.max(), low < high {
                series.append(LineChart.Series("x = \(Self.number(x, ascii: ascii))",
                                               x: [Double(x), Double(x)], y: [Double(low), Double(high)],
                                               color: .magenta, marker: "|"))
            }
        }
        var title = trace.spec.showDerivative ? "\(functionLabel) and \(derivativeLabel)" : functionLabel
        if isSoftmax { title = "softmax of the scores [x, 0]: " + title }
        // Without room for the title the legend still names the curves.
        let chart = LineChart(series: series, title: titled ? title : "",
                              xAxis: LineChart.Axis(bounds: .fixed(Double(range.lowerBound)...Double(range.upperBound))),
                              xTitle: "x")
        chart.render(in: area, into: &buffer, capabilities: capabilities)
    }

    /// Input, output and derivative grids side by side, the highlighted cell marked, then the line
    /// that spells the cell out.
    private func drawGrids(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        // The highlighted cell in words first: it is what Left/Right change, and it must not be cut off.
        if let description = cellDescription(ascii: capabilities.glyphs == .ascii) {
            buffer.write(glyphs.truncated(description, toWidth: area.width), x: area.x, y: area.y, style: .bold,
                         clip: area)
        }
        for (title, grid, x, y) in placedGrids(width: area.width, glyphs: capabilities.glyphs) {
            let top = area.y + 2 + y
            buffer.write(glyphs.text(title), x: area.x + x, y: top, style: .bold, clip: area)
            let gridArea = Rect(x: area.x + x, y: top + 1, width: area.width - x, height: area.maxY - top - 1)
            grid.render(in: gridArea.intersection(area), into: &buffer, capabilities: capabilities)
        }
    }

    /// Score, exp(score - max), probability (as a bar) per cell of the highlighted cell's channel,
    /// the sum under them, and the highlighted cell's division spelled out.
    private func drawSoftmax(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty, let output = trace.output, let cell = selectedCell, let input = trace.spec.input else { return }
        let glyphs = capabilities.glyphs.glyphs
        let table = softmaxTable(channel: cell.channel)
        let probabilities = output.channels[cell.channel].flatMap { $0 }
        let selectedIndex = cell.row * input.width + cell.column
        let ascii = capabilities.glyphs == .ascii
        let scoreTexts = table.scores.map { Self.number($0, ascii: ascii) }
        let expTexts = table.exponentials.map { Self.number($0, ascii: ascii) }
        let sumText = Self.number(table.sum, ascii: ascii)
        let headers = ["score x", "exp(x \(ascii ? "-" : "\u{2212}") \(Self.number(table.largest, ascii: ascii)))", "probability"]
        let scoreWidth = max(headers[0].count, scoreTexts.map(\.count).max() ?? 0)
        let expWidth = max(headers[1].count, sumText.count, expTexts.map(\.count).max() ?? 0)
        let barX = area.x + 2 + scoreWidth + 3 + expWidth + 3
        func rightAligned(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        var y = area.y
        buffer.write("  " + rightAligned(headers[0], scoreWidth) + "   " + rightAligned(headers[1], expWidth) + "   "
                     + headers[2], x: area.x, y: y, style: .bold, clip: area)
        y += 1
        // The rows that fit (keeping the sum and the description), scrolled to show the highlighted one.
        let room = max(1, area.maxY - y - 3)
        let first = min(max(0, selectedIndex - room + 1), max(0, table.scores.count - room))
        let shown = first..<min(table.scores.count, first + room)
        let marker = capabilities.glyphs == .unicode ? "▶ " : "> "
        for index in shown {
            let isSelected = index == selectedIndex
            let style: Style = isSelected ? .bold : .plain
            buffer.write(isSelected ? marker : "  ", x: area.x, y: y, style: .bold, clip: area)
            buffer.write(rightAligned(scoreTexts[index], scoreWidth) + "   " + rightAligned(expTexts[index], expWidth),
                         x: area.x + 2, y: y, style: style, clip: area)
            y += 1
        }
        // Bars of at most 40 columns, so that the probabilities stay near their scores.
        let barsWidth = min(area.maxX - barX, 40)
        let bars = BarChart(shown.map { BarChart.Bar("", Double(probabilities[$0])) }, maxValue: 1, decimals: 3)
        bars.render(in: Rect(x: barX, y: area.y + 1, width: barsWidth, height: shown.count).intersection(area),
                    into: &buffer, capabilities: capabilities)
        // The probabilities' own total (1 up to rounding), under them.
        let total = Self.number(probabilities.reduce(Float(0), +), ascii: ascii)
        buffer.write("  " + rightAligned("sum", scoreWidth) + "   " + rightAligned(sumText, expWidth), x: area.x, y: y,
                     style: .dim, clip: area)
        buffer.write(total, x: barX + barsWidth - total.count, y: y, style: .dim, clip: area)
        y += 2
        if let description = cellDescription(ascii: capabilities.glyphs == .ascii) {
            buffer.write(glyphs.truncated(description, toWidth: area.width), x: area.x, y: y, style: .bold, clip: area)
        }
    }
}

extension NumberGrid {
    /// A lesson grid with as many decimals as its values need as `LessonNumber` writes them (at most
    /// three: 2.5 gives one, 1/3 three), so that a grid and the arithmetic under it agree.
    init(lessonValues rows: [[Float]]) {
        var decimals = 0
        for row in rows {
            for value in row where value.isFinite {
                let text = LessonNumber.format(value)
                if text.contains("e") {
                    decimals = 3
                } else if let dot = text.firstIndex(of: ".") {
                    decimals = max(decimals, text.distance(from: dot, to: text.endIndex) - 1)
                }
            }
        }
        self.init(rows, decimals: min(3, decimals))
    }
}
