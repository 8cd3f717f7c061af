import TerminalUI
import Training
import Networks
import Datasets

/// The training screen's validation results for an epoch: the confusion matrix, each digit's
/// precision and recall, the pairs confused most often, and a gallery of misclassified digits
/// with "true → predicted" under each.
///
/// The matrix, the table and the pairs sit side by side when the width allows and are stacked
/// otherwise; the gallery takes what height is left, with smaller digits (or fewer) when short.
public struct TrainingConfusionView: Sendable {
    public var report: EvaluationReport

    public init(report: EvaluationReport) {
        self.report = report
    }

    public init(report: EpochReport) {
        self.report = report.evaluation
    }

    public var matrix: LabelledMatrix {
        let confusion = report.confusion
        return LabelledMatrix((0..<confusion.classes).map { actual in
            (0..<confusion.classes).map { confusion[actual: actual, predicted: $0] }
        })
    }

    /// `digit  prec  recall` rows, a dash where a figure is undefined.
    public var precisionRecallLines: [String] {
        let confusion = report.confusion
        func percent(_ value: Double?) -> String {
            guard let value else { return "    –" }
            let text = NumberGrid.format(value * 100, decimals: 1)
            return String(repeating: " ", count: max(0, 5 - text.count)) + text
        }
        return ["  prec%  rec%"] + (0..<confusion.classes).map { c in
            "\(c) \(percent(confusion.precision(c))) \(percent(confusion.recall(c)))"
        }
    }

    /// "4 → 9  ×5" for the most confused pairs (true → predicted, count); `->` in ASCII.
    public func confusedPairLines(glyphs: GlyphSet = .unicode) -> [String] {
        let pairs = report.confusion.mostConfused(limit: 5)
        let arrow = TrainingViewDrawing.arrow(glyphs)
        return ["most confused"] + (pairs.isEmpty ? ["none"] : pairs.map { "\($0.actual) \(arrow) \($0.predicted)  ×\($0.count)" })
    }

    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        buffer.fill(area)
        let glyphs = capabilities.glyphs.glyphs
        let confusion = report.confusion
        let accuracy = NumberGrid.format(confusion.accuracy * 100, decimals: 1)
        let set = report.isValidation ? "validation" : "test"
        let when = report.onRequest ? "at step \(report.step)" : "after epoch \(report.epoch)"
        TrainingViewDrawing.write("\(set) \(when): \(accuracy)% right, \(confusion.correct) of "
            + "\(confusion.total)", x: area.x, y: area.y, in: area, style: .bold, into: &buffer, glyphs: glyphs)
        var y = area.y + 1
        guard y < area.maxY else { return }

