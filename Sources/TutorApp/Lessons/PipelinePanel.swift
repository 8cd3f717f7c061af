import ConvKernels
import Lessons
import TerminalUI

/// A pipeline step: the input and every stage's output left to right (input -> conv -> relu ->
/// pool), each grid with its shape, and the shapes in one line ("6x6 → 4x4 → 4x4 → 2x2").
///
/// Left/Right choose a stage; Down (or Space) and Up step through its windows (conv and pool stages) with the
/// window highlighted on the stage's input (padding included and marked), the output cell it
/// wrote highlighted, and the window's arithmetic under the grids (`WindowArithmetic`). An
/// activation stage steps cell by cell: "relu(-2) = 0". The grids left of the stage's input show the
/// window's receptive field: the cells that feed it, followed back through the earlier stages'
/// windows ("it sees a 5x5 patch of the input"). Everything shown is the trace: the kernels' own
/// calls, recorded through their window observers.
public final class PipelinePanel: StepPanel {
    public let trace: PipelineTrace
    /// The chosen stage, an index into `trace.stages`.
    private(set) var selectedStage = 0
    /// The window (or, for an activation, the cell) shown in each stage.
    private(set) var windowIndex: [Int]

    /// For each conv and pool stage, the index into its windows of the window that wrote each output cell.
    private let windowAt: [[GridCell: Int]]

    public init(trace: PipelineTrace) {
        self.trace = trace
        windowIndex = Array(repeating: 0, count: trace.stages.count)
        windowAt = trace.stages.map { stage in
            var table: [GridCell: Int] = [:]
            switch stage {
            case .conv(let conv):
                for (index, window) in conv.windows.enumerated() {
                    table[GridCell(window.outputChannel, window.outputRow, window.outputColumn)] = index
                }
            case .pool(let pool):
                for (index, window) in pool.windows.enumerated() {
                    table[GridCell(window.channel, window.outputRow, window.outputColumn)] = index
                }
            case .activation:
                break
            }
            return table
        }
    }

    /// A cell of a grid stack.
    struct GridCell: Hashable {
        var channel: Int
        var row: Int
        var column: Int

        init(_ channel: Int, _ row: Int, _ column: Int) {
            self.channel = channel
            self.row = row
            self.column = column
        }
    }

    public var keyHelp: [KeyHint] {
        guard !trace.stages.isEmpty else { return [] }
        var hints: [KeyHint] = []
        if trace.stages.count > 1 { hints.append(KeyHint("←→", "stage")) }
        hints.append(KeyHint("↑↓", isActivation(selectedStage) ? "cell" : "window"))
        hints.append(KeyHint("Home End", "first, last"))
        return hints
    }

    public func handle(_ event: KeyEvent) -> Bool {
        guard !trace.stages.isEmpty else { return false }
        let last = max(0, stepCount(of: selectedStage) - 1)
        switch event {
        case .right: selectedStage = min(trace.stages.count - 1, selectedStage + 1)
        case .left: selectedStage = max(0, selectedStage - 1)
        case .down, .character("j"), .character(" "): windowIndex[selectedStage] = min(last, windowIndex[selectedStage] + 1)
        case .up, .character("k"): windowIndex[selectedStage] = max(0, windowIndex[selectedStage] - 1)
        case .home: windowIndex[selectedStage] = 0
        case .end: windowIndex[selectedStage] = last
        default: return false
        }
        return true
    }

    // MARK: What the chosen stage shows

    private func isActivation(_ stage: Int) -> Bool {
        guard trace.stages.indices.contains(stage), case .activation = trace.stages[stage] else { return false }
        return true
    }

    /// Windows of a conv or pool stage; cells of an activation stage.
    func stepCount(of stage: Int) -> Int {
        guard trace.stages.indices.contains(stage) else { return 0 }
        switch trace.stages[stage] {
        case .conv(let conv): return conv.windows.count
        case .pool(let pool): return pool.windows.count
        case .activation(_, _, let output): return output.channelCount * output.height * output.width
        }
    }

    /// The grid a stage reads: the pipeline's input or the previous stage's output.
    func input(of stage: Int) -> GridStack {
        stage == 0 ? trace.spec.input : trace.stages[stage - 1].output
    }

    /// The current window of the chosen stage, when it is a conv stage.
    var currentConvWindow: ConvWindow? {
        guard trace.stages.indices.contains(selectedStage), case .conv(let conv) = trace.stages[selectedStage],
              conv.windows.indices.contains(windowIndex[selectedStage]) else { return nil }
        return conv.windows[windowIndex[selectedStage]]
    }

