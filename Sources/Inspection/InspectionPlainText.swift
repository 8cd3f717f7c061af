import ConvKernels
import Foundation
import Imaging
import TerminalUI
import Networks

/// An `ImageInspection` as plain text, for `convtutor inspect --plain`: the same content as the
/// screen, in lines that can be piped, read by a screen reader or pasted into notes.
///
/// Maps are drawn two characters per cell (so they look square) in shades from the lowest to the
/// highest value of each map, with their minimum and maximum; `numbers` adds every map's values as
/// a grid. Fully connected layers and the probabilities are bars.
public struct InspectionPlainText: Sendable {
    public var glyphs: GlyphSet
    /// Whether to print every map's values as well as its shades.
    public var numbers: Bool
    /// The widest line for maps laid side by side.
    public var width: Int

    public init(glyphs: GlyphSet = .unicode, numbers: Bool = false, width: Int = 100) {
        (self.glyphs, self.numbers, self.width) = (glyphs, numbers, max(width, 40))
    }

    public func render(_ inspection: ImageInspection) -> String {
        var lines: [String] = []
        let original = inspection.original
        lines.append("Image: \(inspection.imageName) (\(original.detail), \(original.width)x\(original.height))")
        lines.append("Model: \(inspection.modelName)")
        let prediction = inspection.prediction
        lines.append("Prediction: \(prediction) (\(percent(inspection.probabilities[prediction])))")
        lines.append("")
        lines.append("Probabilities (softmax of the logits)")
        for (digit, probability) in inspection.probabilities.enumerated() {
            let marker = digit == prediction ? " <" : ""
            lines.append("  \(digit) \(bar(probability, of: 1, width: 40)) \(pad(percent(probability), 6))\(marker)")
        }
        lines.append("")
        lines += preprocessing(inspection)
        lines.append("")
        lines.append("Layers (shades from each map's lowest value, blank, to its highest, \(shadeLegend))")
        for (index, layer) in inspection.layers.enumerated() {
            lines.append("")
            lines += layer.isMap ? maps(layer, index: index) : vector(layer)
        }
        return lines.map(glyphsText).joined(separator: "\n") + "\n"
    }

    // MARK: Sections

    private func preprocessing(_ inspection: ImageInspection) -> [String] {
        let steps = inspection.preprocessing.steps
        let centred = inspection.preprocessing.centred, input = inspection.input
        let read = (centred.width, centred.height) == (input.width, input.height)
            ? "the last image" : "the last image resized to its input, \(input.width)x\(input.height)"
        var lines = wrap("Preprocessing (MNIST's recipe; the network reads \(read), normalised with mean "
                         + "\(InspectionNumber.short(inspection.mean)) and standard deviation "
                         + "\(InspectionNumber.short(inspection.standardDeviation)))", indent: "  ")
        var blocks: [[String]] = []
        for (index, step) in steps.enumerated() {
            lines += wrap("  \(index + 1). \(step.title): \(step.note)", indent: "     ")
            // Larger steps are shown at most 28 cells on their longer side, each on a 0...1 scale.
            let image = step.image
            let (columns, rows) = image.width <= 28 && image.height <= 28
                ? (image.width, image.height) : fit(width: image.width, height: image.height, into: 28)
            let shown = (columns, rows) == (image.width, image.height) ? image : image.resized(width: columns, height: rows)
            let sized = (columns, rows) == (image.width, image.height) ? "" : " (shown \(columns)x\(rows))"
            blocks.append(["\(index + 1). \(step.title)\(sized)"] + shadeRows(shown.pixels, rows: rows, columns: columns, range: 0...1))
        }
        return lines + [""] + sideBySide(blocks)
    }

    private func maps(_ layer: InspectedLayer, index: Int) -> [String] {
        var lines = [layer.title]
        var blocks: [[String]] = []
        for channel in 0..<layer.channels {
            let range = layer.range(ofMap: channel)
            let label = layer.channels == 1 ? "" : "map \(channel + 1): "
            let header = "\(label)\(InspectionNumber.short(range.lowerBound)) to \(InspectionNumber.short(range.upperBound))"
            let start = channel * layer.height * layer.width
            let values = Array(layer.values.data[start..<(start + layer.height * layer.width)])
            blocks.append([header] + shadeRows(values, rows: layer.height, columns: layer.width, range: range))
        }
        lines += sideBySide(blocks)
        if numbers {
            for channel in 0..<layer.channels {
                lines.append("")
                lines.append(layer.channels == 1 ? "\(layer.name) values:" : "\(layer.name) map \(channel + 1) values:")
                let grid = layer.map(channel).map { $0.map(InspectionNumber.short) }
                let cellWidth = grid.joined().map(\.count).max() ?? 1
                lines += grid.map { "  " + $0.map { pad($0, cellWidth) }.joined(separator: " ") }
            }
        }
        return lines
    }

