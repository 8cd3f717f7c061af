import ConvKernels
import TerminalUI
import Training
import Networks
import Datasets

/// The training screen's probe: one validation digit followed through the network as it trains.
/// The digit, its feature maps after conv1 (6), pool1 (6), conv2 (16) and pool2 (16) as small
/// heatmaps (one shared scale per layer), and the softmax probabilities as bars with the true
/// label marked `*` and the prediction highlighted.
///
/// At 60 columns or more the digit and the bars take a column on the left and the maps the rest
/// (in a short, wide area the digit gets a column of its own); narrower, they are stacked. Maps
/// shrink to fit the height.
public struct TrainingProbeView: Sendable {
    public var snapshot: TrainingSnapshot

    public init(snapshot: TrainingSnapshot) {
        self.snapshot = snapshot
    }

    /// The network's answer for the probe: the class with the highest probability.
    public var prediction: Int {
        var best = 0
        for (index, p) in snapshot.probeProbabilities.enumerated() where p > snapshot.probeProbabilities[best] { best = index }
        return best
    }

    /// The probabilities by digit, the true label's bar labelled with a `*`.
    public var probabilityBars: BarChart {
        let bars = snapshot.probeProbabilities.enumerated().map { digit, p in
            BarChart.Bar(digit == snapshot.probeLabel ? "\(digit)*" : "\(digit) ", Double(p))
        }
        return BarChart(bars, maxValue: 1, decimals: 2)
    }

    /// A layer's maps as the view draws them.
    public struct Layer: Sendable {
        public let name: String
        /// `[1, C, H, W]`.
        public let output: Tensor
        /// Shared by the layer's maps: symmetric about 0 (diverging) when a value is negative,
        /// otherwise 0 to the largest value (sequential).
        public let range: ValueRange
        public let scale: ColorScale

        init(name: String, output: Tensor) {
            self.name = name
            self.output = output
            let range = TrainingViewDrawing.range(output.data)
            if range.lower < 0 {
                self.range = TrainingViewDrawing.symmetricRange(output.data)
                scale = .diverging
            } else {
                self.range = range
                scale = .sequential
            }
        }

        public var maps: [Heatmap] {
            (0..<output.shape[1]).map {
                Heatmap(output.grid(batch: 0, channel: $0), scale: scale, range: range, mode: .halfBlocks, scaling: .fit)
            }
        }
    }

    public var layers: [Layer] {
        let probe = snapshot.probe
        return [Layer(name: "conv1", output: probe.conv1Activated), Layer(name: "pool1", output: probe.pool1),
                Layer(name: "conv2", output: probe.conv2Activated), Layer(name: "pool2", output: probe.pool2)]
    }

    /// "7 28%  9 27%  2* 17%": the three likeliest digits, the true label marked `*`.
    public var topProbabilitiesLine: String {
        let ranked = snapshot.probeProbabilities.enumerated().sorted { $0.element > $1.element }.prefix(3)
        return ranked.map { digit, p in
            let percent = p.isFinite ? "\(Int((p * 100).rounded()))%" : "\(p)"
            return "\(digit)\(digit == snapshot.probeLabel ? "*" : "") \(percent)"
        }.joined(separator: "  ")
    }

