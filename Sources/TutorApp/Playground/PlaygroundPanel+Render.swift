import ConvKernels
import Lessons
import TerminalUI

// Drawing the playground: a header with the kernel's name, the grids (input with its padding,
// kernel, output, pooled output) flowing left to right, the output-size formula, a status line,
// and the controls in a column on the right (or in lines below on a narrow area).

extension PlaygroundPanel {
    /// The width of the controls column beside the grids.
    static let controlsWidth = 28
    /// Narrower than this, the controls go below the grids.
    static let controlsColumnMinimumWidth = 76

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        buffer.fill(area, with: .blank)
        drawnHeatmaps = []
        var main = area
        if area.width >= Self.controlsColumnMinimumWidth {
            let split = area.splitLeft(area.width - Self.controlsWidth)
            main = Rect(x: split.left.x, y: split.left.y, width: split.left.width - 2, height: split.left.height)
            renderControlsColumn(in: split.rest, into: &buffer, capabilities: capabilities)
        }
        let glyphs = capabilities.glyphs.glyphs

        // The header: the kernel's name and what it does.
        buffer.write(glyphs.truncated(headerText, toWidth: main.width), x: main.x, y: main.y, style: .bold, clip: main)

        // Below the grids: the formula lines, then (on a narrow area) the controls as far as they
        // fit; the status line is the last row. The grids get the room first.
        let formula = formulaLines(width: main.width)
        let status = statusLine(capabilities: capabilities)
        // A blank row under the header when there is room for it.
        let top = main.y + (main.height >= 26 ? 2 : 1)
        let blocksArea = Rect(x: main.x, y: top, width: main.width,
                              height: main.maxY - top - 1 - (formula.isEmpty ? 0 : formula.count + 1))
        let used = renderBlocks(in: blocksArea, into: &buffer, capabilities: capabilities)