    /// The current window of the chosen stage, when it is a pool stage.
    var currentPoolWindow: PoolWindow? {
        guard trace.stages.indices.contains(selectedStage), case .pool(let pool) = trace.stages[selectedStage],
              pool.windows.indices.contains(windowIndex[selectedStage]) else { return nil }
        return pool.windows[windowIndex[selectedStage]]
    }

    /// Channel, row and column of the current cell of an activation stage.
    private func activationCell(_ output: GridStack, index: Int) -> (channel: Int, row: Int, column: Int) {
        let perChannel = output.height * output.width
        return (index / perChannel, index % perChannel / output.width, index % output.width)
    }

    /// The chosen stage's current window written out: the products and sum, the pooling, or the
    /// activation of one cell.
    func arithmeticLines(ascii: Bool, width: Int = WindowArithmetic.maxLineWidth) -> [String] {
        guard trace.stages.indices.contains(selectedStage) else { return [] }
        let index = windowIndex[selectedStage]
        switch trace.stages[selectedStage] {
        case .conv(let conv):
            guard conv.windows.indices.contains(index) else { return [] }
            let window = conv.windows[index]
            let bias = conv.spec.bias.indices.contains(window.outputChannel) ? conv.spec.bias[window.outputChannel] : 0
            let output = conv.output.channels[window.outputChannel][window.outputRow][window.outputColumn]
            return WindowArithmetic.lines(for: window, bias: bias, activation: conv.spec.activation, output: output,
                                          ascii: ascii, width: width)
        case .pool(let pool):
            guard pool.windows.indices.contains(index) else { return [] }
            return WindowArithmetic.lines(for: pool.windows[index], kind: pool.spec.kind, ascii: ascii, width: width)
        case .activation(let function, let input, let output):
            guard index < output.channelCount * output.height * output.width else { return [] }
            let cell = activationCell(output, index: index)
            let x = input.channels[cell.channel][cell.row][cell.column]
            let y = output.channels[cell.channel][cell.row][cell.column]
            return ["\(function.name)(\(ActivationPanel.number(x, ascii: ascii))) = \(ActivationPanel.number(y, ascii: ascii))"]
        }
    }

    /// "window 3 of 16: output row 1, column 3" (rows and columns from 1), or "cell 3 of 16" for an activation.
    var positionText: String {
        guard trace.stages.indices.contains(selectedStage) else { return "" }
        let index = windowIndex[selectedStage], count = stepCount(of: selectedStage)
        switch trace.stages[selectedStage] {
        case .conv(let conv):
            guard let window = currentConvWindow else { return "no windows" }
            let filter = conv.output.channelCount > 1 ? "filter \(window.outputChannel + 1), " : ""
            return "window \(index + 1) of \(count): \(filter)output row \(window.outputRow + 1), column \(window.outputColumn + 1)"
        case .pool(let pool):
            guard let window = currentPoolWindow else { return "no windows" }
            let channel = pool.output.channelCount > 1 ? "channel \(window.channel + 1), " : ""
            return "window \(index + 1) of \(count): \(channel)output row \(window.outputRow + 1), column \(window.outputColumn + 1)"
        case .activation(_, _, let output):
            let cell = activationCell(output, index: index)
            let channel = output.channelCount > 1 ? "channel \(cell.channel + 1), " : ""
            return "cell \(index + 1) of \(count): \(channel)row \(cell.row + 1), column \(cell.column + 1)"
        }
    }

    /// The cells of stage `stage`'s input (unpadded) that output cell `cell` of the stage was computed from.
    private func sources(of cell: GridCell, stage: Int) -> [GridCell] {
        switch trace.stages[stage] {
        case .conv(let conv):
            guard let index = windowAt[stage][cell] else { return [] }
            return conv.windows[index].terms.filter { !$0.isPadding && !conv.isPadding(row: $0.inputRow, column: $0.inputColumn) }
                .map { GridCell($0.inputChannel, $0.inputRow - conv.sides.top, $0.inputColumn - conv.sides.left) }
        case .pool(let pool):
            guard let index = windowAt[stage][cell] else { return [] }
            let window = pool.windows[index]
            return window.cells.filter { !$0.isPadding && !pool.isPadding(row: $0.inputRow, column: $0.inputColumn) }
                .map { GridCell(window.channel, $0.inputRow - pool.sides.top, $0.inputColumn - pool.sides.left) }
        case .activation:
            return [cell]
        }
    }

