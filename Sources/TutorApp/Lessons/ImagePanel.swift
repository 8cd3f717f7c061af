import Lessons
import TerminalUI

/// An image step: the sample image and what each kernel makes of it, side by side as heatmaps.
///
/// The image and its outputs share one colour scale (`sharedScale`), so they can be compared. A map
/// shrunk to fit says the size it is drawn at in its title. Under each map:
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

    /// The one colour scale the image and every output share (`ColorScale.comparing`), so that a
    /// map's colours can be compared with its neighbours' ("edges get stronger" shows as stronger
    /// colour). Worked out once: the trace does not change.
    let sharedScale: (scale: ColorScale, range: ValueRange)

    public init(trace: ImageTrace) {
        self.trace = trace
        sharedScale = ColorScale.comparing(trace.image.channels[0].joined() + trace.outputs.flatMap { $0.channels[0].joined() })
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

    /// The heatmap of output `index`, on the shared scale.
    func outputHeatmap(_ index: Int, capabilities: TerminalCapabilities) -> Heatmap {
        let shared = sharedScale
        return Heatmap(trace.outputs[index].channels[0], scale: shared.scale, range: shared.range, mode: .halfBlocks,
                       scaling: .fit)
    }

    /// The image's heatmap, on the shared scale.
    func imageHeatmap() -> Heatmap {
        let shared = sharedScale
        return Heatmap(trace.image.channels[0], scale: shared.scale, range: shared.range, mode: .halfBlocks, scaling: .fit)
    }

    /// Which outputs are drawn: all of them when each map then fits at its true size (one value
    /// per column) and at least `minimumTileWidth`, otherwise the chosen one beside the image.
    func shownOutputs(width: Int) -> [Int] {
        let count = trace.outputs.count
        guard count > 0 else { return [] }
        let tiles = count + 1
        let tileWidth = (width - Self.gap * (tiles - 1)) / tiles
        let trueWidth = ([trace.image] + trace.outputs).map(\.width).max() ?? 0
        return tileWidth >= max(Self.minimumTileWidth, trueWidth) ? Array(0..<count) : [min(selected, count - 1)]
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

        // When only the chosen output fits, a line naming them all, the chosen one marked; names
        // that do not fit go on to the next row.
        if shown.count < trace.outputs.count {
            let start = buffer.write("kernels: ", x: area.x, y: area.y, style: .dim, clip: area)
            var x = start, y = area.y
            for index in trace.outputs.indices {
                let name = glyphs.text(kernelName(index))
                let isChosen = index == selected
                let label = isChosen ? "[\(name)]" : " \(name) "
                if x > start && x + label.count > area.maxX { x = start; y += 1 }
                let row = Rect(x: area.x, y: y, width: area.width, height: 1).intersection(area)
                x = buffer.write(label, x: x, y: y, style: isChosen ? accent : .plain, clip: row) + 1
            }
            body = area.splitTop(y - area.y + 2).rest
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
        // Rows under the map: the legend, then a gap and the kernel when there is room for them.
        let belowKernel = kernelRows > 0 && area.height >= kernelRows + 8 ? kernelRows + 2 : 0
        buffer.write(glyphs.truncated(title, toWidth: area.width), x: area.x, y: area.y, style: titleStyle, clip: area)
        var mapRoom = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 2 - belowKernel)
        guard !mapRoom.isEmpty else { return }
        // A map shrunk to fit says, under its title, the size it is drawn at.
        if heatmap.sizeLabel(in: mapRoom, capabilities: capabilities) != nil {
            mapRoom = Rect(x: mapRoom.x, y: mapRoom.y + 1, width: mapRoom.width, height: mapRoom.height - 1)
            guard !mapRoom.isEmpty else { return }
            let note = heatmap.sizeLabel(in: mapRoom, capabilities: capabilities) ?? ""
            buffer.write(glyphs.truncated(note, toWidth: area.width), x: area.x, y: mapRoom.y - 1, style: .dim, clip: area)
        }
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

    /// The rows a `.fit` heatmap takes in `area`.
    static func drawnRows(of heatmap: Heatmap, in area: Rect, capabilities: TerminalCapabilities) -> Int {
        guard heatmap.rows > 0, heatmap.columns > 0, !area.isEmpty else { return 0 }
        return min(area.height, heatmap.shownSize(in: area, capabilities: capabilities).cellHeight)
    }
}
