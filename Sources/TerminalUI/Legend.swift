/// A colour bar with its value range labelled, drawn on one row:
///
/// ```
/// 0 ████████████ 255           sequential, greyscale
/// -0.52 ██████ 0 ██████ 0.52   diverging: the bar is split at zero
/// 0 .:-=+*#%@ 1                monochrome ASCII: the shade ramp
/// ```
///
/// The bar runs from the mapping's lower bound to its upper one, its first and last cells in
/// exactly their colours (shades in monochrome); the diverging bar's halves run from each end
/// towards zero. Labels are the bounds with three significant digits, or `decimals` decimals when
/// given. When the row is too narrow for the labels and a bar of two cells, only the bar is drawn.
public struct Legend: Hashable, Sendable {
    public var mapping: ColorMapping
    /// Decimals of the labels; nil for three significant digits (`0.52`, `255`, `1.2e-4`).
    public var decimals: Int?

    public init(mapping: ColorMapping, decimals: Int? = nil) {
        self.mapping = mapping
        self.decimals = decimals
    }

    /// The legend of a scale over `range` (made symmetric for `.diverging`, as heatmaps do).
    public init(scale: ColorScale, range: ValueRange, decimals: Int? = nil) {
        self.init(mapping: ColorMapping(scale: scale, range: range), decimals: decimals)
    }

    /// The legend of the colours `heatmap` is drawn with.
    public init(for heatmap: Heatmap, decimals: Int? = nil) {
        self.init(mapping: heatmap.mapping, decimals: decimals)
    }

    /// The label of a bound.
    public func label(_ value: Float) -> String {
        if let decimals { return HeatmapNumberText.fixed(value, decimals: decimals) }
        return HeatmapNumberText.compact(value)
    }

    /// The width the legend takes with a bar of `barWidth` cells (split in two halves for diverging).
    public func width(barWidth: Int) -> Int {
        let labels = label(mapping.range.lower).count + label(mapping.range.upper).count + 2
        return labels + max(0, barWidth) + (mapping.scale == .diverging ? 3 : 0)
    }

    /// Draws the legend on the first row of `area`, the bar filling what the labels leave.
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let row = Rect(x: area.x, y: area.y, width: area.width, height: 1)
        let lowerText = label(mapping.range.lower), upperText = label(mapping.range.upper)
        let diverging = mapping.scale == .diverging
        let barWidth = area.width - (width(barWidth: 0))
        guard barWidth >= 2 else {
            drawBar(.whole, x: row.x, width: row.width, row: row, capabilities: capabilities, into: &buffer)
            return
        }
        var x = buffer.write(lowerText + " ", x: row.x, y: row.y, clip: row)
        if diverging {
            let left = barWidth / 2, right = barWidth - left
            drawBar(.negativeHalf, x: x, width: left, row: row, capabilities: capabilities, into: &buffer)
            x = buffer.write(" 0 ", x: x + left, y: row.y, clip: row)
            drawBar(.positiveHalf, x: x, width: right, row: row, capabilities: capabilities, into: &buffer)
            x += right
        } else {
            drawBar(.whole, x: x, width: barWidth, row: row, capabilities: capabilities, into: &buffer)
            x += barWidth
        }
        buffer.write(" " + upperText, x: x, y: row.y, clip: row)
    }

    enum BarPart {
        /// The whole scale, its first and last cells exactly at the ends.
        case whole
        /// From the start towards the middle (zero), stopping short of it.
        case negativeHalf
        /// From just past the middle to the end.
        case positiveHalf
    }

    /// The scale step (0...256) of cell `index` of a bar of `count` cells.
    static func step(_ index: Int, of count: Int, part: BarPart) -> Int {
        let steps = ColorScaleTable.steps, middle = ColorScaleTable.steps / 2
        switch part {
        case .whole: return count == 1 ? middle : steps * index / (count - 1)
        case .negativeHalf: return middle * index / count
        case .positiveHalf: return middle + middle * (index + 1) / count
        }
    }

    private func drawBar(_ part: BarPart, x: Int, width: Int, row: Rect, capabilities: TerminalCapabilities,
                         into buffer: inout CellBuffer) {
        for index in 0..<max(0, width) where x + index >= row.x && x + index < row.maxX {
            buffer[x + index, row.y] = cell(step: Legend.step(index, of: width, part: part), capabilities: capabilities)
        }
    }

    private func cell(step: Int, capabilities: TerminalCapabilities) -> Cell {
        if capabilities.colors == .monochrome {
            let ramp = mapping.scale.shadeRamp(for: capabilities.glyphs)
            return Cell(ramp[ColorMapping.rampIndex(step: step, count: ramp.count)])
        }
        return Cell(" ", style: Style(background: mapping.scale.table.colors(for: capabilities.colors)[step]))
    }
}
