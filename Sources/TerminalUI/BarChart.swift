/// Bars with labels and values, such as a softmax's probabilities for the digits 0 to 9:
///
/// ```
/// 6 ▏          0.01
/// 7 █████████▊ 0.97     (maxValue 1: a full bar is probability 1)
/// ```
///
/// Bars are drawn to the nearest eighth of a cell (whole cells of `#` in ASCII), scaled so that
/// `maxValue` (the largest value when nil) fills the bar area; negative values draw no bar. The
/// largest value's label, bar and value are highlighted: green and bold in colour, bold in
/// monochrome, where the other bars are dim.
///
/// Horizontally each bar takes a row: label, bar, value. Vertically each bar takes a column
/// `barWidth` wide with its label below and, when every value fits in `barWidth`, its value above.
public struct BarChart: Hashable, Sendable {
    public struct Bar: Hashable, Sendable {
        public var label: String
        public var value: Double

        public init(_ label: String, _ value: Double) {
            self.label = label
            self.value = value
        }
    }

    public enum Orientation: Hashable, Sendable {
        case horizontal
        case vertical
    }

    public var bars: [Bar]
    /// The value of a full bar; the largest value when nil.
    public var maxValue: Double?
    public var decimals: Int
    public var highlightsLargest: Bool
    public var orientation: Orientation
    /// Columns per bar in vertical mode.
    public var barWidth: Int

    public init(_ bars: [Bar], maxValue: Double? = nil, decimals: Int = 2, highlightsLargest: Bool = true,
                orientation: Orientation = .horizontal, barWidth: Int = 3) {
        self.bars = bars
        self.maxValue = maxValue
        self.decimals = decimals
        self.highlightsLargest = highlightsLargest
        self.orientation = orientation
        self.barWidth = barWidth
    }

    /// Bars labelled "0", "1", ... for `values` (a softmax's probabilities by class).
    public init(values: [Double], maxValue: Double? = nil, decimals: Int = 2) {
        self.init(values.enumerated().map { Bar(String($0.offset), $0.element) }, maxValue: maxValue, decimals: decimals)
    }

    /// The index of the largest value (the first of equals), nil when there are no bars.
    public var largestIndex: Int? {
        var best: (index: Int, value: Double)?
        for (index, bar) in bars.enumerated() where !bar.value.isNaN {
            if let current = best, bar.value <= current.value { continue }
            best = (index, bar.value)
        }
        return best?.index
    }

    /// The fraction of the bar area that `value` fills.
    public func fraction(of value: Double) -> Double {
        let scale = maxValue ?? bars.map(\.value).filter { $0.isFinite }.max() ?? 0
        guard scale > 0, !value.isNaN else { return 0 }
        return min(1, max(0, value / scale))
    }

    /// Whether bar `index` is drawn highlighted.
    public func isHighlighted(_ index: Int) -> Bool { highlightsLargest && index == largestIndex }

    /// The style of bar `index`'s blocks.
    public func barStyle(forBar index: Int, colors: ColorMode) -> Style {
        if colors == .monochrome { return isHighlighted(index) ? .bold : .dim }
        return isHighlighted(index) ? Style(foreground: .green, attributes: .bold) : Style(foreground: .blue)
    }

    /// The style of bar `index`'s label and value.
    public func textStyle(forBar index: Int, colors: ColorMode) -> Style {
        guard isHighlighted(index) else { return .plain }
        return colors == .monochrome ? .bold : Style(foreground: .green, attributes: .bold)
    }

    /// Draws into `area`, clipped to it.
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty, !bars.isEmpty else { return }
        switch orientation {
        case .horizontal: renderHorizontal(in: area, into: &buffer, capabilities: capabilities)
        case .vertical: renderVertical(in: area, into: &buffer, capabilities: capabilities)
        }
    }

    private func valueText(_ value: Double) -> String { NumberGrid.format(value, decimals: decimals) }

    private func renderHorizontal(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let glyphs = capabilities.glyphs.glyphs
        let labels = bars.map { glyphs.text($0.label) }
        let values = bars.map { valueText($0.value) }
        let labelWidth = labels.map(\.count).max() ?? 0
        let valueWidth = values.map(\.count).max() ?? 0
        let barX = area.x + (labelWidth > 0 ? labelWidth + 1 : 0)
        let barWidth = max(0, area.maxX - barX - valueWidth - 1)
        for (index, bar) in bars.enumerated() {
            let y = area.y + index
            guard y < area.maxY else { break }
            let barStyle = self.barStyle(forBar: index, colors: capabilities.colors)
            let textStyle = self.textStyle(forBar: index, colors: capabilities.colors)
            buffer.write(labels[index], x: area.x + labelWidth - labels[index].count, y: y, style: textStyle, clip: area)
            buffer.write(glyphs.horizontalBar(fraction: fraction(of: bar.value), width: barWidth), x: barX, y: y,
                         style: barStyle, clip: area)
            let valueX = barX + barWidth + 1 + valueWidth - values[index].count
            buffer.write(values[index], x: valueX, y: y, style: textStyle, clip: area)
        }
    }

    private func renderVertical(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let glyphs = capabilities.glyphs.glyphs
        let width = max(1, barWidth)
        let values = bars.map { valueText($0.value) }
        let showsValues = values.allSatisfy { $0.count <= width } && area.height >= 3
        let barTop = area.y + (showsValues ? 1 : 0)
        let barHeight = max(0, area.maxY - 1 - barTop)
        for (index, bar) in bars.enumerated() {
            let left = area.x + index * (width + 1)
            guard left < area.maxX else { break }
            let barStyle = self.barStyle(forBar: index, colors: capabilities.colors)
            let textStyle = self.textStyle(forBar: index, colors: capabilities.colors)
            let column = glyphs.verticalBar(fraction: fraction(of: bar.value), height: barHeight)
            for (row, character) in column.enumerated() where character != " " {
                buffer.write(String(repeating: character, count: width), x: left, y: barTop + row, style: barStyle, clip: area)
            }
            let label = glyphs.truncated(bar.label, toWidth: width)
            buffer.write(label, x: left + (width - label.count) / 2, y: area.maxY - 1, style: textStyle, clip: area)
            if showsValues {
                buffer.write(values[index], x: left + width - values[index].count, y: area.y, style: textStyle, clip: area)
            }
        }
    }
}