        // The matrix, the table and the pairs, left to right while they fit, each wrapping under the row.
        let matrix = self.matrix
        // Compact (no space between columns) only when the full matrix does not fit: counts as
        // wide as their column would touch ("2" and "488" read as 2488).
        let matrixSize = matrix.size(glyphs: capabilities.glyphs, compact: area.width < matrix.size(glyphs: capabilities.glyphs).width)
        let confusedPairLines = confusedPairLines(glyphs: capabilities.glyphs)
        let blocks: [(width: Int, lines: [String]?)] = [
            (min(matrixSize.width, area.width), nil),
            (precisionRecallLines.map(\.count).max() ?? 0, precisionRecallLines),
            (confusedPairLines.map { glyphs.text($0).count }.max() ?? 0, confusedPairLines),
        ]
        // Beside the matrix, the table starts on the matrix's column labels, so that each digit's
        // precision and recall sit on that digit's row (the matrix has a title line above them).
        let matrixY = y
        let besideMatrix = max(0, matrixSize.height - confusion.classes - 1)
        var x = area.x, rowHeight = 0
        var pairsShown = false
        for (blockIndex, block) in blocks.enumerated() {
            if x > area.x && x + block.width > area.maxX {
                y += rowHeight + 1
                x = area.x
                rowHeight = 0
            }
            let offset = block.lines != nil && y == matrixY ? besideMatrix : 0
            let height = (block.lines?.count ?? matrixSize.height) + offset
            guard y + offset < area.maxY else { break }
            let top = y + offset
            let box = Rect(x: x, y: top, width: min(block.width, area.maxX - x), height: min(height - offset, area.maxY - top))
            if blockIndex == blocks.count - 1 { pairsShown = true }
            if let lines = block.lines {
                // Lines cut at the bottom: the last one shown says how many more there are.
                let visible = min(lines.count, box.height)
                for (index, line) in lines.prefix(visible).enumerated() {
                    var text = line
                    // The last block of a row may run on to the area's edge.
                    let room = blockIndex == blocks.count - 1 ? Rect(x: x, y: box.y, width: area.maxX - x, height: box.height) : box
                    if index == visible - 1 && visible < lines.count {
                        // Appended to the last line shown, or in its place (then that line counts too).
                        let more = "+\(lines.count - visible) more"
                        text = line.count + 1 + more.count <= room.width ? line + " " + more
                            : glyphs.ellipsis + "+\(lines.count - visible + 1) more"
                    }
                    TrainingViewDrawing.write(text, x: x, y: top + index, in: room, style: index == 0 ? .dim : .plain,
                                              into: &buffer, glyphs: glyphs)
                }
            } else {
                matrix.render(in: box, into: &buffer, capabilities: capabilities)
                // Rows cut at the bottom: the last row shown says which are missing.
                let headerRows = matrixSize.height - confusion.classes
                let shownRows = box.height - headerRows
                if shownRows >= 1 && shownRows < confusion.classes {
                    let row = Rect(x: box.x, y: box.maxY - 1, width: box.width, height: 1)
                    buffer.fill(row)
                    TrainingViewDrawing.write("\(glyphs.ellipsis) rows \(shownRows - 1)-\(confusion.classes - 1) cut",
                                              x: row.x, y: row.y, in: row, style: .dim, into: &buffer, glyphs: glyphs)
                }
            }
            x += block.width + 2
            rowHeight = max(rowHeight, height)
        }
        if !pairsShown { noteMostConfused(matrixRow: matrixY, in: area, into: &buffer, glyphs: capabilities.glyphs) }
        y += rowHeight + 1
        guard y < area.maxY else { return }
        renderGallery(in: Rect(x: area.x, y: y, width: area.width, height: area.maxY - y), into: &buffer,
                      capabilities: capabilities)
    }

    /// With no row left for the most confused pairs, the likeliest one and how many more on the
    /// matrix's axis line, after its "actual ↓  predicted →".
    private func noteMostConfused(matrixRow y: Int, in area: Rect, into buffer: inout CellBuffer, glyphs: GlyphSet) {
        let pairs = confusedPairLines(glyphs: glyphs).dropFirst()
        guard let first = pairs.first, area.contains(x: area.x, y: y) else { return }
        var end = area.x
        for x in area.x..<area.maxX where buffer[x, y].character != " " { end = x + 1 }
        let more = pairs.count > 1 ? " +\(pairs.count - 1) more" : ""
        // A column short of the edge: a note that fits exactly is not taken for one cut there.
        let room = Rect(x: area.x, y: y, width: max(0, area.width - 1), height: 1)
        TrainingViewDrawing.write("most confused " + first + more, x: end + 2, y: y, in: room, style: .dim,
                                  into: &buffer, glyphs: glyphs.glyphs)
    }

    /// The thumbnail size (columns) the gallery uses in `area`, nil when not even a small one fits.
    static func thumbnailWidth(area: Rect, count: Int, halfBlocks: Bool, captionWidth: Int) -> Int? {
        for width in [28, 21, 14, 10, 7] {
            let height = (halfBlocks ? (width + 1) / 2 : width) + 1
            let pitch = max(width, captionWidth) + 2
            if height + 1 <= area.height && pitch - 2 <= area.width { return width }
        }
        _ = count
        return nil
    }

    private func renderGallery(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let glyphs = capabilities.glyphs.glyphs
        let examples = report.misclassified
        guard !examples.isEmpty else {
            TrainingViewDrawing.write(report.confusion.total == report.confusion.correct ? "no misclassified digits"
                : "misclassified digits: none kept", x: area.x, y: area.y, in: area, style: .dim, into: &buffer, glyphs: glyphs)
            return
        }
        let halfBlocks = TrainingViewDrawing.usesHalfBlocks(capabilities)
        let arrow = TrainingViewDrawing.arrow(capabilities.glyphs)
        let captionWidth = "0 \(arrow) 0".count
        guard let width = Self.thumbnailWidth(area: area, count: examples.count, halfBlocks: halfBlocks,
                                              captionWidth: captionWidth) else {
            TrainingViewDrawing.write("misclassified: " + examples.map { "\($0.label) \(arrow) \($0.predicted)" }
                .joined(separator: ", "), x: area.x, y: area.y, in: area, style: .dim, into: &buffer, glyphs: glyphs)
            return
        }
        let imageHeight = halfBlocks ? (width + 1) / 2 : width
        let pitch = max(width, captionWidth) + 2
        let perRow = max(1, (area.width + 2) / pitch)
        let rows = max(1, (area.height - 1) / (imageHeight + 1))
        let shown = min(examples.count, perRow * rows)
        let more = examples.count > shown ? " (\(shown) shown)" : ""
        // The digits' size, and the size drawn when they are shrunk to fit.
        let first = examples[0]
        let sample = Heatmap(rows: first.rows, columns: first.columns, values: first.pixels, mode: .halfBlocks, scaling: .fit)
        let size = "\(first.rows)×\(first.columns)" + TrainingProbeView.drawnText(
            sample, in: Rect(x: area.x, y: area.y + 1, width: width, height: imageHeight), capabilities: capabilities)
        TrainingViewDrawing.write("misclassified (true \(arrow) predicted), first \(examples.count)\(more), \(size)", x: area.x, y: area.y,
                                  in: area, style: .dim, into: &buffer, glyphs: glyphs)
        for (index, example) in examples.prefix(shown).enumerated() {
            let x = area.x + (index % perRow) * pitch
            let top = area.y + 1 + (index / perRow) * (imageHeight + 1)
            let map = Heatmap(rows: example.rows, columns: example.columns, values: example.pixels, scale: .greyscale,
                              range: ValueRange(lower: 0, upper: 1), mode: .halfBlocks, scaling: .fit)
            map.render(in: Rect(x: x, y: top, width: width, height: imageHeight).intersection(area), into: &buffer,
                       capabilities: capabilities)
            TrainingViewDrawing.write("\(example.label) \(arrow) \(example.predicted)", x: x, y: top + imageHeight, in: area,
                                      style: .bold, into: &buffer, glyphs: glyphs)
        }
    }
}