    /// The receptive field of the chosen stage's current window: for every column left of the
    /// stage's input (0 is the pipeline's input), the cells that feed the window, followed back
    /// through the earlier stages' own windows.
    func receptiveField() -> [Int: Set<GridCell>] {
        guard trace.stages.indices.contains(selectedStage), selectedStage > 0 else { return [:] }
        // The window's cells on the chosen stage's input, which is the previous stage's output.
        var cells: Set<GridCell> = []
        let index = windowIndex[selectedStage]
        switch trace.stages[selectedStage] {
        case .conv(let conv):
            guard let window = currentConvWindow else { return [:] }
            for term in window.terms where !conv.isPadding(row: term.inputRow, column: term.inputColumn) {
                cells.insert(GridCell(term.inputChannel, term.inputRow - conv.sides.top, term.inputColumn - conv.sides.left))
            }
        case .pool(let pool):
            guard let window = currentPoolWindow else { return [:] }
            for cell in window.cells where !pool.isPadding(row: cell.inputRow, column: cell.inputColumn) {
                cells.insert(GridCell(window.channel, cell.inputRow - pool.sides.top, cell.inputColumn - pool.sides.left))
            }
        case .activation(_, _, let output):
            let cell = activationCell(output, index: index)
            cells.insert(GridCell(cell.channel, cell.row, cell.column))
        }
        var field: [Int: Set<GridCell>] = [:]
        for stage in stride(from: selectedStage - 1, through: 0, by: -1) {
            var next: Set<GridCell> = []
            for cell in cells { next.formUnion(sources(of: cell, stage: stage)) }
            field[stage] = next
            cells = next
        }
        return field
    }

    /// "it sees a 5x5 patch of the input (rows 1-5, columns 1-5)" for a window of a later stage.
    var receptiveFieldText: String? {
        guard let cells = receptiveField()[0], !cells.isEmpty else { return nil }
        let rows = cells.map(\.row), columns = cells.map(\.column)
        guard let top = rows.min(), let bottom = rows.max(), let left = columns.min(), let right = columns.max() else { return nil }
        return "it sees a \(bottom - top + 1)x\(right - left + 1) patch of the input "
            + "(rows \(top + 1)-\(bottom + 1), columns \(left + 1)-\(right + 1))"
    }

    /// "input", "conv sobel-x", "relu", "max pool 2x2".
    func stageTitle(_ stage: Int) -> String {
        switch trace.stages[stage] {
        case .conv(let conv):
            let kernels = conv.spec.kernels
            let names = kernels.compactMap(\.presetName)
            var title: String
            if names.count == kernels.count && names.count <= 2 {
                title = "conv " + names.joined(separator: ", ")
            } else if let first = kernels.first, kernels.count == 1 {
                title = "conv \(first.height)x\(first.width)"
            } else {
                let size = kernels.first.map { " \($0.height)x\($0.width)" } ?? ""
                title = "conv \(kernels.count) filters" + size
            }
            if let activation = conv.spec.activation { title += " + " + activation.name }
            return title
        case .activation(let function, _, _):
            return function.name
        case .pool(let pool):
            switch pool.spec.kind {
            case .globalAverage: return "global average"
            default: return "\(pool.spec.kind.rawValue) pool \(pool.spec.size.height)x\(pool.spec.size.width)"
            }
        }
    }

    /// "6x6", or "2x4x4" with several channels.
    static func shapeText(_ stack: GridStack) -> String {
        (stack.channelCount > 1 ? "\(stack.channelCount)x" : "") + "\(stack.height)x\(stack.width)"
    }

    // MARK: Drawing

    /// One column of the picture: a title, the shape, and a grid per channel.
    private struct Column {
        var title: String
        var shape: String
        var grids: [NumberGrid]
        var isChosen: Bool

        func width(glyphs: GlyphSet) -> Int {
            max(title.count, shape.count, grids.map { $0.size(glyphs: glyphs).width }.max() ?? 0,
                grids.count > 1 ? 4 : 0)
        }

        func height(glyphs: GlyphSet) -> Int {
            2 + grids.reduce(0) { $0 + $1.size(glyphs: glyphs).height } + (grids.count > 1 ? grids.count * 2 - 1 : 0)
        }
    }

