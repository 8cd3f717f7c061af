import Lessons
import TerminalUI

/// An image step: the sample image and what each kernel makes of it, side by side as heatmaps.
///
/// The image is drawn on the sequential scale over 0...1; an output with negative values (Sobel,
/// Laplacian) on the diverging scale, so that zero is white and the two signs of an edge read as
/// blue and red; an output without them (a blur, a ReLU) on the sequential scale. Under each map:
/// its colour legend and the kernel's values with its preset name. When the maps do not all fit
/// side by side, the image and the chosen output are drawn large; Left/Right choose the output.
public final class ImagePanel: StepPanel {
    public let trace: ImageTrace
    /// The chosen output, an index into `trace.outputs`.
    private(set) var selected = 0

    /// The narrowest a map is drawn before the panel shows only the image and the chosen output.
    static let minimumTileWidth = 16
    /// Columns between two maps.
    static let gap = 2

    public init(trace: ImageTrace) {
        self.trace = trace
    }

    public var keyHelp: [KeyHint] {
        trace.outputs.count > 1 ? [KeyHint("←→", "choose a kernel")] : []
    }

    public func handle(_ event: KeyEvent) -> Bool {
        guard trace.outputs.count > 1 else { return false }
        switch event {
        case .right: selected = min(trace.outputs.count - 1, selected + 1)
        case .left: selected = max(0, selected - 1)
        case .home: selected = 0
        case .end: selected = trace.outputs.count - 1
        default: return false
        }
        return true
    }

    /// The kernel's name: its preset ("sobel-x") or "kernel 2".
    func kernelName(_ index: Int) -> String {
        guard trace.spec.kernels.indices.contains(index) else { return "kernel \(index + 1)" }
        return trace.spec.kernels[index].presetName ?? "kernel \(index + 1)"
    }

    /// The heatmap of output `index`: diverging when it has negative values (centred on 0, fitted to
    /// its own largest magnitude); otherwise sequential on the image's own 0...1 scale, widened only
    /// if the output goes beyond it, so that identity looks like the image and a blur's lost
    /// contrast shows instead of being stretched away.
    func outputHeatmap(_ index: Int, capabilities: TerminalCapabilities) -> Heatmap {
        let grid = trace.outputs[index].channels[0]
        let signed = grid.contains { $0.contains { $0 < 0 } }
        if signed {
            return Heatmap(grid, scale: .diverging, mode: .halfBlocks, scaling: .fit)
        }
        let largest = grid.joined().max() ?? 1
        return Heatmap(grid, scale: .sequential, range: ValueRange(lower: 0, upper: max(1, largest)), mode: .halfBlocks,
                       scaling: .fit)
    }

    /// The image's heatmap, over 0...1.
    func imageHeatmap() -> Heatmap {
        Heatmap(trace.image.channels[0], scale: .sequential, range: ValueRange(lower: 0, upper: 1), mode: .halfBlocks,
                scaling: .fit)
    }

    /// Which outputs are drawn: all of them when each gets `minimumTileWidth` columns, otherwise the chosen one.
    func shownOutputs(width: Int) -> [Int] {
        let count = trace.outputs.count
        guard count > 0 else { return [] }
        let tiles = count + 1
        let tileWidth = (width - Self.gap * (tiles - 1)) / tiles
        return tileWidth >= Self.minimumTileWidth ? Array(0..<count) : [min(selected, count - 1)]
    }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        buffer.fill(area)
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let accent = capabilities.colors == .monochrome ? Style(attributes: [.bold, .underline])
            : Style(foreground: .cyan, attributes: .bold)
        let shown = shownOutputs(width: area.width)
        let tiles = shown.count + 1
        let tileWidth = max(1, (area.width - Self.gap * (tiles - 1)) / tiles)
        var body = area

        // When only the chosen output fits, a line naming them all, the chosen one marked.
        if shown.count < trace.outputs.count {
            var x = buffer.write("kernels: ", x: area.x, y: area.y, style: .dim, clip: area)
            for index in trace.outputs.indices {
                let name = glyphs.text(kernelName(index))
                let isChosen = index == selected
                x = buffer.write(isChosen ? "[\(name)]" : " \(name) ", x: x, y: area.y, style: isChosen ? accent : .plain,
                                 clip: area)
                x += 1
            }
            body = area.splitTop(2).rest
        }

        // The note under the maps: the chosen kernel's summary and the step's settings.
        let (tilesArea, footer) = body.splitBottom(body.height >= 8 ? 2 : 0)
        if !footer.isEmpty {
            buffer.write(glyphs.truncated(footerText, toWidth: footer.width), x: footer.x, y: footer.maxY - 1, style: .dim,
                         clip: footer)
        }

