import Foundation
import TerminalUI
import Training

/// The training screen's gradient norms: one bar per weighted layer (every convolution and linear
/// layer, in the network's order), labelled with the layer's label and kind ("1 conv", "4.1 conv",
/// "11 linear"), its length the L2 norm of the layer's weight gradient at the last step on a
/// logarithmic axis, the value printed beside it. Gradients that fade towards the input (a deep
/// network without skip connections) show as bars shrinking up the list, a decade at a time.
///
/// Every bar, of every run, is drawn on one axis: the decades from the smallest finite non-zero
/// norm to the largest (at most `maximumDecades`; a smaller norm is drawn as the shortest bar with
/// `<` before its value). A norm of 0 (before the first step) has no bar and reads `0`; NaN and
/// infinity have none and read `nan`, `inf`.
///
/// Two runs compared (`--compare`) are drawn side by side, a column each under the run's name, so
/// that plain-mini's bars and resnet-mini's can be read against one scale; when two columns do not
/// fit, one run's list under the other's. A list longer than the rows ends with a line saying how
/// many layers are above and below and how to see them (Enter zooms, ↑ ↓ scroll).
public struct TrainingGradientsView: Sendable {
    /// One bar: a layer's name as the summary labels it and its gradient norm.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let norm: Double

        public init(name: String, norm: Double) {
            self.name = name
            self.norm = norm
        }
    }

    /// One run's bars.
    public struct Run: Sendable {
        /// Shown above its bars when two runs are compared (nil with one).
        public let label: String?
        public let entries: [Entry]
        public let color: TerminalColor
        /// The step the norms were taken at (compared runs seldom stand at the same one).
        public let step: Int?

        public init(label: String?, entries: [Entry], color: TerminalColor, step: Int? = nil) {
            self.label = label
            self.entries = entries
            self.color = color
            self.step = step
        }

        /// "1 conv", "4.1 conv", "11 linear": every conv and linear layer of a snapshot.
        public init(label: String?, snapshot: TrainingSnapshot, color: TerminalColor) {
            self.init(label: label, entries: snapshot.layers.map { Entry(name: "\($0.label) \($0.kind)", norm: $0.gradientNorm) },
                      color: color, step: snapshot.step)
        }
    }

    public var runs: [Run]
    /// The first layer shown (the rows scrolled past), clamped to what the rows allow.
    public var scroll: Int
    /// How to see what has no room here ("Enter zooms"); nil when there is no larger view.
    public var zoomHint: String?

    /// The most decades the axis spans; smaller norms are drawn at its low end, marked `<`.
    public static let maximumDecades = 8
    /// The axis before any step has run (every norm 0): 1e-4 to 1e0.
    public static let defaultDecades = -4...0
    /// The value column: "1.2e-03", "nan", "<1.0e-12".
    static let valueWidth = 8
    /// The shortest bar area worth drawing.
    static let minimumBarWidth = 6

    public init(runs: [Run], scroll: Int = 0, zoomHint: String? = "Enter zooms") {
        self.runs = runs
        self.scroll = max(0, scroll)
        self.zoomHint = zoomHint
    }

    // MARK: The scale

    /// The decades the axis spans, shared by every bar of every run: from the power of ten at or
    /// below the smallest finite non-zero norm to the one at or above the largest.
    public var decades: ClosedRange<Int> {
        let norms = runs.flatMap(\.entries).map(\.norm).filter { $0.isFinite && $0 > 0 }
        guard let smallest = norms.min(), let largest = norms.max() else { return Self.defaultDecades }
        let high = Int(log10(largest).rounded(.up))
        var low = Int(log10(smallest).rounded(.down))
        if low >= high { low = high - 1 }
        return max(low, high - Self.maximumDecades)...high
    }

    /// Where `norm` falls on the axis, 0...1 (0 for a norm of 0 or below the axis); nil for NaN
    /// and infinity.
    public func fraction(_ norm: Double) -> Double? {
        guard norm.isFinite else { return nil }
        guard norm > 0 else { return 0 }
        let decades = self.decades
        let span = Double(decades.upperBound - decades.lowerBound)
        return min(1, max(0, (log10(norm) - Double(decades.lowerBound)) / span))
    }

    /// The bar's length in eighths of a cell in a bar area `width` cells wide (whole cells when
    /// `eighths` is false): at least one unit for any non-zero finite norm, so that a small
    /// gradient is never taken for none; 0 for 0, NaN and infinity.
    public func barUnits(_ norm: Double, width: Int, eighths: Bool = true) -> Int {
        guard let fraction = fraction(norm), norm > 0, width > 0 else { return 0 }
        let units = width * (eighths ? 8 : 1)
        return min(units, max(1, Int((fraction * Double(units)).rounded())))
    }

    /// "1.2e-03", "0", "nan", "inf", "<1.0e-12" (below the axis): every value in one format, so
    /// that their exponents line up.
    public func valueText(_ norm: Double) -> String {
        guard norm.isFinite else { return norm.isNaN ? "nan" : (norm > 0 ? "inf" : "-inf") }
        guard norm > 0 else { return norm == 0 ? "0" : Self.scientific(norm) }
        let below = log10(norm) < Double(decades.lowerBound)
        return (below ? "<" : "") + Self.scientific(norm)
    }

    /// `1.2e-03`, `3.0e+00`.
    static func scientific(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return "\(value)" }
        var exponent = Int(log10(abs(value)).rounded(.down))
        var mantissa = abs(value) / pow(10, Double(exponent))
        if (mantissa * 10).rounded() >= 100 { mantissa /= 10; exponent += 1 }
        if mantissa < 1 { mantissa *= 10; exponent -= 1 }
        let text = NumberGrid.format(mantissa, decimals: 1)
        return (value < 0 ? "-" : "") + text + "e" + (exponent < 0 ? "-" : "+") + (abs(exponent) < 10 ? "0" : "")
            + "\(abs(exponent))"
    }

    /// "1e-4", "1e0", "1e2": a decade's tick label.
    static func decadeText(_ decade: Int) -> String { "1e\(decade)" }

    // MARK: Rows

    /// A line of a column: a run's name, or one of its layers.
    enum Row: Equatable {
        case heading(run: Int)
        case entry(run: Int, index: Int)
    }

    /// The rows a list takes when `columns` is true (each run in its own column, a heading above
    /// its bars when there are several) or false (the runs one after the other).
    func columnRows(sideBySide: Bool) -> [[Row]] {
        let lists = runs.indices.map { run in
            (runs.count > 1 ? [Row.heading(run: run)] : []) + runs[run].entries.indices.map { Row.entry(run: run, index: $0) }
        }
        return sideBySide ? lists : [lists.flatMap { $0 }]
    }

    /// The rows the whole list wants (an axis line, a heading per compared run, a row per layer) at
    /// its widest arrangement: what a screen gives the panel when it can.
    public var wantedRows: Int {
        let longest = runs.map(\.entries.count).max() ?? 0
        return 1 + (runs.count > 1 ? 1 : 0) + max(1, longest)
    }

    /// The longest layer name of `runs` ("layer" at least, the axis line's heading).
    static func labelWidth(_ runs: [Run]) -> Int { max(5, runs.flatMap(\.entries).map(\.name.count).max() ?? 0) }

    /// Columns apart when the runs go side by side.
    static let columnGap = 2
    /// The shortest bar area the runs go side by side with.
    static let sideBySideBarWidth = 10

    /// The bar area each run's column has when the runs go side by side in `width` (every column
    /// the same, so that a norm is as long in one as in the other), nil when they do not fit so.
    func sideBySideBarWidth(width: Int) -> Int? {
        guard runs.count > 1 else { return nil }
        let fixed = runs.reduce(0) { $0 + Self.labelWidth([$1]) + 2 + Self.valueWidth } + Self.columnGap * (runs.count - 1)
        let bar = (width - fixed) / runs.count
        return bar >= Self.sideBySideBarWidth ? bar : nil
    }

    // MARK: Drawing

    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        buffer.fill(area)
        let glyphs = capabilities.glyphs.glyphs
        guard runs.contains(where: { !$0.entries.isEmpty }) else {
            return TrainingViewDrawing.write("no conv or linear layer", x: area.x, y: area.y, in: area, style: .dim,
                                             into: &buffer, glyphs: glyphs)
        }
        guard let bar = sideBySideBarWidth(width: area.width) else {
            let rows = columnRows(sideBySide: false)[0]
            renderColumn(rows, in: area, labelWidth: Self.labelWidth(runs), into: &buffer, capabilities: capabilities)
            renderExplanation(below: rows.count, in: area, into: &buffer, glyphs: glyphs)
            return
        }
        // Side by side: each column as wide as its labels need, the bars all `bar` cells.
        var x = area.x
        for (run, rows) in zip(runs, columnRows(sideBySide: true)) {
            let label = Self.labelWidth([run])
            let column = Rect(x: x, y: area.y, width: label + 1 + bar + 1 + Self.valueWidth, height: area.height)
            renderColumn(rows, in: column.intersection(area), labelWidth: label, into: &buffer, capabilities: capabilities)
            x = column.maxX + Self.columnGap
        }
        renderExplanation(below: columnRows(sideBySide: true).map(\.count).max() ?? 0, in: area, into: &buffer, glyphs: glyphs)
    }

    /// What the bars are, under a list of `rows` rows when two rows or more are left below it.
    private func renderExplanation(below rows: Int, in area: Rect, into buffer: inout CellBuffer, glyphs: Glyphs) {
        let top = area.y + 1 + rows + 1
        guard top < area.maxY else { return }
        let text = "Each bar: the L2 norm of the layer's weight gradient at the last step, on a log scale (a tick a decade), "
            + "input side first" + (runs.count > 1 ? ", both runs on one scale" : "")
            + ". Bars shrinking decade by decade towards the input are vanishing gradients: the early layers hardly learn."
        TrainingViewDrawing.writeWrapped(text, x: area.x, y: top, in: area, lines: area.maxY - top, style: .dim,
                                         into: &buffer, glyphs: glyphs)
    }

    /// The layers above and below the rows shown in a column of `rows` with `room` lines for them,
    /// and the first row shown: when not all fit, the last line says what is left out.
    static func window(count: Int, room: Int, scroll: Int) -> (first: Int, shown: Int, above: Int, below: Int) {
        guard count > room else { return (0, count, 0, 0) }
        let shown = max(0, room - 1)
        let first = min(max(0, scroll), count - shown)
        return (first, shown, first, count - first - shown)
    }

    private func renderColumn(_ rows: [Row], in area: Rect, labelWidth: Int, into buffer: inout CellBuffer,
                              capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        // Label, bar, value: the label cut (with an ellipsis) before the bar gets too short.
        let label = min(labelWidth, max(3, area.width - 2 - Self.valueWidth - Self.minimumBarWidth))
        let barX = area.x + label + 1
        let barWidth = area.maxX - Self.valueWidth - 1 - barX
        guard barWidth >= 2 else {
            return TrainingViewDrawing.write("\(rows.count) layers (no room" + (zoomHint.map { ": \($0)" } ?? "") + ")",
                                             x: area.x, y: area.y, in: area, style: .dim, into: &buffer, glyphs: glyphs)
        }
        // The axis: each decade's label where it falls, the highest right-aligned at the bar's end.
        renderAxis(x: barX, y: area.y, width: barWidth, in: area, into: &buffer, glyphs: glyphs)
        TrainingViewDrawing.write("layer", x: area.x, y: area.y, in: Rect(x: area.x, y: area.y, width: min(label, 5), height: 1),
                                  style: .dim, into: &buffer, glyphs: glyphs)
        TrainingViewDrawing.write("norm", x: area.maxX - Self.valueWidth, y: area.y, in: area, style: .dim,
                                  into: &buffer, glyphs: glyphs)
        let body = Rect(x: area.x, y: area.y + 1, width: area.width, height: max(0, area.height - 1))
        let window = Self.window(count: rows.count, room: body.height, scroll: scroll)
        let mono = capabilities.colors == .monochrome
        let eighths = !glyphs.horizontalEighths.isEmpty
        for (offset, row) in rows[window.first..<(window.first + window.shown)].enumerated() {
            let y = body.y + offset
            switch row {
            case .heading(let run):
                let entries = runs[run].entries
                let style = mono ? Style(attributes: .bold) : Style(foreground: runs[run].color, attributes: .bold)
                // "resnet-mini, step 183 (10 layers)".
                let step = runs[run].step.map { ", step \(ProgressBar.groupedCount($0))" } ?? ""
                TrainingViewDrawing.write("\(runs[run].label ?? "")\(step) (\(entries.count) layers)", x: area.x, y: y, in: area,
                                          style: style, into: &buffer, glyphs: glyphs)
            case .entry(let run, let index):
                let entry = runs[run].entries[index]
                TrainingViewDrawing.write(glyphs.truncated(entry.name, toWidth: label), x: area.x, y: y, in: area,
                                          into: &buffer, glyphs: glyphs)
                let units = barUnits(entry.norm, width: barWidth, eighths: eighths)
                let style = mono ? Style.plain : Style(foreground: runs[run].color)
                var bar = String(repeating: glyphs.fullBlock, count: eighths ? units / 8 : units)
                if eighths, units % 8 > 0 { bar.append(glyphs.horizontalEighths[units % 8 - 1]) }
                buffer.write(bar, x: barX, y: y, style: style, clip: area)
                let value = valueText(entry.norm)
                let alarm = !entry.norm.isFinite
                let valueStyle = alarm ? (mono ? Style(attributes: [.bold, .reverse]) : Style(foreground: .red, attributes: .bold))
                    : (entry.norm == 0 ? .dim : .plain)
                // Left-aligned, so that the exponents line up (and a word never ends at the edge).
                TrainingViewDrawing.write(value, x: area.maxX - Self.valueWidth, y: y, in: area, style: valueStyle,
                                          into: &buffer, glyphs: glyphs)
            }
        }
        if window.above > 0 || window.below > 0 {
            var parts: [String] = []
            if window.above > 0 { parts.append("\(window.above) more above") }
            if window.below > 0 { parts.append("+\(window.below) more below") }
            // Both ways to see the rest when they fit ("Enter zooms, ↑↓ scroll"), else the first.
            let text = "\(glyphs.ellipsis) " + parts.joined(separator: ", ")
            let both = zoomHint.map { text + " (\($0), ↑↓ scroll)" } ?? text + " (↑↓ scroll)"
            let how = glyphs.text(both).count <= area.width ? both : text + " (\(zoomHint ?? "↑↓ scroll"))"
            TrainingViewDrawing.write(how, x: area.x,
                                      y: body.y + window.shown, in: area, style: .dim, into: &buffer, glyphs: glyphs)
        }
    }

    /// The decades' labels over a bar area (`x`, `width`) on row `y`: each where its decade falls,
    /// the highest ending at the bar area's end, the others left out where they would touch.
    private func renderAxis(x: Int, y: Int, width: Int, in area: Rect, into buffer: inout CellBuffer, glyphs: Glyphs) {
        let decades = self.decades
        let span = Double(decades.upperBound - decades.lowerBound)
        var placed: [(start: Int, end: Int)] = []
        func place(_ decade: Int) {
            let text = glyphs.text(Self.decadeText(decade))
            let at = x + Int((Double(decade - decades.lowerBound) / span * Double(width)).rounded())
            let start = decade == decades.upperBound ? x + width - text.count : min(at, x + width - text.count)
            guard start >= x, !placed.contains(where: { start <= $0.end && start + text.count - 1 >= $0.start - 1 }) else { return }
            placed.append((start, start + text.count))
            buffer.write(text, x: start, y: y, style: .dim, clip: area)
        }
        place(decades.upperBound)
        for decade in decades.dropLast() { place(decade) }
    }
}
