import ConvKernels

/// One line of arithmetic per window, written from what the kernel reported (never recomputed):
///
///     out[0,0]: 0x0 + 1x1 + 3x2 + 4x3 = 19
///     out[0,0]: 0(pad)x0 + 0(pad)x1 + 0(pad)x2 + 0x3 + 0.5 = 0.5
///     out[0,1]: max(2, 3, 5, 1) = 5 at in[1,2]
///     out[0,0]: (1 + 2 + 4 + 5) / 4 = 3
///
/// Padding cells read `(pad)` after their value; negative values are in parentheses.
public enum StepText {
    /// A convolution window: `input x weight` for every term in the order the kernel summed them,
    /// then the bias (when the convolution has one), then the value it wrote.
    public static func conv(_ window: ConvWindow, hasBias: Bool) -> String {
        var parts = window.terms.map { term in
            cell(term.input, isPadding: term.isPadding) + "x" + NumberText.term(term.weight)
        }
        if hasBias { parts.append(NumberText.term(window.bias)) }
        return position(window.outputRow, window.outputColumn)
            + parts.joined(separator: " + ") + " = " + NumberText.format(window.value)
    }

    /// A pooling window: every cell, and the winner for max pooling, the sum and divisor for
    /// average pooling, the sum for sum pooling.
    public static func pool(_ window: PoolWindow, kind: PoolKind) -> String {
        let value = NumberText.format(window.value)
        let prefix = position(window.outputRow, window.outputColumn)
        switch kind {
        case .max:
            // A comma list needs no parentheses around negative values.
            let cells = window.cells.map { NumberText.format($0.value) + ($0.isPadding ? "(pad)" : "") }
            var text = prefix + "max(" + cells.joined(separator: ", ") + ") = " + value
            if let winner = window.winner, window.cells.indices.contains(winner) {
                text += " at in[\(window.cells[winner].inputRow),\(window.cells[winner].inputColumn)]"
            }
            return text
        case .average:
            let sum = window.cells.map { cell($0.value, isPadding: $0.isPadding) }.joined(separator: " + ")
            return prefix + "(" + sum + ") / \(window.divisor) = " + value
        case .sum:
            let sum = window.cells.map { cell($0.value, isPadding: $0.isPadding) }.joined(separator: " + ")
            return prefix + sum + " = " + value
        }
    }

    /// About how many bytes `lines` step lines of `itemsPerLine` terms or cells take as text
    /// (nil: too many to count), so `--steps` is budgeted before a window is recorded.
    public static func estimatedBytes(lines: Int?, itemsPerLine: Int?) -> Int? {
        guard let lines, let itemsPerLine, let perLine = ResourceBudget.product(itemsPerLine, 24) else { return nil }
        return ResourceBudget.sum(perLine, 64).flatMap { ResourceBudget.product(lines, $0) }
    }

    private static func position(_ row: Int, _ column: Int) -> String {
        "out[\(row),\(column)]: "
    }

    private static func cell(_ value: Float, isPadding: Bool) -> String {
        isPadding ? NumberText.format(value) + "(pad)" : NumberText.term(value)
    }
}