    /// The columns: the input and each stage's output, with the chosen stage's window (on its
    /// input, padded) and output cell highlighted.
    private func columns(glyphs: GlyphSet) -> [Column] {
        var columns: [Column] = []
        let chosen = selectedStage
        let index = trace.stages.indices.contains(chosen) ? windowIndex[chosen] : 0
        let field = receptiveField()
        for column in 0...trace.stages.count {
            let stack = column == 0 ? trace.spec.input : trace.stages[column - 1].output
            var grids = stack.channels.map { NumberGrid(lessonValues: $0) }
            var title = column == 0 ? "input" : stageTitle(column - 1)
            var shape = Self.shapeText(stack)
            if column == chosen, trace.stages.indices.contains(chosen) {
                // The chosen stage's input, as its windows saw it.
                switch trace.stages[chosen] {
                case .conv(let conv):
                    grids = paddedGrids(conv.paddedInput, isPadding: conv.isPadding(row:column:))
                    if let window = currentConvWindow {
                        for term in window.terms {
                            guard grids.indices.contains(term.inputChannel) else { continue }
                            grids[term.inputChannel].highlight(row: term.inputRow, column: term.inputColumn, .window)
                        }
                    }
                    if conv.paddedInput.height != stack.height || conv.paddedInput.width != stack.width {
                        title += " (padded)"
                        shape = Self.shapeText(conv.paddedInput)
                    }
                case .pool(let pool):
                    grids = paddedGrids(pool.paddedInput, isPadding: pool.isPadding(row:column:))
                    if let window = currentPoolWindow, grids.indices.contains(window.channel) {
                        for cell in window.cells {
                            grids[window.channel].highlight(row: cell.inputRow, column: cell.inputColumn, .window)
                        }
                    }
                    if pool.paddedInput.height != stack.height || pool.paddedInput.width != stack.width {
                        title += " (padded)"
                        shape = Self.shapeText(pool.paddedInput)
                    }
                case .activation(_, _, let output):
                    let cell = activationCell(output, index: index)
                    if grids.indices.contains(cell.channel) {
                        grids[cell.channel].highlight(row: cell.row, column: cell.column, .window)
                    }
                }
            }
            if column == chosen + 1, trace.stages.indices.contains(chosen) {
                let cell: (channel: Int, row: Int, column: Int)?
                switch trace.stages[chosen] {
                case .conv: cell = currentConvWindow.map { ($0.outputChannel, $0.outputRow, $0.outputColumn) }
                case .pool: cell = currentPoolWindow.map { ($0.channel, $0.outputRow, $0.outputColumn) }
                case .activation(_, _, let output): cell = activationCell(output, index: index)
                }
                if let cell, grids.indices.contains(cell.channel) {
                    grids[cell.channel].highlight(row: cell.row, column: cell.column, .current)
                }
            }
            // Earlier grids: the cells that feed the window, through the stages between.
            if column < chosen, let cells = field[column] {
                for cell in cells where grids.indices.contains(cell.channel) {
                    grids[cell.channel].highlight(row: cell.row, column: cell.column, .window)
                }
            }
            columns.append(Column(title: glyphs.glyphs.text(title), shape: shape, grids: grids,
                                  isChosen: column == chosen + 1))
        }
        return columns
    }

    private func paddedGrids(_ stack: GridStack, isPadding: (Int, Int) -> Bool) -> [NumberGrid] {
        stack.channels.map { channel in
            var grid = NumberGrid(lessonValues: channel)
            for row in 0..<stack.height {
                for column in 0..<stack.width where isPadding(row, column) {
                    grid.highlight(row: row, column: column, .padding)
                }
            }
            return grid
        }
    }

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        buffer.fill(area)
        guard !area.isEmpty else { return }
        let arrow = capabilities.glyphs == .unicode ? " → " : " -> "
        let accent = capabilities.colors == .monochrome ? Style(attributes: [.bold, .underline])
            : Style(foreground: .cyan, attributes: .bold)

        // The shapes in one line, the chosen stage's output marked.
        var x = area.x
        let stacks = [trace.spec.input] + trace.stages.map(\.output)
        for (index, stack) in stacks.enumerated() {
            if index > 0 { x = buffer.write(arrow, x: x, y: area.y, style: .dim, clip: area) }
            x = buffer.write(Self.shapeText(stack), x: x, y: area.y, style: index == selectedStage + 1 ? accent : .plain,
                             clip: area)
        }

        // The columns that fit, always the chosen stage's input and output.
        let all = columns(glyphs: capabilities.glyphs)
        let gap = arrow.count
        let widths = all.map { $0.width(glyphs: capabilities.glyphs) }
        var shown = max(0, min(selectedStage, all.count - 1))...min(all.count - 1, selectedStage + 1)
        func total(_ range: ClosedRange<Int>) -> Int { range.reduce(0) { $0 + widths[$1] } + gap * (range.count - 1) }
        while true {
            if shown.upperBound + 1 < all.count && total(shown.lowerBound...(shown.upperBound + 1)) <= area.width {
                shown = shown.lowerBound...(shown.upperBound + 1)
            } else if shown.lowerBound > 0 && total((shown.lowerBound - 1)...shown.upperBound) <= area.width {
                shown = (shown.lowerBound - 1)...shown.upperBound
            } else {
                break
            }
        }
        let bottom = drawColumns(Array(shown), of: all, widths: widths, top: area.y + 2, arrow: arrow, accent: accent,
                                 in: area, into: &buffer, capabilities: capabilities)
        let afterWindow = drawWindow(from: bottom + 1, in: area, into: &buffer, capabilities: capabilities)