        // The image, then each shown output.
        let kernelRows = shown.map { trace.spec.kernels.indices.contains($0) ? trace.spec.kernels[$0].height : 0 }.max() ?? 0
        var x = tilesArea.x
        let imageTitle = "\(trace.spec.image) \(trace.image.height)x\(trace.image.width)"
        drawTile(title: imageTitle, titleStyle: .bold, heatmap: imageHeatmap(), kernel: nil, kernelRows: kernelRows,
                 in: Rect(x: x, y: tilesArea.y, width: tileWidth, height: tilesArea.height), into: &buffer,
                 capabilities: capabilities)
        for index in shown {
            x += tileWidth + Self.gap
            let output = trace.outputs[index]
            let isChosen = index == selected && trace.outputs.count > 1
            let title = "\(kernelName(index)) \(glyphs.text("→")) \(output.height)x\(output.width)"
            let kernel = trace.spec.kernels.indices.contains(index) ? trace.spec.kernels[index] : nil
            drawTile(title: title, titleStyle: isChosen ? accent : .bold,
                     heatmap: outputHeatmap(index, capabilities: capabilities), kernel: kernel, kernelRows: kernelRows,
                     in: Rect(x: x, y: tilesArea.y, width: tileWidth, height: tilesArea.height).intersection(tilesArea),
                     into: &buffer, capabilities: capabilities)
        }
    }

    /// "sobel-x: vertical edges (left-to-right change) · padding same, stride 1".
    var footerText: String {
        var settings: [String] = []
        switch trace.spec.padding {
        case .same: settings.append("padding same")
        case .valid: settings.append("padding valid")
        case .explicit(let rows, let columns): settings.append(rows == columns ? "padding \(rows)" : "padding \(rows)x\(columns)")
        }
        if trace.spec.paddingMode != .zero { settings.append("\(trace.spec.paddingMode)") }
        let stride = trace.spec.stride
        settings.append(stride.height == stride.width ? "stride \(stride.height)" : "stride \(stride.height)x\(stride.width)")
        if let activation = trace.spec.activation { settings.append("then " + activation.name) }
        guard !trace.outputs.isEmpty else { return settings.joined(separator: ", ") }
        let name = kernelName(selected)
        let summary = KernelPreset(rawValue: name).map { ": " + $0.summary } ?? ""
        return name + summary + "; " + settings.joined(separator: ", ")
    }

    /// A title, the map fitted to the room left, its legend, and the kernel's values under it.
    private func drawTile(title: String, titleStyle: Style, heatmap: Heatmap, kernel: GridStack?, kernelRows: Int,
                          in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        buffer.write(glyphs.truncated(title, toWidth: area.width), x: area.x, y: area.y, style: titleStyle, clip: area)
        // Rows under the map: the legend, then a gap and the kernel when there is room for them.
        let belowKernel = kernelRows > 0 && area.height >= kernelRows + 8 ? kernelRows + 2 : 0
        let mapRoom = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 2 - belowKernel)
        guard !mapRoom.isEmpty else { return }
        heatmap.render(in: mapRoom, into: &buffer, capabilities: capabilities)
        let mapRows = Self.drawnRows(of: heatmap, in: mapRoom, capabilities: capabilities)
        var y = mapRoom.y + mapRows
        Legend(for: heatmap).render(in: Rect(x: area.x, y: y, width: min(area.width, 24), height: 1).intersection(area),
                                    into: &buffer, capabilities: capabilities)
        y += 2
        if let kernel, belowKernel > 0 {
            let name = kernel.presetName.map { "kernel \($0)" } ?? "kernel"
            buffer.write(glyphs.truncated(name, toWidth: area.width), x: area.x, y: y, style: .dim, clip: area)
            y += 1
            let grid = NumberGrid(lessonValues: kernel.channels[0])
            grid.render(in: Rect(x: area.x, y: y, width: area.width, height: area.maxY - y).intersection(area),
                        into: &buffer, capabilities: capabilities)
        }
    }

    /// The rows a `.fit` heatmap takes in `area`: its values scaled as the heatmap scales them
    /// (enlarged by a whole factor, or shrunk keeping its aspect), two to a row with half blocks.
    static func drawnRows(of heatmap: Heatmap, in area: Rect, capabilities: TerminalCapabilities) -> Int {
        guard heatmap.rows > 0, heatmap.columns > 0, !area.isEmpty else { return 0 }
        let half: Bool
        if case .halfBlocks = heatmap.effectiveMode(for: capabilities) { half = true } else { half = false }
        let roomRows = max(1, area.height * (half ? 2 : 1)), roomColumns = max(1, area.width)
        let rows = heatmap.rows, columns = heatmap.columns
        let shownRows: Int
        if rows <= roomRows && columns <= roomColumns {
            shownRows = rows * max(1, min(roomRows / rows, roomColumns / columns))
        } else if columns * roomRows >= rows * roomColumns {
            shownRows = max(1, rows * roomColumns / columns)
        } else {
            shownRows = roomRows
        }
        return min(area.height, half ? (shownRows + 1) / 2 : shownRows)
    }
}
