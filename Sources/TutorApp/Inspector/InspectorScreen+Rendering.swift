import Inspection
import Datasets
import Imaging
import TerminalUI

extension InspectorScreen {
    // MARK: Text

    /// "PNG, 8-bit grey · 64x64".
    var imageLine: String {
        let original = inspection.original
        let detail = original.detail.isEmpty ? original.format.rawValue.uppercased() : original.detail
        return "\(detail) · \(original.width)x\(original.height)"
    }

    /// "predicted 3 (97.2%)".
    var predictionText: String {
        let digit = inspection.prediction
        let probability = inspection.probabilities.indices.contains(digit) ? inspection.probabilities[digit] : 0
        return "predicted \(digit) (\(Self.percent(probability)))"
    }

    /// "97.2%", "nan".
    static func percent(_ fraction: Float) -> String {
        guard fraction.isFinite else { return "\(fraction)" }
        return NumberGrid.format(Double(fraction) * 100, decimals: 1) + "%"
    }

    /// "0.52", "-12.3", "1234": short numbers for titles.
    static func number(_ value: Float) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        return NumberGrid.format(Double(value), decimals: magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2)
    }

    /// The range a layer's maps share, and its scale: symmetric and diverging when a value is
    /// negative (the input, tanh, logits), otherwise 0 to the largest (ReLU, max pooling).
    static func mapping(for layer: InspectedLayer) -> ColorMapping {
        let range = ValueRange(fitting: layer.values.data)
        if range.lower < 0 { return ColorMapping(scale: .diverging, range: range.symmetric) }
        return ColorMapping(scale: .sequential, range: ValueRange(lower: 0, upper: max(range.upper, 0)))
    }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        drawnPictures = []
        buffer.fill(area)
        guard !area.isEmpty else { return }
        let (body, footer) = area.splitBottom(area.height >= 3 ? 1 : 0)
        let inner = Panel.inner(of: body)
        let content = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        if !content.isEmpty {
            switch view {
            case .overview: drawOverview(in: content, into: &buffer, capabilities: capabilities)
            case .zoom: drawZoom(in: content, into: &buffer, capabilities: capabilities)
            case .preprocessing: drawPreprocessing(in: content, into: &buffer, capabilities: capabilities)
            case .kernel: drawKernelView(in: content, into: &buffer, capabilities: capabilities)
            }
        }
        // The frame after the content: its footer says what the steps' scrolling hides.
        let frameFooter = view == .preprocessing ? stepsLayout.footer(down: "]", up: "[", glyphs: capabilities.glyphs) : ""
        Panel(title: title + " · " + predictionText, footer: frameFooter).render(in: body, into: &buffer,
                                                                                capabilities: capabilities)
        KeyHints(footerHints).render(in: footer, into: &buffer, capabilities: capabilities)
    }

    /// Writes one line of `text` on the first row of `area`, cut to its width; returns the rest.
    @discardableResult
    func write(_ text: String, in area: Rect, style: Style = .plain, into buffer: inout CellBuffer,
               capabilities: TerminalCapabilities) -> Rect {
        guard !area.isEmpty else { return area }
        let (row, rest) = area.splitTop(1)
        buffer.write(capabilities.glyphs.glyphs.truncated(text, toWidth: row.width), x: row.x, y: row.y, style: style, clip: row)
        return rest
    }

    func accent(_ capabilities: TerminalCapabilities) -> Style {
        capabilities.colors == .monochrome ? Style(attributes: [.bold, .underline]) : Style(foreground: .cyan, attributes: .bold)
    }

    func alarm(_ capabilities: TerminalCapabilities) -> Style {
        capabilities.colors == .monochrome ? Style(attributes: [.bold, .reverse]) : Style(foreground: .red, attributes: .bold)
    }

    // MARK: Overview

    /// The model and image on top; the original, the 28x28 input and the softmax bars; then the
    /// chosen layer's maps.
    func drawOverview(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        var rest = write(inspection.modelName + " · " + imageLine, in: area, style: .dim, into: &buffer,
                         capabilities: capabilities)
        if let status { rest = write(status, in: rest, style: .dim, into: &buffer, capabilities: capabilities) }
        // The top band holds the ten bars and their title; the layers get the rest.
        let bandHeight = min(rest.height, max(11, rest.height * 11 / 20))
        let (band, layers) = rest.splitTop(bandHeight)
        drawTopBand(in: band, into: &buffer, capabilities: capabilities)
        drawLayer(in: layers.splitTop(1).rest, into: &buffer, capabilities: capabilities)
    }

    func drawTopBand(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let gap = 2
        let barsWidth = min(30, max(16, area.width / 4))
        let pictureRows = max(0, area.height - 1)
        // The input is 28x28: at most 28 columns; the original takes what is left.
        let inputWidth = min(28, pictureRows * 2, max(0, (area.width - barsWidth - 2 * gap) / 2))
        let originalWidth = max(0, area.width - barsWidth - inputWidth - 2 * gap)
        var x = area.x
        let originalArea = Rect(x: x, y: area.y, width: originalWidth, height: area.height)
        x += originalWidth + gap
        let inputArea = Rect(x: x, y: area.y, width: inputWidth, height: area.height)
        x += inputWidth + gap
        let barsArea = Rect(x: x, y: area.y, width: area.maxX - x, height: area.height)

        let original = inspection.original
        drawTitledPicture("original \(original.width)x\(original.height)", size: (original.width, original.height),
                          in: originalArea, into: &buffer, capabilities: capabilities,
                          shownSize: { originalShownSize(in: $0) },
                          draw: { area, buffer in drawOriginal(in: area, into: &buffer, capabilities: capabilities) })

        let input = inputGrid()
        let inputTitle = "input \(input.columns)x\(input.rows)"
        drawTitledGrid(inputArea.width >= inputTitle.count + 11 ? inputTitle + " (p: steps)" : inputTitle, input,
                       in: inputArea, into: &buffer, capabilities: capabilities)

        let below = write(barsArea.width >= 21 ? "softmax probabilities" : "softmax", in: barsArea, style: .bold, into: &buffer, capabilities: capabilities)
        let bars = BarChart(values: inspection.probabilities.map(Double.init), maxValue: 1, decimals: 2)
        bars.render(in: Rect(x: below.x, y: below.y, width: min(below.width, 40), height: below.height),
                    into: &buffer, capabilities: capabilities)
    }

    /// The size (width, height) in pixels the original is drawn at in `area`.
    func originalShownSize(in area: Rect) -> (width: Int, height: Int) {
        let room = InspectorPicture.pixelRoom(area)
        return InspectorPicture.shown(width: originalRGB.width, height: originalRGB.height, roomWidth: room.width,
                                      roomHeight: room.height)
    }

    /// The original in colour in `area`, at its true size or a whole multiple when it fits, else
    /// shrunk (the resized copy is kept for the next frame); returns the cells drawn.
    @discardableResult
    func drawOriginal(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Rect {
        let size = originalShownSize(in: area)
        guard !area.isEmpty, size.width > 0 else { return Rect(x: area.x, y: area.y, width: 0, height: 0) }
        InspectorPicture.draw(resizedOriginal(width: size.width, height: size.height), in: area, into: &buffer,
                              capabilities: capabilities)
        return Rect(x: area.x, y: area.y, width: size.width, height: (size.height + 1) / 2).intersection(area)
    }

    /// Writes `title`, draws a picture under it and, when the picture is not at its true `size`
    /// (width, height) or a whole multiple of it, says the size it is drawn at on the row under
    /// it (with `caption`, that row always gives the size: "28x28" or "28x28, drawn at 18x18").
    /// `shownSize` is the size (width, height) the picture takes in an area, `draw` draws it there
    /// and returns the cells it took. The picture is recorded in `drawnPictures`. Returns the rows
    /// used, from the title to the label.
    @discardableResult
    func drawTitledPicture(_ title: String, size: (width: Int, height: Int), in area: Rect, caption: Bool = false,
                           into buffer: inout CellBuffer, capabilities: TerminalCapabilities,
                           shownSize: (Rect) -> (width: Int, height: Int),
                           draw: (Rect, inout CellBuffer) -> Rect) -> Rect {
        guard !area.isEmpty else { return area }
        let below = write(title, in: area, style: .bold, into: &buffer, capabilities: capabilities)
        var pictureArea = below
        var shown = shownSize(pictureArea)
        if caption || !DrawnSize.isWholeMultiple(shown: (shown.width, shown.height), of: size) {
            // A row for the label under the picture.
            if below.height > 1 { pictureArea = below.splitBottom(1).rest }
            shown = shownSize(pictureArea)
        }
        let drawn = draw(pictureArea, &buffer)
        let note = caption ? DrawnSize.label((size.width, size.height), shown: (shown.width, shown.height))
            : DrawnSize.note(shown: (shown.width, shown.height), of: (size.width, size.height))
        var usedBottom = drawn.maxY
        if let note, drawn.maxY < area.maxY {
            write(note, in: Rect(x: area.x, y: drawn.maxY, width: area.width, height: 1), style: .dim, into: &buffer,
                  capabilities: capabilities)
            usedBottom += 1
        }
        drawnPictures.append(DrawnPicture(title: title, width: size.width, height: size.height, shownWidth: shown.width,
                                          shownHeight: shown.height, cells: drawn, note: note))
        return Rect(x: area.x, y: area.y, width: area.width, height: usedBottom - area.y)
    }

    /// `drawTitledPicture` for a grid of values (the input, a map, a preprocessing step).
    @discardableResult
    func drawTitledGrid(_ title: String, _ grid: InspectorGrid, in area: Rect, caption: Bool = false,
                        into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Rect {
        drawTitledPicture(title, size: (grid.columns, grid.rows), in: area, caption: caption, into: &buffer,
                          capabilities: capabilities,
                          shownSize: { area in let shown = grid.shownSize(in: area); return (shown.columns, shown.rows) },
                          draw: { area, buffer in grid.render(in: area, into: &buffer, capabilities: capabilities) })
    }

    func resizedOriginal(width: Int, height: Int) -> RGBImage {
        if let cache = originalCache, cache.width == width, cache.height == height { return cache.image }
        let image = originalRGB.width == width && originalRGB.height == height ? originalRGB
            : originalRGB.resized(width: width, height: height)
        originalCache = (width, height, image)
        return image
    }

    /// What the network reads: the centred digit (ink 1 on 0), 28x28 or resized to the network's
    /// input, in grey.
    func inputGrid(highlight: @escaping (Int, Int) -> InspectorGrid.Highlight = { _, _ in .none }) -> InspectorGrid {
        let input = inspection.input
        return InspectorGrid(rows: input.height, columns: input.width, values: input.pixels,
                             mapping: ColorMapping(scale: .greyscale, range: ValueRange(lower: 0, upper: 1)),
                             regionScale: .sequential, highlight: highlight)
    }

    /// The layer tabs, the chosen layer's title and its maps (or units).
    func drawLayer(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty, let layer else { return }
        var rest = drawTabs(in: area, into: &buffer, capabilities: capabilities)
        let mapping = Self.mapping(for: layer)
        if layer.isMap {
            let range = layer.range(ofMap: mapIndex)
            // The line and the legend row under it are the same for every layer, so the maps'
            // room, and the one scale worked out from it, are too.
            let (textRows, mapsArea) = rest.splitTop(2)
            let scale = sharedMapScale(in: mapsArea)
            let shown = scale.map { Self.scaled(height: layer.height, width: layer.width, by: $0) }
            var tail = ""
            if let shown, let scale {
                tail += ", " + (scale.denominator == 1
                    ? (scale.numerator == 1 ? "at true size" : "at \(scale.numerator)x size")
                    : DrawnSize.note(shown: (shown.columns, shown.rows), of: (layer.width, layer.height)) ?? "")
                tail += " as every layer"
            }
            tail += " · map \(mapIndex + 1) of \(layer.channels): \(Self.number(range.lowerBound)) to "
                + "\(Self.number(range.upperBound))"  // (Enter zooms: the footer says so)
            // The title in full when the line fits, else its maps' shape as 16@28x28 (the line is cut,
            // with a marker, when even that is too long).
            let compact = String(layer.title.prefix { $0 != ":" }) + ": \(layer.channels)@\(layer.height)x\(layer.width)"
            let line = layer.title.count + tail.count <= textRows.width ? layer.title + tail : compact + tail
            let legendRow = write(line, in: textRows, style: .dim, into: &buffer, capabilities: capabilities)
            drawLegendRow(mapping: mapping, caption: paddingCaption(shown: shown), in: legendRow, into: &buffer,
                          capabilities: capabilities)
            drawMaps(of: layer, mapping: mapping, shown: shown, in: mapsArea, into: &buffer, capabilities: capabilities)
        } else {
            let values = layer.values.data
            let value = values.indices.contains(mapIndex) ? values[mapIndex] : 0
            let name = layer.isOutput ? "digit \(mapIndex)" : "unit \(mapIndex + 1)"
            rest = write("\(layer.title) · \(name): \(Self.number(value)) · ←→ choose", in: rest, style: .dim,
                         into: &buffer, capabilities: capabilities)
            drawUnits(values, mapping: mapping, labelled: layer.isOutput, in: rest, into: &buffer,
                      capabilities: capabilities)
        }
    }

    /// The colour legend of the layer's shared scale on the first row of `area`, and a caption
    /// beside it.
    func drawLegendRow(mapping: ColorMapping, caption: String?, in area: Rect, into buffer: inout CellBuffer,
                       capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let legendWidth = min(area.width, 28)
        Legend(mapping: mapping).render(in: Rect(x: area.x, y: area.y, width: legendWidth, height: 1), into: &buffer,
                                        capabilities: capabilities)
        guard let caption, area.width > legendWidth + 2 else { return }
        write(caption, in: Rect(x: area.x + legendWidth + 2, y: area.y, width: area.width - legendWidth - 2, height: 1),
              style: .dim, into: &buffer, capabilities: capabilities)
    }

    /// What the bright frame on the first convolution's maps is, said where the maps are: on a
    /// layer whose maps keep the input's size, so it was zero-padded (the frame is the outer rows
    /// the padding reaches, wider than one value, so it shows at any scale the maps are drawn at).
    func paddingCaption(shown: (rows: Int, columns: Int)?) -> String? {
        guard let layer, shown != nil, layerIndex == Self.firstConvolution(in: inspection), layerIndex > 0,
              layer.kind == "conv", layer.height == inspection.layers[0].height,
              layer.width == inspection.layers[0].width else { return nil }
        return "bright frame: zero padding (? says why)"
    }

    /// "layer  input  1 conv  3 max ..." with the chosen layer reversed; returns the rows under it.
    /// When the layers' names are wider than the row, as many as fit around the chosen one, with
    /// "←3" and "5→" saying how many more there are either side.
    func drawTabs(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Rect {
        let (row, rest) = area.splitTop(1)
        let glyphs = capabilities.glyphs.glyphs
        let tabs = inspection.layers.map { " \(Self.tabName($0)) " }
        let label = "layer "
        // A column to spare at the right, so that a count there is not taken for a cut word.
        let window = Self.tabWindow(widths: tabs.map(\.count), chosen: layerIndex, room: row.width - label.count - 1)
        var x = buffer.write(label, x: row.x, y: row.y, style: .dim, clip: row)
        if window.lowerBound > 0 {
            x = buffer.write(glyphs.text("←") + "\(window.lowerBound) ", x: x, y: row.y, style: .dim, clip: row)
        }
        for index in window {
            let chosen = index == layerIndex
            let style = chosen ? (capabilities.colors == .monochrome ? Style(attributes: [.bold, .reverse])
                                    : Style(foreground: .black, background: .cyan, attributes: .bold)) : Style.plain
            x = buffer.write(tabs[index], x: x, y: row.y, style: style, clip: row)
        }
        if window.upperBound < tabs.count - 1 {
            buffer.write(" \(tabs.count - 1 - window.upperBound)" + glyphs.text("→"), x: x, y: row.y, style: .dim, clip: row)
        }
        return rest
    }

    /// A layer's name on its tab: "input", "1 conv", "3 max", "8 fc", "4 res", "12 out" (the spec's
    /// kinds, the long ones shortened; the title under the tabs gives them in full).
    static func tabName(_ layer: InspectedLayer) -> String {
        guard let label = layer.stages.first?.label else { return layer.name }
        if layer.isOutput { return "\(label) out" }
        let short = ["maxpool": "max", "avgpool": "avg", "linear": "fc", "residual": "res", "branches": "branch",
                     "batchnorm": "bn", "squeeze_excite": "se", "adaptive_avgpool": "adapt", "leaky_relu": "lrelu",
                     "dropout": "drop", "flatten": "flat"]
        return "\(label) \(short[layer.kind] ?? layer.kind)"
    }

    /// The tabs shown in `room` columns: all when they fit, else as many as fit around `chosen`
    /// with room for the counts of those hidden ("←3 " before, " 5→" after: up to 5 columns each).
    static func tabWindow(widths: [Int], chosen: Int, room: Int) -> ClosedRange<Int> {
        guard !widths.isEmpty else { return 0...0 }
        let chosen = min(max(0, chosen), widths.count - 1)
        if widths.reduce(0, +) <= room { return 0...(widths.count - 1) }
        func marker(_ hidden: Int) -> Int { hidden == 0 ? 0 : String(hidden).count + 2 }
        func fits(_ first: Int, _ last: Int) -> Bool {
            widths[first...last].reduce(0, +) + marker(first) + marker(widths.count - 1 - last) <= room
        }
        var (first, last) = (chosen, chosen)
        // Grow to the right first (the layers to come), then to the left, while they fit.
        var grew = true
        while grew {
            grew = false
            if last + 1 < widths.count, fits(first, last + 1) { last += 1; grew = true }
            if first > 0, fits(first - 1, last) { first -= 1; grew = true }
        }
        return first...last
    }

    /// The widest a map of `channels` maps of `height x width` can be drawn in `area`, in values
    /// across (two values to a row of cells, a row under each row of maps for their numbers, at
    /// most four times the true size); nil when they do not fit at two across.
    static func largestMapWidth(channels: Int, height: Int, width: Int, in area: Rect) -> Int? {
        guard channels > 0, height > 0, width > 0, !area.isEmpty else { return nil }
        var best: Int?
        for perRow in Set([channels, (channels + 1) / 2, (channels + 2) / 3, (channels + 3) / 4]) {
            let rowsOfMaps = (channels + perRow - 1) / perRow
            let mapWidth = min(width * 4, (area.width + 1) / perRow - 1)
            let cellRows = area.height / rowsOfMaps - 1
            guard mapWidth >= 2, cellRows >= 1 else { continue }
            let side = min(mapWidth, cellRows * 2 * width / height)
            if side >= 2 { best = max(best ?? 0, side) }
        }
        return best
    }

    /// The scale every layer's maps are drawn at in `area`, as a fraction of their true size:
    /// a whole factor (over 1) when every layer fits at its true size, otherwise the largest
    /// fraction at which all of them fit. One scale, so that pooling's halving is what you see.
    func sharedMapScale(in area: Rect) -> (numerator: Int, denominator: Int)? {
        var smallest: (numerator: Int, denominator: Int)?
        for layer in inspection.layers where layer.isMap {
            guard let side = Self.largestMapWidth(channels: layer.channels, height: layer.height, width: layer.width,
                                                  in: area) else { continue }
            if let current = smallest, current.numerator * layer.width <= side * current.denominator { continue }
            smallest = (side, layer.width)
        }
        guard let smallest else { return nil }
        return smallest.numerator >= smallest.denominator ? (smallest.numerator / smallest.denominator, 1) : smallest
    }

    /// A map's size (rows, columns) drawn at `scale`; at least one value each way.
    static func scaled(height: Int, width: Int, by scale: (numerator: Int, denominator: Int)) -> (rows: Int, columns: Int) {
        (max(1, height * scale.numerator / scale.denominator), max(1, width * scale.numerator / scale.denominator))
    }

    /// How many of `channels` maps drawn at `shown` go to a row of `area`: as many as fit; nil when
    /// they cannot all be placed.
    static func mapsPerRow(channels: Int, shown: (rows: Int, columns: Int), in area: Rect) -> Int? {
        let cellRows = (shown.rows + 1) / 2
        return Set([channels, (channels + 1) / 2, (channels + 2) / 3, (channels + 3) / 4]).sorted(by: >).first { perRow in
            let rowsOfMaps = (channels + perRow - 1) / perRow
            return perRow * (shown.columns + 1) - 1 <= area.width && rowsOfMaps * (cellRows + 1) <= area.height
        }
    }

    func drawMaps(of layer: InspectedLayer, mapping: ColorMapping, shown: (rows: Int, columns: Int)?, in area: Rect,
                  into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard let shown, let perRow = Self.mapsPerRow(channels: layer.channels, shown: shown, in: area) else {
            write("(too small to draw \(layer.channels) maps here: Enter zooms one)", in: area, style: .dim, into: &buffer,
                  capabilities: capabilities)
            return
        }
        let labelStyle = accent(capabilities).adding(.reverse)
        let mapRows = (shown.rows + 1) / 2
        for index in 0..<layer.channels {
            let x = area.x + (index % perRow) * (shown.columns + 1)
            let y = area.y + (index / perRow) * (mapRows + 1)
            let grid = InspectorGrid(rows: layer.height, columns: layer.width, values: Self.map(index, of: layer),
                                     mapping: mapping, fixedSize: shown)
            let drawn = grid.render(in: Rect(x: x, y: y, width: shown.columns, height: mapRows).intersection(area),
                                    into: &buffer, capabilities: capabilities)
            drawnPictures.append(DrawnPicture(title: "\(layer.name) map \(index + 1)", width: layer.width,
                                              height: layer.height, shownWidth: shown.columns, shownHeight: shown.rows,
                                              cells: drawn, note: DrawnSize.note(shown: (shown.columns, shown.rows),
                                                                                 of: (layer.width, layer.height))))
        }
        // Each map's number under it; when the numbers are wider than the maps (64 maps of 1x1), the
        // chosen map's and every tenth that does not run into it or the one before.
        let crowded = String(layer.channels).count > shown.columns
        func labelPlace(_ index: Int) -> (text: String, x: Int, y: Int) {
            let label = "\(index + 1)"
            let text = index == mapIndex && shown.columns >= label.count + 2 ? "[\(label)]" : label
            let x = area.x + (index % perRow) * (shown.columns + 1) + max(0, (shown.columns - text.count) / 2)
            return (text, x, area.y + (index / perRow) * (mapRows + 1) + mapRows)
        }
        let chosen = mapIndex < layer.channels ? labelPlace(mapIndex) : nil
        var lastEnd: (y: Int, x: Int)?
        for index in 0..<layer.channels where index != mapIndex && (!crowded || (index + 1) % 10 == 0) {
            let place = labelPlace(index)
            let end = place.x + place.text.count
            if let chosen, chosen.y == place.y, place.x <= chosen.x + chosen.text.count, chosen.x <= end { continue }
            if crowded, let lastEnd, lastEnd.y == place.y, place.x <= lastEnd.x { continue }
            buffer.write(place.text, x: place.x, y: place.y, style: .dim, clip: area)
            lastEnd = (place.y, end)
        }
        if let chosen { buffer.write(chosen.text, x: chosen.x, y: chosen.y, style: labelStyle, clip: area) }
    }

    /// A vector layer: one cell per unit, wrapped to the width, the chosen one marked; the output's
    /// ten logits as numbers on their colours with the digits above.
    func drawUnits(_ values: [Float], mapping: ColorMapping, labelled: Bool, in area: Rect, into buffer: inout CellBuffer,
                   capabilities: TerminalCapabilities) {
        guard !area.isEmpty, !values.isEmpty else { return }
        if labelled {
            let cell = max(7, min(10, area.width / max(1, values.count)))
            for (index, value) in values.enumerated() {
                let x = area.x + index * cell
                let chosen = index == mapIndex
                buffer.write(String(repeating: " ", count: cell - 2) + "\(index)", x: x, y: area.y,
                             style: chosen ? accent(capabilities).adding(.reverse) : .bold, clip: area)
                let text = NumberGrid.format(Double(value), decimals: 2)
                let padded = String(repeating: " ", count: max(0, cell - 1 - text.count)) + text
                var style = Style.plain
                if capabilities.colors != .monochrome {
                    let background = mapping.color(for: value, mode: capabilities.colors)
                    style = Style(foreground: TerminalColor.readableForeground(on: background), background: background)
                }
                buffer.write(padded, x: x, y: area.y + 1, style: style, clip: area)
            }
            Legend(mapping: mapping).render(in: Rect(x: area.x, y: area.y + 3, width: min(area.width, 40), height: 1)
                                                .intersection(area), into: &buffer, capabilities: capabilities)
            return
        }
        // One bar per unit, as tall as its magnitude against the layer's largest, coloured by its
        // value on the layer's scale; as many bands of bars as the width needs (fc1's 120 units take
        // two at 100 columns). The chosen unit's column is reversed.
        let perBand = max(1, min(values.count, area.width))
        let bands = (values.count + perBand - 1) / perBand
        let barHeight = max(1, min(6, (area.height - 2) / bands - 1))
        let largest = values.map { abs($0) }.max() ?? 0
        let glyphs = capabilities.glyphs.glyphs
        for (index, value) in values.enumerated() {
            let x = area.x + index % perBand, top = area.y + (index / perBand) * (barHeight + 1)
            let fraction = largest > 0 && value.isFinite ? Double(abs(value) / largest) : 0
            var style = Style.plain
            if capabilities.colors != .monochrome { style.foreground = mapping.color(for: value, mode: capabilities.colors) }
            if index == mapIndex { style.attributes.insert(.reverse) }
            for (row, character) in glyphs.verticalBar(fraction: fraction, height: barHeight).enumerated() {
                if area.contains(x: x, y: top + row) { buffer.write(String(character), x: x, y: top + row, style: style, clip: area) }
            }
            // A tick under the chosen unit, and under every tenth, so a unit can be found by number.
            let tick: Character? = index == mapIndex ? (capabilities.glyphs == .unicode ? "▲" : "^")
                : ((index + 1) % 10 == 0 ? (capabilities.glyphs == .unicode ? "·" : ".") : nil)
            if let tick, area.contains(x: x, y: top + barHeight) {
                buffer.write(String(tick), x: x, y: top + barHeight, style: index == mapIndex ? .bold : .dim, clip: area)
            }
        }
        let legendY = area.y + bands * (barHeight + 1)
        Legend(mapping: mapping).render(in: Rect(x: area.x, y: legendY, width: min(area.width, 40), height: 1)
                                            .intersection(area), into: &buffer, capabilities: capabilities)
    }

    // MARK: Zoom

    /// The chosen map's numbers around the cursor, the input with the cursor cell's receptive field
    /// lit, and the whole map with the cursor marked.
    func drawZoom(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard let layer, layer.isMap else { return }
        let values = Self.map(mapIndex, of: layer)
        let value = values.indices.contains(cursorRow * layer.width + cursorColumn) ? values[cursorRow * layer.width + cursorColumn] : 0
        let field = inspection.receptiveField(layer: layerIndex, row: cursorRow, column: cursorColumn)
        // Rows and columns people read count from 1, as in the lessons and the playground (the
        // command line's out[r,c] index notation counts from 0, as PyTorch's indices do).
        var rest = write("\(layer.name) map \(mapIndex + 1) of \(layer.channels) (\(layer.height)x\(layer.width)) · row "
                         + "\(cursorRow + 1), column \(cursorColumn + 1) = \(NumberGrid.format(Double(value), decimals: 3))",
                         in: area, style: .bold, into: &buffer, capabilities: capabilities)
        let fieldText = "its receptive field: input rows \(field.rows.lowerBound + 1)-\(field.rows.upperBound + 1), columns "
            + "\(field.columns.lowerBound + 1)-\(field.columns.upperBound + 1) (\(field.rows.count)x\(field.columns.count)), "
            + "lit on the input"
        rest = write(fieldText, in: rest, style: .dim, into: &buffer, capabilities: capabilities)
        let windowRow: Rect
        (windowRow, rest) = rest.splitTop(1)

        // Pictures on the right: the input (28 columns) and the map under it.
        let pictureWidth = min(28, max(0, rest.width / 3))
        let (numbersArea, picturesArea) = rest.splitLeft(rest.width - pictureWidth - 2)
        let window = drawNumbers(values, layer: layer, in: numbersArea, into: &buffer, capabilities: capabilities)
        // A map larger than its numbers' room says which part is shown and how to see the rest.
        if window.rows.count < layer.height || window.columns.count < layer.width {
            write("numbers of rows \(window.rows.lowerBound + 1)-\(window.rows.upperBound), columns "
                  + "\(window.columns.lowerBound + 1)-\(window.columns.upperBound) of \(layer.height)x\(layer.width): "
                  + "they follow the cursor", in: windowRow, style: .dim,
                  into: &buffer, capabilities: capabilities)
        }
        let pictures = Rect(x: picturesArea.x + 2, y: picturesArea.y, width: pictureWidth, height: picturesArea.height)
        // The input at full size (14 rows) when that leaves the map a few rows.
        let input = inputGrid { row, column in field.rows.contains(row) && field.columns.contains(column) ? .region : .none }
        let inputRows = max(1, min(16, pictures.height - 5))
        let used = drawTitledGrid("input \(input.columns)x\(input.rows), field lit", input,
                                  in: Rect(x: pictures.x, y: pictures.y, width: pictures.width, height: inputRows),
                                  into: &buffer, capabilities: capabilities)
        let below = Rect(x: pictures.x, y: used.maxY, width: pictures.width, height: max(0, pictures.maxY - used.maxY))
        let (row, column) = (cursorRow, cursorColumn)
        let map = InspectorGrid(rows: layer.height, columns: layer.width, values: values, mapping: Self.mapping(for: layer),
                                highlight: { $0 == row && $1 == column ? .mark : .none })
        drawTitledGrid("map \(layer.width)x\(layer.height), cursor marked", map, in: below, into: &buffer,
                       capabilities: capabilities)
    }

    /// The map's numbers, a window of rows and columns around the cursor that fits `area`, with
    /// their indices.
    /// Returns the rows and columns shown.
    @discardableResult
    func drawNumbers(_ values: [Float], layer: InspectedLayer, in area: Rect, into buffer: inout CellBuffer,
                     capabilities: TerminalCapabilities) -> (rows: Range<Int>, columns: Range<Int>) {
        guard !area.isEmpty, layer.height > 0, layer.width > 0 else { return (0..<0, 0..<0) }
        let texts = values.map { NumberGrid.format(Double($0), decimals: 2) }
        let cellWidth = max(2, texts.map(\.count).max() ?? 1)
        let labelWidth = String(layer.height).count
        let shownColumns = max(1, min(layer.width, (area.width - labelWidth) / (cellWidth + 1)))
        let shownRows = max(1, min(layer.height, area.height - 1))
        let firstColumn = Self.window(start: cursorColumn, count: shownColumns, total: layer.width)
        let firstRow = Self.window(start: cursorRow, count: shownRows, total: layer.height)
        let rows = (firstRow..<(firstRow + shownRows)).map { row in
            (firstColumn..<(firstColumn + shownColumns)).map { values[row * layer.width + $0] }
        }
        var grid = NumberGrid(rows, decimals: 2)
        // Counted from 1, as the zoom's heading and the rest of the tutor count.
        grid.rowLabels = (firstRow..<(firstRow + shownRows)).map { String($0 + 1) }
        grid.columnLabels = (firstColumn..<(firstColumn + shownColumns)).map { String($0 + 1) }
        grid.minimumColumnWidth = cellWidth
        grid.highlight(row: cursorRow - firstRow, column: cursorColumn - firstColumn, .current)
        grid.render(in: area, into: &buffer, capabilities: capabilities)
        return (firstRow..<(firstRow + shownRows), firstColumn..<(firstColumn + shownColumns))
    }

    /// The first of `count` of `total` indices shown so that `start` is in view, centred when it can be.
    static func window(start: Int, count: Int, total: Int) -> Int {
        guard total > count else { return 0 }
        return min(max(0, start - count / 2), total - count)
    }

    // MARK: Preprocessing

    /// Each preprocessing step's image with its title, size and note, in as many columns as
    /// fit with room for a 28x28 picture at its true size. Laid out by the width alone: when
    /// taller than `area`, the steps scroll ([ and ]) and the frame says how much is below.
    func drawPreprocessing(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        // Both drawings (the tall one that measures, the one in the area) record their pictures;
        // keep those of the one shown, where it is shown.
        let before = drawnPictures
        var tallPictures: [DrawnPicture] = [], fittedPictures: [DrawnPicture] = []
        stepsLayout = OverflowScroll.render(in: area, offset: stepsScroll, into: &buffer) { buffer, drawingArea in
            drawnPictures = []
            drawSteps(in: drawingArea, into: &buffer, capabilities: capabilities)
            if drawingArea.height == area.height { fittedPictures = drawnPictures } else { tallPictures = drawnPictures }
        }
        stepsScroll = stepsLayout.offset
        guard stepsLayout.overflows else {
            drawnPictures = before + fittedPictures
            return
        }
        drawnPictures = before + tallPictures.compactMap { picture in
            let cells = Rect(x: picture.cells.x, y: picture.cells.y - stepsScroll, width: picture.cells.width,
                             height: picture.cells.height)
            // Whole pictures with their labels only: the others are partly scrolled out of view.
            guard cells.y >= area.y, cells.maxY + (picture.note == nil ? 0 : 1) <= area.maxY else { return nil }
            return DrawnPicture(title: picture.title, width: picture.width, height: picture.height,
                                shownWidth: picture.shownWidth, shownHeight: picture.shownHeight, cells: cells,
                                note: picture.note)
        }
    }

    /// The widest a preprocessing step's column needs to be: a 28x28 picture at its true size.
    static let stepColumnWidth = 28

    func drawSteps(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let preprocessing = inspection.preprocessing
        var rest = write("How the image became the network's 28x28 input (MNIST's own recipe). Esc goes back.",
                         in: area, style: .bold, into: &buffer, capabilities: capabilities)
        rest = rest.splitTop(1).rest
        let steps = preprocessing.steps
        guard !steps.isEmpty, !rest.isEmpty else { return }
        let gap = 2
        let perRow = max(1, min(steps.count, (rest.width + gap) / (Self.stepColumnWidth + gap)))
        let width = max(1, (rest.width - gap * (perRow - 1)) / perRow)
        // Each picture's room: the column's width, as many pixels down (at least 28), with a title
        // row and a caption row. The same whatever the height, so that the steps lay out alike in
        // the screen and in OverflowScroll's tall measuring drawing.
        let roomPixels = (width: width, height: max(28, width + width % 2))
        let pictureRows = roomPixels.height / 2 + 2
        // The steps that fit are drawn at their true size times one factor they all take, so that
        // the crop, the 20x20 and the 28x28 keep their relative sizes; the others shrink to fit.
        let fits = steps.map { $0.image.width <= roomPixels.width && $0.image.height <= roomPixels.height }
        let commonFactor = zip(steps, fits).filter(\.1).map { step, _ in
            min(roomPixels.width / step.image.width, roomPixels.height / step.image.height)
        }.min() ?? 1
        var y = rest.y
        for bandStart in stride(from: 0, to: steps.count, by: perRow) {
            var bandBottom = y
            for (offset, step) in steps[bandStart..<min(steps.count, bandStart + perRow)].enumerated() {
                let index = bandStart + offset
                let column = Rect(x: rest.x + offset * (width + gap), y: y, width: width, height: max(0, rest.maxY - y))
                let image = step.image
                var grid = InspectorGrid(rows: image.height, columns: image.width, values: image.pixels,
                                         mapping: ColorMapping(scale: .greyscale, range: ValueRange(lower: 0, upper: 1)))
                if fits[index] { grid.fixedSize = (image.height * commonFactor, image.width * commonFactor) }
                let pictureArea = Rect(x: column.x, y: column.y, width: column.width, height: pictureRows)
                let used = drawTitledGrid("\(index + 1). \(step.title)", grid, in: pictureArea, caption: true,
                                          into: &buffer, capabilities: capabilities)
                let lines = OverfittingPanel.wrapWords(step.note, width: max(1, column.width))
                for (line, text) in lines.enumerated() where used.maxY + line < column.maxY {
                    buffer.write(capabilities.glyphs.glyphs.text(text), x: column.x, y: used.maxY + line, style: .dim,
                                 clip: column)
                }
                bandBottom = max(bandBottom, used.maxY + lines.count)
            }
            y = bandBottom + 1
        }
    }

    // MARK: Kernel

    /// The original and what the kernel makes of it, side by side in colour at the panel's
    /// resolution, with the kernel's numbers under them.
    func drawKernelView(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let kernel = currentKernel
        var rest = write("kernel \(kernel.name): \(kernel.summary), on each colour channel (borders repeated)", in: area,
                         style: .bold, into: &buffer, capabilities: capabilities)
        if let kernelText {
            let (row, after) = rest.splitTop(1)
            let x = buffer.write("type a kernel, rows split by ; : ", x: row.x, y: row.y, style: .bold, clip: row)
            let end = buffer.write(kernelText, x: x, y: row.y, clip: row)
            buffer.write(" ", x: end, y: row.y, style: .reverse, clip: row)
            rest = after
        }
        if let status { rest = write(status, in: rest, style: alarm(capabilities), into: &buffer, capabilities: capabilities) }
        let kernelRows = min(kernel.grid.count + 1, 8)
        let (picturesArea, kernelArea) = rest.splitBottom(rest.height > kernelRows + 6 ? kernelRows : 0)
        let gap = 2
        let paneWidth = max(0, (picturesArea.width - gap) / 2)
        let left = Rect(x: picturesArea.x, y: picturesArea.y, width: paneWidth, height: picturesArea.height)
        let right = Rect(x: left.maxX + gap, y: picturesArea.y, width: paneWidth, height: picturesArea.height)
        let original = inspection.original
        var size = (width: 0, height: 0)
        drawTitledPicture("original \(original.width)x\(original.height)", size: (original.width, original.height),
                          in: left, into: &buffer, capabilities: capabilities,
                          shownSize: { originalShownSize(in: $0) },
                          draw: { area, buffer in
                              size = originalShownSize(in: area)
                              return drawOriginal(in: area, into: &buffer, capabilities: capabilities)
                          })
        switch applied(kernel.grid, width: max(1, size.width), height: max(1, size.height)) {
        case .success(let result):
            let rightBody = write("\(kernel.name) \(capabilities.glyphs.glyphs.text("→")) "
                                  + Self.displayNote(kernel: kernel.grid), in: right,
                                  style: .dim, into: &buffer, capabilities: capabilities)
            if !rightBody.isEmpty {
                InspectorPicture.draw(result, in: rightBody, into: &buffer, capabilities: capabilities)
            }
        case .failure(let failure):
            let lines = OverfittingPanel.wrapWords(failure.message, width: max(1, right.width))
            for (offset, text) in lines.prefix(right.height).enumerated() {
                buffer.write(text, x: right.x, y: right.y + offset, style: alarm(capabilities), clip: right)
            }
        }
        guard !kernelArea.isEmpty else { return }
        let below = write("kernel \(kernel.name)  (k next, K previous, t type one)", in: kernelArea, style: .dim,
                          into: &buffer, capabilities: capabilities)
        NumberGrid(kernel.grid, decimals: 3).render(in: below, into: &buffer, capabilities: capabilities)
    }

    /// The kernel applied to the original at `width x height`, kept for the next frame.
    func applied(_ kernel: [[Float]], width: Int, height: Int) -> Result<RGBImage, KernelFailure> {
        if let cache = kernelCache, cache.width == width, cache.height == height, cache.kernel == kernel {
            return cache.result
        }
        let result: Result<RGBImage, KernelFailure>
        do {
            result = .success(try ImageKernel.apply(kernel, to: originalRGB, width: width, height: height))
        } catch {
            result = .failure(KernelFailure(message: ImagePromptScreen.message(of: error)))
        }
        kernelCache = (width, height, kernel, result)
        return result
    }

    /// How `ImageKernel` turned the kernel's responses into colours (see `ImageKernel.apply`).
    static func displayNote(kernel: [[Float]]) -> String {
        abs(kernel.joined().reduce(0, +) - 1) < 0.05 ? "responses clipped to 0...1" : "|response|, the strongest white"
    }
}
