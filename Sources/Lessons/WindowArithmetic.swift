import ConvKernels
import Foundation

/// A window's arithmetic written out, from the numbers the kernel reported for it.
///
/// Convolution: `3×0 + 3×1 + 2×2 + 1×(−1) = 12` (every term, in the order the kernel summed them),
/// one sum per channel and then the total for a multi-channel window, `12 + bias 1 = 13`,
/// `relu(13) = 13`. Pooling: `max(1, 3, 2, 4) = 4`, `(1 + 3 + 2 + 4) / 4 = 2.5`,
/// `1 + 3 + 2 + 4 = 10`, with padding cells written `pad`. Long sums wrap between terms; no line is
/// longer than `width` (the room the caller has, `maxLineWidth` by default) unless a single term
/// is. `ascii` writes `x` and `-` for `×` and `−`.
public enum WindowArithmetic {
    /// The widest line the arithmetic wraps to.
    public static let maxLineWidth = 60
    /// Pooling windows with more cells than this (a global average) show their sum, not every cell.
    public static let maxListedCells = 64

    /// The lines for one convolution window.
    ///
    /// - Parameters:
    ///   - bias: the filter's bias; the bias line appears when it (or the window's) is not 0.
    ///   - activation: the step's activation, shown as a last line with `output`.
    ///   - output: the value after the activation (ignored without one).
    public static func lines(for window: ConvWindow, bias: Float, activation: ActivationChoice?, output: Float,
                             ascii: Bool, width: Int = maxLineWidth) -> [String] {
        let writer = Writer(ascii: ascii)
        var lines: [String] = []
        // Runs of terms of one channel, in the kernel's order.
        var groups: [(channel: Int, terms: [ConvTerm])] = []
        for term in window.terms {
            if let last = groups.last, last.channel == term.inputChannel {
                groups[groups.count - 1].terms.append(term)
            } else {
                groups.append((term.inputChannel, [term]))
            }
        }
        // The kernel's own running sum: every term added in order, starting from 0.
        var total: Float = 0
        for term in window.terms { total += term.input * term.weight }

        if groups.count <= 1 {
            let products = window.terms.map { writer.product($0.input, $0.weight) }
            lines += wrap(width: width, prefix: "", items: products.isEmpty ? ["0"] : products, lineEnd: "", nextStart: "  + ",
                          separator: " + ", suffix: " = " + writer.number(total))
        } else {
            var channelSums: [Float] = []
            for group in groups {
                var sum: Float = 0
                for term in group.terms { sum += term.input * term.weight }
                channelSums.append(sum)
                lines += wrap(width: width, prefix: "channel \(group.channel + 1): ",
                              items: group.terms.map { writer.product($0.input, $0.weight) },
                              lineEnd: "", nextStart: "  + ", separator: " + ", suffix: " = " + writer.number(sum))
            }
            lines += wrap(width: width, prefix: "total: ", items: writer.sumItems(channelSums), lineEnd: "", nextStart: "  + ",
                          separator: " + ", suffix: " = " + writer.number(total))
        }
        if window.bias != 0 || bias != 0 {
            lines.append("\(writer.number(total)) + bias \(writer.operand(window.bias)) = \(writer.number(window.value))")
        }
        if let activation {
            switch activation {
            case .elementwise(let function):
                lines.append("\(function.name)(\(writer.number(window.value))) = \(writer.number(output))")
            case .softmax:
                lines.append("softmax over the channel: \(writer.number(window.value)) \(writer.arrow) \(writer.number(output))")
            }
        }
        return lines
    }

    /// The lines for one pooling window (`kind` says how its cells combine; global average pooling
    /// reads as an average of the whole grid).
    public static func lines(for window: PoolWindow, kind: PoolSpec.Kind, ascii: Bool,
                             width: Int = maxLineWidth) -> [String] {
        let writer = Writer(ascii: ascii)
        let value = writer.number(window.value)
        let cells = window.cells.map { $0.isPadding ? "pad" : writer.number($0.value) }
        switch kind {
        case .max:
            return wrap(width: width, prefix: "max(", items: cells, lineEnd: ",", nextStart: "    ", separator: ", ",
                        suffix: ") = " + value)
        case .sum:
            if window.cells.count > maxListedCells {
                return ["the sum of the \(window.cells.count) cells = \(value)"]
            }
            return wrap(width: width, prefix: "", items: sumItems(window.cells, writer), lineEnd: "", nextStart: "  + ",
                        separator: " + ", suffix: " = " + value)
        case .average, .globalAverage:
            if window.cells.count > maxListedCells {
                // The kernel's sum: the cells added in order from 0 (padding adds its 0).
                var sum: Float = 0
                for cell in window.cells where !cell.isPadding { sum += cell.value }
                return ["the sum of the \(window.cells.count) cells = \(writer.number(sum))",
                        "\(writer.number(sum)) / \(window.divisor) = \(value)"]
            }
            return wrap(width: width, prefix: "(", items: sumItems(window.cells, writer), lineEnd: "", nextStart: "   + ",
                        separator: " + ", suffix: ") / \(window.divisor) = " + value)
        }
    }

    // MARK: - Writing

    private static func sumItems(_ cells: [PoolCell], _ writer: Writer) -> [String] {
        cells.enumerated().map { index, cell in
            cell.isPadding ? "pad" : (index == 0 ? writer.number(cell.value) : writer.operand(cell.value))
        }
    }

    /// Numbers as `LessonNumber.format` writes them, with the typographic minus unless ascii.
    struct Writer {
        var ascii: Bool

        var times: String { ascii ? "x" : "×" }
        var arrow: String { ascii ? "->" : "→" }

        func number(_ value: Float) -> String {
            let text = LessonNumber.format(value)
            return ascii ? text : text.replacingOccurrences(of: "-", with: "\u{2212}")
        }

        /// A number inside a longer expression: negatives in brackets, "(−1)".
        func operand(_ value: Float) -> String {
            let text = number(value)
            return value < 0 || text.hasPrefix("-") || text.hasPrefix("\u{2212}") ? "(\(text))" : text
        }

        func product(_ input: Float, _ weight: Float) -> String {
            "\(operand(input))\(times)\(operand(weight))"
        }

        /// Numbers to add: the first as is, the rest bracketed when negative.
        func sumItems(_ values: [Float]) -> [String] {
            values.enumerated().map { $0.offset == 0 ? number($0.element) : operand($0.element) }
        }
    }

    /// `prefix + items joined by separator + suffix`, broken into lines of at most `width`
    /// characters between items: a broken line ends with `lineEnd`, the next starts with `nextStart`.
    static func wrap(width: Int, prefix: String, items: [String], lineEnd: String, nextStart: String, separator: String,
                     suffix: String) -> [String] {
        var lines: [String] = []
        var current = prefix
        var itemsOnLine = 0
        for item in items {
            if itemsOnLine == 0 {
                current += item
            } else if current.count + separator.count + item.count + (lineEnd.isEmpty ? 0 : lineEnd.count) > width {
                lines.append(current + lineEnd)
                current = nextStart + item
            } else {
                current += separator + item
            }
            itemsOnLine += 1
        }
        if current.count + suffix.count > width && itemsOnLine > 0 {
            lines.append(current)
            let trimmed = suffix.drop(while: { $0 == " " })
            current = String(repeating: " ", count: 2) + trimmed
        } else {
            current += suffix
        }
        lines.append(current)
        return lines
    }
}