        // The stages that did not fit beside the chosen one follow below, in bands as wide as the
        // panel, so none is hidden (the player scrolls to them).
        let others = all.indices.filter { !shown.contains($0) }
        guard !others.isEmpty, afterWindow + 1 < area.maxY else { return }
        buffer.write("the other stages:", x: area.x, y: afterWindow + 1, style: .dim, clip: area)
        var bands: [[Int]] = [[]]
        for index in others {
            let band = bands[bands.count - 1]
            let width = (band + [index]).reduce(0) { $0 + widths[$1] } + gap * band.count
            if !band.isEmpty && width > area.width { bands.append([]) }
            bands[bands.count - 1].append(index)
        }
        var bandTop = afterWindow + 2
        for band in bands {
            bandTop = drawColumns(band, of: all, widths: widths, top: bandTop, arrow: arrow, accent: accent,
                                  in: area, into: &buffer, capabilities: capabilities) + 1
        }
    }

    /// The chosen stage's window from row `top`: where it is, what it sees, its arithmetic.
    /// Returns the row below it.
    private func drawWindow(from top: Int, in area: Rect, into buffer: inout CellBuffer,
                            capabilities: TerminalCapabilities) -> Int {
        let glyphs = capabilities.glyphs.glyphs
        var y = top
        guard trace.stages.indices.contains(selectedStage), y < area.maxY else { return y }
        buffer.write(glyphs.truncated(positionText, toWidth: area.width), x: area.x, y: y, style: .dim, clip: area)
        y += 1
        if let receptiveFieldText {
            buffer.write(glyphs.truncated(receptiveFieldText, toWidth: area.width), x: area.x, y: y, style: .dim, clip: area)
            y += 1
        }
        for line in arithmeticLines(ascii: capabilities.glyphs == .ascii, width: area.width).flatMap({ Self.wrap($0, width: area.width) }) {
            guard y < area.maxY else { break }
            buffer.write(glyphs.truncated(line, toWidth: area.width), x: area.x, y: y, style: .bold, clip: area)
            y += 1
        }
        return y
    }

    /// Draws `indices` of `columns` side by side from `top` (an arrow between neighbouring stages);
    /// returns the row below the tallest.
    @discardableResult
    private func drawColumns(_ indices: [Int], of columns: [Column], widths: [Int], top: Int, arrow: String, accent: Style,
                             in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Int {
        var x = area.x
        var bottom = top
        for (position, index) in indices.enumerated() {
            let column = columns[index]
            if position > 0 {
                if indices[position - 1] == index - 1 { buffer.write(arrow, x: x, y: top + 2, style: .dim, clip: area) }
                x += arrow.count
            }
            buffer.write(column.title, x: x, y: top, style: column.isChosen ? accent : .bold, clip: area)
            buffer.write(column.shape, x: x, y: top + 1, style: .dim, clip: area)
            var y = top + 2
            for (channel, grid) in column.grids.enumerated() {
                if column.grids.count > 1 {
                    if channel > 0 { y += 1 }
                    buffer.write("ch \(channel + 1)", x: x, y: y, style: .dim, clip: area)
                    y += 1
                }
                let gridArea = Rect(x: x, y: y, width: widths[index], height: area.maxY - y).intersection(area)
                grid.render(in: gridArea, into: &buffer, capabilities: capabilities)
                y += grid.size(glyphs: capabilities.glyphs).height
            }
            bottom = max(bottom, y)
            x += widths[index]
        }
        return bottom
    }

    /// A line of arithmetic broken at spaces into lines of at most `width` columns, the later ones
    /// indented by two (a single piece longer than the width is left to be cut).
    static func wrap(_ line: String, width: Int) -> [String] {
        guard line.count > width, width > 4 else { return [line] }
        var lines: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            let piece = String(word)
            if current.isEmpty {
                current = (lines.isEmpty ? "" : "  ") + piece
            } else if current.count + 1 + piece.count <= width {
                current += " " + piece
            } else {
                lines.append(current)
                current = "  " + piece
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