    public var inputMap: Heatmap {
        Heatmap(snapshot.probe.input.grid(batch: 0, channel: 0), scale: .greyscale, mode: .halfBlocks, scaling: .fit)
    }

    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        buffer.fill(area)
        let glyphs = capabilities.glyphs.glyphs
        let predicted = prediction
        let confidence = snapshot.probeProbabilities.indices.contains(predicted) ? snapshot.probeProbabilities[predicted] : 0
        let verdict = predicted == snapshot.probeLabel ? "right" : "wrong"
        // After divergence the probabilities may be NaN: say so rather than a percentage.
        let percent = confidence.isFinite ? "\(Int((confidence * 100).rounded()))%" : "\(confidence)"
        TrainingViewDrawing.write("probe image #\(snapshot.probeIndex): label \(snapshot.probeLabel), predicted "
            + "\(predicted) (\(percent), \(verdict))", x: area.x, y: area.y, in: area,
            style: .bold, into: &buffer, glyphs: glyphs)
        let body = Rect(x: area.x, y: area.y + 1, width: area.width, height: max(0, area.height - 1))
        guard !body.isEmpty else { return }
        let sideBySide = body.width >= 60
        let halfBlocks = TrainingViewDrawing.usesHalfBlocks(capabilities)
        // Too short for the digit above the bars but wide: the digit gets a column of its own.
        var leftX = body.x
        let digitRowsAvailable = body.height - 1 - 11
        if sideBySide && digitRowsAvailable < 4 && body.height >= 5 {
            let digitWidth = min(28, halfBlocks ? (body.height - 1) * 2 : body.height - 1)
            if body.width >= digitWidth + 2 + 32 + 30 {
                let digitHeight = halfBlocks ? (digitWidth + 1) / 2 : digitWidth
                TrainingViewDrawing.write("input", x: body.x, y: body.y, in: body, style: .dim, into: &buffer, glyphs: glyphs)
                inputMap.render(in: Rect(x: body.x, y: body.y + 1, width: digitWidth, height: digitHeight).intersection(body),
                                into: &buffer, capabilities: capabilities)
                leftX = body.x + digitWidth + 2
            }
        }
        let left = sideBySide ? Rect(x: leftX, y: body.y, width: 30, height: body.height) : body
        // Too short for the digit above the bars and too narrow for a digit column: the digit
        // (the maps' input) takes the left column, and the three likeliest digits one line under it.
        if sideBySide && leftX == body.x && digitRowsAvailable < 4 && body.height >= 6 {
            let rows = body.height - 2
            var width = min(28, halfBlocks ? rows * 2 : rows)
            if halfBlocks && (width + 1) / 2 > rows { width -= 1 }
            let height = halfBlocks ? (width + 1) / 2 : width
            TrainingViewDrawing.write("input", x: left.x, y: left.y, in: left, style: .dim, into: &buffer, glyphs: glyphs)
            inputMap.render(in: Rect(x: left.x, y: left.y + 1, width: width, height: height).intersection(left),
                            into: &buffer, capabilities: capabilities)
            TrainingViewDrawing.write(topProbabilitiesLine, x: left.x, y: left.y + 1 + height, in: left, style: .dim,
                                      into: &buffer, glyphs: glyphs)
            let mapsX = left.x + max(width, topProbabilitiesLine.count) + 2
            let maps = Rect(x: mapsX, y: body.y, width: max(0, body.maxX - mapsX), height: body.height)
            renderLayers(in: maps.intersection(area), into: &buffer, capabilities: capabilities)
            return
        }
        // The digit, as large as leaves room for the bars (11 rows) under it.
        var digitWidth = min(28, left.width)
        while digitWidth > 7 && (halfBlocks ? (digitWidth + 1) / 2 : digitWidth) > digitRowsAvailable { digitWidth -= 1 }
        var y = left.y
        if digitRowsAvailable >= 4 {
            let digitHeight = halfBlocks ? (digitWidth + 1) / 2 : digitWidth
            TrainingViewDrawing.write("input", x: left.x, y: y, in: left, style: .dim, into: &buffer, glyphs: glyphs)
            inputMap.render(in: Rect(x: left.x, y: y + 1, width: digitWidth, height: min(digitHeight, left.maxY - y - 1)),
                            into: &buffer, capabilities: capabilities)
            y += 1 + digitHeight
        }
        if y < left.maxY {
            TrainingViewDrawing.write("softmax (* label \(snapshot.probeLabel))", x: left.x, y: y, in: left, style: .dim,
                                      into: &buffer, glyphs: glyphs)
            let barsArea = Rect(x: left.x, y: y + 1, width: min(left.width, 28), height: max(0, min(10, left.maxY - y - 1)))
            let count = probabilityBars.bars.count
            if barsArea.height >= 2 && barsArea.height < count {
                // Not every digit's bar fits: the last row says how many are left out.
                let (shown, last) = barsArea.splitBottom(1)
                probabilityBars.render(in: shown, into: &buffer, capabilities: capabilities)
                TrainingViewDrawing.write("\(glyphs.ellipsis)+\(count - shown.height) more: " + topProbabilitiesLine, x: last.x,
                                          y: last.y, in: last, style: .dim, into: &buffer, glyphs: glyphs)
            } else {
                probabilityBars.render(in: barsArea, into: &buffer, capabilities: capabilities)
            }
            y += 1 + barsArea.height + 1
        }
        let maps = sideBySide ? Rect(x: leftX + 32, y: body.y, width: max(0, body.maxX - leftX - 32), height: body.height)
            : Rect(x: body.x, y: y, width: body.width, height: max(0, body.maxY - y))
        renderLayers(in: maps.intersection(area), into: &buffer, capabilities: capabilities)
    }

    /// A layer's maps at `size` columns each: (maps per row, rows of maps, cell rows per map).
    private static func strip(channels: Int, natural: Int, size: Int, width: Int, halfBlocks: Bool)
        -> (perRow: Int, rows: Int, mapWidth: Int, mapHeight: Int)? {
        for perRow in [channels, (channels + 1) / 2] {
            let fitting = (width + 1) / perRow - 1
            let mapWidth = min(natural, size, fitting)
            guard mapWidth >= 2 else { continue }
            let mapHeight = halfBlocks ? (mapWidth + 1) / 2 : mapWidth
            return (perRow, (channels + perRow - 1) / perRow, mapWidth, mapHeight)
        }
        return nil
    }

    private func renderLayers(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let halfBlocks = TrainingViewDrawing.usesHalfBlocks(capabilities)
        let layers = self.layers
        // The largest map size at which every layer fits the height (a title line per layer).
        func height(size: Int) -> Int? {
            var total = 0
            for layer in layers {
                guard let strip = Self.strip(channels: layer.output.shape[1], natural: layer.output.shape[3], size: size,
                                             width: area.width, halfBlocks: halfBlocks) else { return nil }
                total += 1 + strip.rows * strip.mapHeight
            }
            return total
        }
        var size = 24
        while size > 2, (height(size: size) ?? Int.max) > area.height { size -= 1 }
        var y = area.y
        for layer in layers {
            guard y < area.maxY else { break }
            let (channels, rows, columns) = (layer.output.shape[1], layer.output.shape[2], layer.output.shape[3])
            var title = "\(layer.name): \(channels) maps \(rows)×\(columns), \(layer.range.lower < 0 ? "±" : "0 to ")"
                + TrainingViewDrawing.format(layer.range.upper)
            let strip = Self.strip(channels: channels, natural: columns, size: size, width: area.width, halfBlocks: halfBlocks)
            let fits = strip.map { y + 1 + $0.rows * $0.mapHeight <= area.maxY } ?? false
            // Maps with no room: the title says where they are.
            if !fits { title += " (no room: Enter zooms)" }
            TrainingViewDrawing.write(title, x: area.x, y: y, in: area, style: .dim, into: &buffer, glyphs: glyphs)
            y += 1
            guard let strip, fits else { continue }
            for (index, map) in layer.maps.enumerated() {
                let x = area.x + (index % strip.perRow) * (strip.mapWidth + 1)
                let top = y + (index / strip.perRow) * strip.mapHeight
                map.render(in: Rect(x: x, y: top, width: strip.mapWidth, height: strip.mapHeight).intersection(area),
                           into: &buffer, capabilities: capabilities)
            }
            y += strip.rows * strip.mapHeight
        }
    }
}