        var bottomLines: [(text: String, style: Style)] = formula.map { ($0, .plain) }
        if area.width < Self.controlsColumnMinimumWidth {
            bottomLines += controlsLines(width: main.width).map { ($0, .dim) }
        }
        var y = top + used + (used > 0 ? 1 : 0)
        // Everything, the status line included, in rows from the top: a host that can scroll
        // gives the panel this many when the area is shorter (`PlaygroundScreen`).
        neededHeight = y - area.y + bottomLines.count + 1
        for line in bottomLines where y < main.maxY - 1 {
            buffer.write(glyphs.truncated(line.text, toWidth: main.width), x: main.x, y: y, style: line.style, clip: main)
            y += 1
        }
        if main.height >= 2 {
            // Below the controls column too, when that column ends above the last row.
            let statusWidth = area.height > Control.allCases.count + 3 ? area.width : main.width
            let row = Rect(x: area.x, y: area.maxY - 1, width: statusWidth, height: 1)
            buffer.fill(row, with: .blank)
            buffer.write(glyphs.truncated(status.text, toWidth: row.width), x: row.x, y: row.y, style: status.style, clip: row)
        }
    }

    // MARK: Texts

    /// "Kernel: sobel-x, vertical edges (left-to-right change)".
    var headerText: String {
        guard let kernel = state.spec.start.kernels.first else { return "No kernel" }
        if let name = kernel.presetName, let preset = KernelPreset(rawValue: name) {
            return "Kernel: \(name), \(preset.summary)"
        }
        return "Kernel: your own \(kernel.height)x\(kernel.width)"
    }

    /// The output-size formula, one line per axis for the convolution and for the pooling: beside
    /// a label when they fit, else behind a short prefix with the spaces around the operators
    /// dropped ("conv height: floor((6+1+1-3)/1)+1 = 6"), wrapped to `width` if still too long.
    func formulaLines(width: Int) -> [String] {
        guard case .valid(let conv, let pool) = outcome else { return [] }
        var groups = [("Output size", "conv", conv.sizeFormula)]
        if let pool { groups.append(("Pooled size", "pool", pool.sizeFormula)) }
        let labelWidth = 13
        let longest = groups.flatMap(\.2).map(\.count).max() ?? 0
        var lines: [String] = []
        for (label, prefix, formula) in groups {
            for (index, line) in formula.enumerated() {
                if labelWidth + longest <= width {
                    let shown = index == 0 ? label : ""
                    lines.append(shown + String(repeating: " ", count: labelWidth - shown.count) + line)
                    continue
                }
                var compact = line
                for operator_ in ["+", "-", "/"] { compact = compact.replacing(" \(operator_) ", with: operator_) }
                let wrapped = StyledText(compact).wrapped(width: max(8, width - prefix.count - 3)).map(\.text)
                for (part, text) in wrapped.enumerated() {
                    lines.append((part == 0 ? prefix + " " : String(repeating: " ", count: prefix.count + 3)) + text)
                }
            }
        }
        return lines
    }

    /// What is being typed, the last message, or where the cursor is.
    func statusLine(capabilities: TerminalCapabilities) -> (text: String, style: Style) {
        let accent = capabilities.colors == .monochrome ? Style.bold : Style(foreground: .cyan, attributes: .bold)
        if let typedText {
            let cursor = cursor(for: focus)
            let caret = capabilities.glyphs == .unicode ? "▏" : "_"
            return ("Typing \(focus == .kernel ? "kernel" : "input") (\(cursor.row + 1), \(cursor.column + 1)): "
                        + typedText + caret + "  Enter sets it, arrows set it and move, - flips the sign", accent)
        }
        if let message { return (message, accent) }
        switch focus {
        case .input, .kernel:
            let cursor = cursor(for: focus)
            let grid = grid(for: focus)
            guard cursor.row < grid.count, cursor.column < grid[cursor.row].count else { return ("", .plain) }
            let name = focus == .kernel ? "kernel" : "input"
            return ("\(name) (\(cursor.row + 1), \(cursor.column + 1)) = "
                        + LessonNumber.format(grid[cursor.row][cursor.column])
                        + "   type a number, + - nudge, f next part, ? all keys", .dim)
        case .controls:
            return ("\(selectedControl.label): \(valueText(of: selectedControl))   "
                        + "↑↓ choose, ←→ change, f next part, ? all keys", .dim)
        }
    }

    // MARK: Controls

    private func renderControlsColumn(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let focused = focus == .controls
        let titleStyle = focused ? Self.focusedStyle(capabilities.colors) : Style.bold
        buffer.write("Controls", x: area.x, y: area.y, style: titleStyle, clip: area)
        let labelWidth = Control.allCases.map(\.label.count).max() ?? 0
        let keyStyle = KeyHints.keyStyle(colors: capabilities.colors)
        for (index, control) in Control.allCases.enumerated() {
            let y = area.y + 2 + index
            guard y < area.maxY else { break }
            let selected = focused && control == selectedControl
            let rowStyle = selected ? Style.reverse.adding(.bold) : Style.plain
            var x = buffer.write(String(control.key), x: area.x, y: y, style: keyStyle, clip: area)
            x = buffer.write(" ", x: x, y: y, clip: area)
            let label = control.label + String(repeating: " ", count: labelWidth - control.label.count) + " "
            x = buffer.write(label, x: x, y: y, style: selected ? rowStyle : .dim, clip: area)
            buffer.write(capabilities.glyphs.glyphs.truncated(valueText(of: control), toWidth: area.maxX - x),
                         x: x, y: y, style: rowStyle, clip: area)
        }
    }

    /// The controls as "label value" items flowing across lines of `width`.
    func controlsLines(width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        for control in Control.allCases {
            let marker = focus == .controls && control == selectedControl ? ">" : ""
            let item = "\(marker)\(control.key) \(control.label) \(valueText(of: control))"
            if line.isEmpty {
                line = item
            } else if line.count + 2 + item.count <= width {
                line += "  " + item
            } else {
                lines.append(line)
                line = item
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func focusedStyle(_ colors: ColorMode) -> Style {
        colors == .monochrome ? Style(attributes: [.bold, .reverse]) : Style(foreground: .cyan, attributes: .bold)
    }

    // MARK: Blocks

    /// One titled grid of the picture.
    struct Block {
        enum Content {
            case numbers(NumberGrid)
            /// A heatmap, drawn in a box of at most `limit` cells down (a legend row below it).
            case heatmap(Heatmap)
            case text([String])
        }

        var title: String
        var titleStyle: Style
        var content: Content
        var contentStyle: Style = .plain
        /// From which layout level on a numbers grid is drawn as a heatmap when space is short
        /// (outputs 1, input 2, kernel 3).
        var heatmapLevel = 1
    }

    /// The blocks for the current state: input, kernel, and the output or the error.
    func blocks(capabilities: TerminalCapabilities) -> [Block] {
        let colors = capabilities.colors
        let conv = state.spec.start
        let focusedTitle = Self.focusedStyle(colors)
        var blocks: [Block] = []
        // A sample image, its convolution and its pooling are drawn on one scale, worked out once.
        let shared = state.sampleImage == nil ? nil : comparedScale

        // Input.
        let inputTitleStyle = focus == .input ? focusedTitle : Style.bold
        // Only the first channel is drawn and edited: "ch 1/3".
        let channelNote = conv.input.channelCount > 1 ? " ch 1/\(conv.input.channelCount)" : ""
        if let name = state.sampleImage, let shared {
            blocks.append(Block(title: "Input: \(name) \(conv.input.height)x\(conv.input.width)\(channelNote)",
                                titleStyle: .bold,
                                content: .heatmap(Heatmap(conv.input.channels[0], scale: shared.scale, range: shared.range,
                                                          mode: .halfBlocks, scaling: .fit))))
        } else {
            var title = "Input \(conv.input.height)x\(conv.input.width)\(channelNote)"
            var grid: NumberGrid
            if case .valid(let trace, _) = outcome,
               trace.paddedInput.height != conv.input.height || trace.paddedInput.width != conv.input.width {
                title += ", \(conv.paddingMode.rawValue) pad"
                grid = NumberGrid(trace.paddedInput.channels[0], decimals: 2)
                for row in 0..<trace.paddedInput.height {
                    for column in 0..<trace.paddedInput.width where trace.isPadding(row: row, column: column) {
                        grid.highlight(row: row, column: column, .padding)
                    }
                }
                if focus == .input {
                    grid.highlight(row: inputCursor.row + trace.sides.top, column: inputCursor.column + trace.sides.left,
                                   .current)
                }
            } else {
                grid = NumberGrid(conv.input.channels[0], decimals: 2)
                if focus == .input { grid.highlight(row: inputCursor.row, column: inputCursor.column, .current) }
            }
            blocks.append(Block(title: title, titleStyle: inputTitleStyle, content: .numbers(grid), heatmapLevel: 2))
        }

        // Kernel.
        if let kernel = conv.kernels.first {
            var grid = NumberGrid(kernel.channels[0], decimals: 2)
            if focus == .kernel { grid.highlight(row: kernelCursor.row, column: kernelCursor.column, .current) }
            var title = "Kernel \(kernel.height)x\(kernel.width)"
            if conv.dilation != 1 { title += ", dilation \(Self.pairText(conv.dilation))" }
            if kernel.channelCount > 1 { title += " ch 1/\(kernel.channelCount)" }
            if conv.kernels.count > 1 { title += ", filter 1/\(conv.kernels.count)" }
            blocks.append(Block(title: title, titleStyle: focus == .kernel ? focusedTitle : .bold, content: .numbers(grid),
                                heatmapLevel: 3))
        }

        // Output, pooled output, or what is wrong.
        switch outcome {
        case .valid(let trace, let pool):
            var title = "Output \(trace.output.height)x\(trace.output.width)"
            if let activation = conv.activation { title += ", \(activation.name)" }
            if conv.bias.first.map({ $0 != 0 }) ?? false { title += ", bias \(LessonNumber.format(conv.bias[0]))" }
            blocks.append(Block(title: title, titleStyle: .bold, content: outputContent(trace.output.channels[0], scale: shared)))
            if let pool {
                blocks.append(Block(title: "\(Self.poolName(pool.spec.kind)) pool \(Self.pairText(pool.spec.size)): "
                                        + "\(pool.output.height)x\(pool.output.width)",
                                    titleStyle: .bold, content: outputContent(pool.output.channels[0], scale: shared)))
            }
        case .invalid(let error):
            let errorStyle = colors == .monochrome ? Style.bold : Style(foreground: .red, attributes: .bold)
            blocks.append(Block(title: "Invalid settings: no output", titleStyle: errorStyle,
                                content: .text(StyledText(Self.text(of: error)).wrapped(width: 36).map(\.text)),
                                contentStyle: colors == .monochrome ? .plain : Style(foreground: .red)))
        }
        return blocks
    }

    static func poolName(_ kind: PoolSpec.Kind) -> String {
        switch kind {
        case .max: "Max"
        case .average: "Average"
        case .sum: "Sum"
        case .globalAverage: "Global average"
        }
    }

    /// An output grid as numbers (a heatmap for a sample image, whose output is too large to read,
    /// on the scale it shares with the input and the other output).
    private func outputContent(_ grid: [[Float]], scale shared: (scale: ColorScale, range: ValueRange)?) -> Block.Content {
        guard let shared else { return .numbers(NumberGrid(grid, decimals: 2)) }
        return .heatmap(Heatmap(grid, scale: shared.scale, range: shared.range, mode: .halfBlocks, scaling: .fit))
    }

    /// One colour scale for a sample image, its convolution and its pooling, so the three compare.
    var comparedScale: (scale: ColorScale, range: ValueRange) {
        var values = state.spec.start.input.channels[0].joined().map { $0 }
        if case .valid(let trace, let pool) = outcome {
            values += trace.output.channels[0].joined()
            if let pool { values += pool.output.channels[0].joined() }
        }
        return ColorScale.comparing(values)
    }

    /// Draws the blocks left to right, wrapping to a new band when a row is full; returns the rows used.
    ///
    /// When they do not all fit, the outputs are drawn as heatmaps first, then the input, then the
    /// kernel (numbers stay where they can: the input's cursor is drawn on them), and heatmaps shrink,
    /// all by the same factor, so a pooled map stays half its input's size.
    private func renderBlocks(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Int {
        guard !area.isEmpty else { return 0 }
        let blocks = blocks(capabilities: capabilities)
        var placements: [Placement] = []
        var used = 0
        search: for level in 0...3 {
            let converted = blocks.map { block in
                var block = block
                if case .numbers(let grid) = block.content, block.heatmapLevel <= level {
                    block.content = .heatmap(Self.heatmap(of: grid))
                }
                return block
            }
            for limit in [16, 12, 10, 8, 6, 4, 3] where limit >= minimumHeatmapRows {
                (placements, used) = layout(converted, in: area, heatmapRows: limit, capabilities: capabilities)
                if used <= area.height && placements.allSatisfy({ $0.rect.maxX <= area.maxX }) { break search }
            }
        }
        for placement in placements {
            draw(placement, clippedTo: area, into: &buffer, capabilities: capabilities)
        }
        // All the rows the blocks need, beyond the area when even the smallest maps do not fit.
        return used
    }

    /// Where a block goes, and for a heatmap the cells its map takes.
    struct Placement {
        var block: Block
        var rect: Rect
        var mapSize: (width: Int, height: Int)?
    }

    /// Where each block goes: its title row and content, left to right with three columns between
    /// them, a new band below when the next one does not fit beside.
    private func layout(_ blocks: [Block], in area: Rect, heatmapRows: Int,
                        capabilities: TerminalCapabilities) -> (placements: [Placement], used: Int) {
        var placements: [Placement] = []
        var x = area.x, y = area.y, bandHeight = 0
        let gap = 3
        // A blank row between bands, unless rows are scarce.
        let bandGap = area.height >= 16 ? 1 : 0
        // A sample image and what is made of it are compared, so they share one factor; a grid
        // drawn as a heatmap for lack of room is fitted on its own.
        let roomColumns = min(area.width, 2 * heatmapRows + 8)
        let pictures = blocks.compactMap { block -> Heatmap? in
            if case .heatmap(let map) = block.content, block.heatmapLevel == 1 { map } else { nil }
        }
        let sharedRatio = Self.sharedRatio(pictures, rows: heatmapRows, columns: roomColumns, capabilities: capabilities)
        for block in blocks {
            let ratio: Double
            if case .heatmap(let map) = block.content, block.heatmapLevel != 1 {
                ratio = Self.sharedRatio([map], rows: heatmapRows, columns: roomColumns, capabilities: capabilities)
            } else {
                ratio = sharedRatio
            }
            var mapSize: (width: Int, height: Int)?
            let size: (width: Int, height: Int)
            switch block.content {
            case .numbers(let grid): size = grid.size(glyphs: capabilities.glyphs)
            case .text(let lines): size = (lines.map(\.count).max() ?? 0, lines.count)
            case .heatmap(let map):
                let cells = Self.scaledSize(map, ratio: ratio, capabilities: capabilities)
                mapSize = cells
                // The legend under the map, and the drawn size under that when it is shrunk.
                // (At least as wide as the legend, and as "drawn at 100x100" when shrunk.)
                size = (max(cells.width, ratio < 1 ? 16 : 12), cells.height + (ratio < 1 ? 2 : 1))
            }
            let width = max(size.width, min(block.title.count, 26))
            let height = size.height + 1
            if x > area.x && x + width > area.maxX {
                y += bandHeight + bandGap
                x = area.x
                bandHeight = 0
            }
            placements.append(Placement(block: block, rect: Rect(x: x, y: y, width: width, height: height), mapSize: mapSize))
            x += width + gap
            bandHeight = max(bandHeight, height)
        }
        return (placements, y + bandHeight - area.y)
    }

    /// The one factor (at most 1) that fits the largest of `maps` in `rows` cells down and
    /// `columns` across; every map is drawn at it, so they keep their relative sizes.
    static func sharedRatio(_ maps: [Heatmap], rows: Int, columns: Int, capabilities: TerminalCapabilities) -> Double {
        maps.reduce(1.0) { ratio, map in
            guard map.rows > 0, map.columns > 0 else { return ratio }
            let perCell = valuesPerCell(map, capabilities: capabilities)
            let across = cellsAcrossPerValue(map, capabilities: capabilities)
            return min(ratio, Double(max(1, rows * perCell)) / Double(map.rows),
                       Double(max(1, columns)) / Double(map.columns * across))
        }
    }

    /// The cells `map` takes drawn at `ratio` of its size.
    static func scaledSize(_ map: Heatmap, ratio: Double, capabilities: TerminalCapabilities) -> (width: Int, height: Int) {
        let perCell = valuesPerCell(map, capabilities: capabilities)
        let rows = max(1, Int(Double(map.rows) * ratio)), columns = max(1, Int(Double(map.columns) * ratio))
        return (columns * cellsAcrossPerValue(map, capabilities: capabilities), (rows + perCell - 1) / perCell)
    }

    /// Cells a value takes across: two where half blocks fall back to blocks (ASCII, monochrome).
    static func cellsAcrossPerValue(_ map: Heatmap, capabilities: TerminalCapabilities) -> Int {
        max(1, map.size(capabilities: capabilities).width / max(1, map.columns))
    }

    /// Values a cell holds down: two with half blocks.
    static func valuesPerCell(_ map: Heatmap, capabilities: TerminalCapabilities) -> Int {
        if case .halfBlocks = map.effectiveMode(for: capabilities) { 2 } else { 1 }
    }

    static func heatmap(of grid: NumberGrid) -> Heatmap {
        var values: [Float] = []
        values.reserveCapacity(grid.rowCount * grid.columnCount)
        for row in 0..<grid.rowCount {
            for column in 0..<grid.columnCount { values.append(Float(grid[row, column])) }
        }
        let range = ValueRange(fitting: values)
        return Heatmap(rows: grid.rowCount, columns: grid.columnCount, values: values,
                       scale: range.lower < 0 ? .diverging : .sequential, mode: .halfBlocks, scaling: .fit)
    }

    private func draw(_ placement: Placement, clippedTo area: Rect, into buffer: inout CellBuffer,
                      capabilities: TerminalCapabilities) {
        let rect = placement.rect.intersection(area), block = placement.block
        guard !rect.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        buffer.write(glyphs.truncated(block.title, toWidth: rect.width), x: rect.x, y: rect.y, style: block.titleStyle,
                     clip: rect)
        let content = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        guard !content.isEmpty else { return }
        switch block.content {
        case .numbers(let grid):
            grid.render(in: content, into: &buffer, capabilities: capabilities)
        case .text(let lines):
            for (offset, line) in lines.enumerated() where offset < content.height {
                buffer.write(glyphs.text(line), x: content.x, y: content.y + offset, style: block.contentStyle, clip: content)
            }
        case .heatmap(let map):
            let size = placement.mapSize ?? (content.width, max(0, content.height - 1))
            let box = Rect(x: content.x, y: content.y, width: size.width, height: size.height).intersection(content)
            map.render(in: box, into: &buffer, capabilities: capabilities)
            drawnHeatmaps.append((map, box))
            Legend(for: map).render(in: Rect(x: content.x, y: content.y + size.height, width: content.width, height: 1)
                                        .intersection(content), into: &buffer, capabilities: capabilities)
            // A map shrunk to fit says the size it is drawn at.
            if let note = map.sizeLabel(in: box, capabilities: capabilities) {
                buffer.write(glyphs.truncated(note, toWidth: content.width), x: content.x, y: content.y + size.height + 1,
                             style: .dim, clip: content)
            }
        }
    }
}