    private func vector(_ layer: InspectedLayer) -> [String] {
        let values = layer.values.data
        let largest = values.map(abs).max() ?? 0
        var lines = wrap(layer.title + " (bars up to the largest magnitude, \(InspectionNumber.short(largest)); "
                         + "a negative value's bar is marked -)", indent: "  ")
        let labelWidth = String(values.count).count
        for (index, value) in values.enumerated() {
            let label = layer.isOutput ? "digit \(index)" : pad(String(index + 1), labelWidth)
            let sign = value < 0 ? "-" : " "
            lines.append("  \(label) \(sign)\(bar(abs(value), of: largest, width: 30)) \(pad(InspectionNumber.short(value), 8))")
        }
        return lines
    }

    // MARK: Drawing

    private var ramp: [Character] { ColorScale.sequential.shadeRamp(for: glyphs) }

    private var shadeLegend: String { "\"" + String(ramp) + "\"" }

    /// One text row per grid row, two characters per cell.
    private func shadeRows(_ values: [Float], rows: Int, columns: Int, range: ClosedRange<Float>) -> [String] {
        let ramp = self.ramp
        let span = range.upperBound - range.lowerBound
        return (0..<rows).map { row in
            String((0..<columns).flatMap { column -> [Character] in
                let value = values[row * columns + column]
                let position = span > 0 ? (value - range.lowerBound) / span : 0
                let level = min(ramp.count - 1, max(0, Int((position * Float(ramp.count - 1)).rounded())))
                return [ramp[level], ramp[level]]
            })
        }
    }

    /// Blocks of lines placed side by side with two spaces between, wrapping at `width`.
    private func sideBySide(_ blocks: [[String]]) -> [String] {
        var lines: [String] = []
        var row: [[String]] = []
        var used = 0
        func flush() {
            guard !row.isEmpty else { return }
            let widths = row.map { $0.map(\.count).max() ?? 0 }
            let height = row.map(\.count).max() ?? 0
            for line in 0..<height {
                let parts = zip(row, widths).map { block, blockWidth in pad(line < block.count ? block[line] : "", blockWidth, left: true) }
                lines.append(("  " + parts.joined(separator: "  ")).trailingSpacesRemoved)
            }
            lines.append("")
            row = []
            used = 0
        }
        for block in blocks {
            let blockWidth = block.map(\.count).max() ?? 0
            if !row.isEmpty && used + 2 + blockWidth > width { flush() }
            row.append(block)
            used += (used == 0 ? 2 : 2) + blockWidth
        }
        flush()
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private func bar(_ value: Float, of maximum: Float, width: Int) -> String {
        let cells = maximum > 0 ? max(0, min(1, value / maximum)) * Float(width) : 0
        let eighths = Int((cells * 8).rounded())
        let partials = Glyphs(glyphs).horizontalEighths
        let whole = partials.isEmpty ? Int(cells.rounded()) : eighths / 8
        var text = String(repeating: Glyphs(glyphs).fullBlock, count: whole)
        if !partials.isEmpty && eighths % 8 > 0 { text.append(partials[eighths % 8 - 1]) }
        return pad(text, width, left: true)
    }

    /// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole),
    /// the lines after the first indented by `indent`.
    private func wrap(_ text: String, indent: String) -> [String] {
        let leading = String(text.prefix { $0 == " " })
        var lines: [String] = []
        var line = leading
        for word in text.dropFirst(leading.count).split(separator: " ") {
            if line.count > leading.count && line.count + 1 + word.count > width {
                lines.append(line)
                line = indent + word
            } else {
                line += (line.count > leading.count ? " " : "") + word
            }
        }
        lines.append(line)
        return lines
    }

    private func fit(width: Int, height: Int, into side: Int) -> (Int, Int) {
        width >= height ? (side, max(1, Int((Float(height) * Float(side) / Float(width)).rounded())))
                        : (max(1, Int((Float(width) * Float(side) / Float(height)).rounded())), side)
    }

    private func percent(_ probability: Float) -> String {
        String(format: "%.1f%%", Double(probability) * 100)
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + fill : fill + text
    }

    private func glyphsText(_ line: String) -> String {
        Glyphs(glyphs).text(line)
    }
}

/// Numbers as the inspector prints them: up to three decimals, no trailing zeros, and `-0` as 0.
enum InspectionNumber {
    static func short(_ value: Float) -> String {
        guard value.isFinite else { return "\(value)" }
        if abs(value) >= 1000 { return String(format: "%.0f", Double(value)) }
        var text = String(format: "%.3f", Double(value))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}

private extension String {
    var trailingSpacesRemoved: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
