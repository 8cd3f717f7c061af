import ConvKernels
import Networks

/// A network's summary as `convtutor model --arch` prints it: a text table with a row per layer
/// (a block's layers indented under it) and the totals, or the same as JSON.
enum ModelTable {
    /// Columns: the layer's label, its kind indented two spaces a level, its output shape, its
    /// parameters and its multiply-adds, with digits grouped; the totals under them.
    static func text(_ summary: NetworkSummary) -> String {
        let header = ["layer", "kind", "output shape", "parameters", "multiply-adds"]
        let rows = summary.rows.map { row in
            [row.label, String(repeating: "  ", count: row.depth) + row.kind, row.outputShape.description,
             ResourceBudget.groupedDigits(row.parameters), ResourceBudget.groupedDigits(row.multiplyAdds)]
        }
        let total = ["total", "", "", ResourceBudget.groupedDigits(summary.parameters),
                     ResourceBudget.groupedDigits(summary.multiplyAdds)]
        let widths = header.indices.map { column in ([header, total] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                // Text left, counts right; two spaces between columns.
                pad(cells[column], widths[column], right: column >= 3)
            }.joined(separator: "  ")
        }
        var lines = ["\(summary.name): \(summary.input) in, \(summary.output) scores out", "", line(header)]
        lines += rows.map(line)
        lines += [line(total), "", totalsSentence(parameters: summary.parameters, multiplyAdds: summary.multiplyAdds)]
        return lines.map { $0.trailingSpacesRemoved }.joined(separator: "\n")
    }

    /// `{"name": ..., "input": [C, H, W], "parameters": N, "multiply_adds": M, "layers": [{"name",
    /// "kind", "output_shape", "parameters", "multiply_adds"}, ...]}`, a layer's name being its label.
    static func json(_ summary: NetworkSummary) -> String {
        func shape(_ shape: FeatureShape) -> String { "[" + shape.dimensions.map(String.init).joined(separator: ", ") + "]" }
        let layers = summary.rows.map { row in
            "    " + JSONText.object([
                ("name", JSONText.string(row.label)), ("kind", JSONText.string(row.kind)),
                ("output_shape", shape(row.outputShape)), ("parameters", String(row.parameters)),
                ("multiply_adds", String(row.multiplyAdds)),
            ])
        }
        return "{\"name\": \(JSONText.string(summary.name)), \"input\": \(shape(summary.input)), "
            + "\"parameters\": \(summary.parameters), \"multiply_adds\": \(summary.multiplyAdds), \"layers\": [\n"
            + layers.joined(separator: ",\n") + "\n]}"
    }

    /// The line under every table: the totals in words, and what the parameters weigh.
    static func totalsSentence(parameters: Int, multiplyAdds: Int) -> String {
        "Parameters: \(ResourceBudget.groupedDigits(parameters)) (\(ResourceBudget.groupedDigits(parameters * 4)) bytes "
            + "as 32-bit floats). Multiply-adds per image, forward: \(ResourceBudget.groupedDigits(multiplyAdds))."
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}

private extension String {
    var trailingSpacesRemoved: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
