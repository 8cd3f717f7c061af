import ConvKernels
import TerminalUI
import Training
import Networks
import Datasets

/// The training screen's probe: one validation digit followed through the network as it trains.
/// The digit, the feature maps of every stage worth a picture (`Network.Stage.pictured`: LeNet-5's
/// conv1 (6), pool1 (6), conv2 (16) and pool2 (16); resnet-mini's conv1, each residual block and
/// the activation after it) as small heatmaps (one shared scale per layer), and the softmax
/// probabilities, the true label marked `*`: as bars with the prediction highlighted, or on one
/// line when wide. Stages with no room keep a line naming them, or one line counting them.
///
/// At 60 columns or more every probability takes one line and the digit is drawn beside conv1's
/// maps (both 28x28, at one size), the other layers under them; narrower, the digit, the bars and
/// the maps are stacked. Maps shrink to fit, each pooling at half its convolution's size, and a
/// title says the size drawn whenever it is not the true size.
public struct TrainingProbeView: Sendable {
    public var snapshot: TrainingSnapshot
    /// How to see what has no room here ("Enter zooms"); nil when there is no larger view.
    public var zoomHint: String?

    public init(snapshot: TrainingSnapshot, zoomHint: String? = "Enter zooms") {
        self.snapshot = snapshot
        self.zoomHint = zoomHint
    }

    /// " (no room: Enter zooms)", or " (no room)" with nowhere larger to go.
    var noRoomText: String { " (no room" + (zoomHint.map { ": \($0)" } ?? "") + ")" }

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
        /// otherwise 0 to the largest value (sequential); the input digit in grey.
        public let range: ValueRange
        public let scale: ColorScale

        init(name: String, output: Tensor, greyscale: Bool = false) {
            self.name = name
            self.output = output
            let range = TrainingViewDrawing.range(output.data)
            if greyscale {
                self.range = range
                scale = .greyscale
            } else if range.lower < 0 {
                self.range = TrainingViewDrawing.symmetricRange(output.data)
                scale = .diverging
            } else {
                self.range = range
                scale = .sequential
            }
        }

        public var channels: Int { output.shape[1] }
        /// The maps' true size (square in LeNet-5, the larger side otherwise).
        public var trueSize: Int { max(output.shape[2], output.shape[3]) }

        public var maps: [Heatmap] {
            (0..<output.shape[1]).map {
                Heatmap(output.grid(batch: 0, channel: $0), scale: scale, range: range, mode: .halfBlocks, scaling: .fit)
            }
        }

        /// "0 to 4.1", "±0.52".
        var rangeText: String {
            scale == .diverging ? "±" + TrainingViewDrawing.format(range.upper)
                : TrainingViewDrawing.format(range.lower) + " to " + TrainingViewDrawing.format(range.upper)
        }
    }

    public var inputLayer: Layer { Layer(name: "input", output: snapshot.probeInput, greyscale: true) }

    /// Every pictured stage (LeNet-5's conv1, pool1, conv2, pool2).
    public var layers: [Layer] {
        Network.Stage.pictured(snapshot.probeStages).map { Layer(name: $0.name, output: $0.stage.output) }
    }

    /// "7 28%  9 27%  2* 17%": the three likeliest digits, the true label marked `*`.
    public var topProbabilitiesLine: String {
        let ranked = snapshot.probeProbabilities.enumerated().sorted { $0.element > $1.element }.prefix(3)
        return ranked.map { digit, p in "\(digit)\(digit == snapshot.probeLabel ? "*" : "") \(Self.percent(p))" }
            .joined(separator: "  ")
    }

    /// "softmax 0:1% 1:7% 2*:17% ...": every digit's probability on one line, the label marked `*`.
    public var probabilitiesLine: String {
        "softmax " + snapshot.probeProbabilities.enumerated().map { digit, p in
            "\(digit)\(digit == snapshot.probeLabel ? "*" : ""):\(Self.percent(p))"
        }.joined(separator: " ")
    }

    static func percent(_ p: Float) -> String { p.isFinite ? "\(Int((p * 100).rounded()))%" : "\(p)" }

    public var inputMap: Heatmap { inputLayer.maps[0] }

    /// ", drawn at 10×10" when `map` in `rect` is not drawn at its true size (or a whole multiple),
    /// as `Heatmap.shownSize` says it is.
    static func drawnText(_ map: Heatmap, in rect: Rect, capabilities: TerminalCapabilities) -> String {
        guard map.sizeLabel(in: rect, capabilities: capabilities) != nil else { return "" }
        let shown = map.shownSize(in: rect, capabilities: capabilities)
        return ", drawn at \(shown.rows)×\(shown.columns)"
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
        TrainingViewDrawing.write("probe image #\(snapshot.probeIndex): label \(snapshot.probeLabel), predicted "
            + "\(predicted) (\(Self.percent(confidence)), \(verdict))", x: area.x, y: area.y, in: area,
            style: .bold, into: &buffer, glyphs: glyphs)
        let body = Rect(x: area.x, y: area.y + 1, width: area.width, height: max(0, area.height - 1))
        guard !body.isEmpty else { return }
        if body.width >= 60 {
            // Wide: every probability on one line, then the digit beside conv1's maps (both 28x28,
            // drawn at one size) and the other layers under them, as large as they all fit.
            TrainingViewDrawing.write(probabilitiesLine, x: body.x, y: body.y, in: body, style: .dim, into: &buffer,
                                      glyphs: glyphs)
            renderLayers(in: Rect(x: body.x, y: body.y + 1, width: body.width, height: max(0, body.height - 1)),
                         withInput: true, into: &buffer, capabilities: capabilities)
            return
        }
        // Narrow: the digit as large as leaves room for the bars (11 rows) under it, the maps below.
        var y = body.y
        let digitRowsAvailable = body.height - 1 - 11
        if digitRowsAvailable >= 4 {
            let input = inputMap
            var size = inputLayer.trueSize
            while size > 7, TrainingViewDrawing.pictureCells(size: size, capabilities: capabilities).height > digitRowsAvailable
                    || TrainingViewDrawing.pictureCells(size: size, capabilities: capabilities).width > body.width { size -= 1 }
            let cells = TrainingViewDrawing.pictureCells(size: size, capabilities: capabilities)
            let rect = Rect(x: body.x, y: y + 1, width: cells.width, height: cells.height)
            TrainingViewDrawing.write("input \(inputLayer.output.shape[2])×\(inputLayer.output.shape[3])"
                + Self.drawnText(input, in: rect, capabilities: capabilities), x: body.x, y: y, in: body, style: .dim,
                into: &buffer, glyphs: glyphs)
            input.render(in: rect.intersection(body), into: &buffer, capabilities: capabilities)
            y += 1 + cells.height
        }
        if y < body.maxY {
            TrainingViewDrawing.write("softmax (* label \(snapshot.probeLabel))", x: body.x, y: y, in: body, style: .dim,
                                      into: &buffer, glyphs: glyphs)
            // The maps need a title and a row at least; short of that a row says where they are.
            let roomAfterBars = body.maxY - (y + 1 + 10 + 1)
            let barsRows = max(0, min(10, body.maxY - y - 1 - (roomAfterBars < 2 ? 1 : 0)))
            let barsArea = Rect(x: body.x, y: y + 1, width: min(body.width, 28), height: barsRows)
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
            y += 1 + barsArea.height
            if roomAfterBars < 2 {
                TrainingViewDrawing.write("\(glyphs.ellipsis) feature maps" + noRoomText, x: body.x, y: y,
                                          in: body, style: .dim, into: &buffer, glyphs: glyphs)
                return
            }
            y += 1
        }
        renderLayers(in: Rect(x: body.x, y: y, width: body.width, height: max(0, body.maxY - y)).intersection(area),
                     withInput: false, into: &buffer, capabilities: capabilities)
    }

    /// One row of the layers' pictures: layers of one true size drawn at `size` values across.
    struct Band {
        let layers: [Layer]
        let size: Int
        /// Pictures per row of the band, rows of pictures, and the cells one picture takes.
        let perRow: Int
        let rows: Int
        let cellWidth: Int
        let cellHeight: Int
        /// A title row, the pictures' rows and a gap row between two rows of pictures.
        var height: Int { 1 + rows * cellHeight + max(0, rows - 1) }
    }

    /// The bands for `groups` (layers sharing a true size, each after the first a pooling of the
    /// one before) drawn at `sizes`, in `width`; nil when a picture does not fit across.
    static func bands(_ groups: [[Layer]], sizes: [Int], width: Int, capabilities: TerminalCapabilities) -> [Band]? {
        var bands: [Band] = []
        for (group, size) in zip(groups, sizes) {
            let cells = TrainingViewDrawing.pictureCells(size: size, capabilities: capabilities)
            let count = group.reduce(0) { $0 + $1.channels }
            let perRow = min(count, (width + 1) / (cells.width + 1))
            guard perRow > 0 else { return nil }
            bands.append(Band(layers: group, size: size, perRow: perRow, rows: (count + perRow - 1) / perRow,
                              cellWidth: cells.width, cellHeight: cells.height))
        }
        return bands
    }

    /// The most size combinations `layout` tries one by one (LeNet-5's two pairs: 52); past it every
    /// pair is shrunk by the same ratio.
    static let maximumChoices = 4_000

    /// The sizes the layers are drawn at in `area`. Stages of one true size are drawn at one size;
    /// the true sizes, in the order they come, are taken in pairs (LeNet-5's conv1 28×28 and pool1
    /// 14×14, conv2 10×10 and pool2 5×5; resnet-mini's 28×28 stages and its 14×14 ones), the first
    /// of a pair as large as lets every layer fit (the most shrunk of them shrunk least), the
    /// second at exactly the same ratio so the two keep their relative sizes. When nothing fits,
    /// the smallest sizes.
    static func layout(_ groups: [[Layer]], in area: Rect, capabilities: TerminalCapabilities) -> [Band]? {
        // Sizes the first of a pair may be drawn at: its true size, then even sizes down to 4, so
        // that the second (half as large, after a pooling) is drawn at exactly half, no smaller than 2x2.
        func candidates(_ trueSize: Int) -> [Int] {
            [trueSize] + stride(from: trueSize - 1, through: min(trueSize, 4), by: -1).filter { $0 % 2 == 0 }
        }
        var trueSizes: [Int] = []
        for group in groups where !trueSizes.contains(group[0].trueSize) { trueSizes.append(group[0].trueSize) }
        let pairs = stride(from: 0, to: trueSizes.count, by: 2).map { Array(trueSizes[$0..<min(trueSizes.count, $0 + 2)]) }
        func sizes(_ firstSizes: [Int]) -> [Int] {
            groups.map { group in
                let trueSize = group[0].trueSize
                guard let pair = pairs.firstIndex(where: { $0.contains(trueSize) }) else { return 1 }
                return trueSize == pairs[pair][0] ? firstSizes[pair] : max(1, firstSizes[pair] * trueSize / pairs[pair][0])
            }
        }
        var choices: [[Int]] = [[]]
        let combinations = pairs.reduce(1) { $0 * candidates($1[0]).count }
        if combinations <= maximumChoices {
            for pair in pairs { choices = choices.flatMap { chosen in candidates(pair[0]).map { chosen + [$0] } } }
        } else {
            // Too many to try each: every pair shrunk alike, to the largest of its sizes at or below
            // the first pair's ratio.
            choices = candidates(pairs[0][0]).map { first in
                let ratio = Double(first) / Double(pairs[0][0])
                return pairs.map { pair in
                    let sizes = candidates(pair[0])
                    return sizes.first { Double($0) <= ratio * Double(pair[0]) } ?? sizes.last ?? 1
                }
            }
        }
        func score(_ firstSizes: [Int]) -> (Double, Int) {
            let ratios = zip(pairs, firstSizes).map { Double($1) / Double($0[0]) }
            return (ratios.min() ?? 0, firstSizes.reduce(0, +))
        }
        var best: (sizes: [Int], bands: [Band])?
        for choice in choices {
            guard let bands = bands(groups, sizes: sizes(choice), width: area.width, capabilities: capabilities),
                  bands.reduce(0, { $0 + $1.height }) <= area.height else { continue }
            if let current = best, score(current.sizes) >= score(choice) { continue }
            best = (choice, bands)
        }
        if let best { return best.bands }
        return bands(groups, sizes: sizes(pairs.map { candidates($0[0]).last ?? 1 }), width: area.width,
                     capabilities: capabilities)
    }

    /// The layers' maps in bands (the digit first, beside conv1's maps, when `withInput`), each
    /// band's title naming the true size and, when shrunk, the size drawn. A band with no room
    /// keeps its title and says so.
    private func renderLayers(in area: Rect, withInput: Bool, into buffer: inout CellBuffer,
                              capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let layers = self.layers
        guard !layers.isEmpty else {
            return TrainingViewDrawing.write("no feature maps to picture", x: area.x, y: area.y, in: area, style: .dim,
                                             into: &buffer, glyphs: glyphs)
        }
        // The digit beside the first stage's maps when they have one size (drawn at one size).
        let allGroups: [[Layer]]
        if withInput {
            allGroups = layers[0].trueSize == inputLayer.trueSize ? [[inputLayer, layers[0]]] + layers.dropFirst().map { [$0] }
                : [[inputLayer]] + layers.map { [$0] }
        } else {
            allGroups = layers.map { [$0] }
        }
        let groups = allGroups
        var bands = Self.layout(groups, in: area, capabilities: capabilities)
        // Where every stage cannot have at least its title line: the first stages that fit with a
        // line to spare, drawn as large as they then can be, and the last line naming the others.
        func rowsTaken(_ count: Int, _ bands: [Band]?) -> Int {
            var rows = 0
            for index in 0..<count {
                if let band = bands?[index], rows + band.height <= area.height { rows += band.height } else { rows += 1 }
            }
            return rows
        }
        var counted = groups.count
        if rowsTaken(groups.count, bands) > area.height {
            let shorter = Rect(x: area.x, y: area.y, width: area.width, height: area.height - 1)
            let fewer = (1..<groups.count).reversed().lazy.compactMap { count -> (Int, [Band])? in
                guard let fewer = Self.layout(Array(groups.prefix(count)), in: shorter, capabilities: capabilities),
                      fewer.reduce(0, { $0 + $1.height }) <= shorter.height else { return nil }
                return (count, fewer)
            }.first
            if let (count, fewerBands) = fewer {
                counted = count
                bands = fewerBands + Array(repeating: fewerBands[0], count: groups.count - count)  // never drawn
            } else {
                counted = (0...groups.count).last { rowsTaken($0, bands) <= area.height - 1 } ?? 0
            }
        }
        var y = area.y
        for (index, group) in groups.enumerated() {
            guard y < area.maxY else { break }
            guard index < counted else {
                let left = groups[index...].map { $0[$0.count - 1].name }
                TrainingViewDrawing.write("\(glyphs.ellipsis)+\(left.count) more: " + left.joined(separator: ", ") + noRoomText,
                                          x: area.x, y: y, in: area, style: .dim, into: &buffer, glyphs: glyphs)
                break
            }
            let layer = group[group.count - 1]
            let (rows, columns) = (layer.output.shape[2], layer.output.shape[3])
            let what = group.count > 1 ? "\(group[0].name) \(rows)×\(columns) and \(layer.name)" : layer.name
            var title = "\(what): \(layer.channels) maps \(rows)×\(columns)"
            guard let band = bands?[index], y + band.height <= area.maxY else {
                // Maps with no room: the title says where they are.
                TrainingViewDrawing.write(title + ", \(layer.rangeText)" + noRoomText, x: area.x, y: y, in: area,
                                          style: .dim, into: &buffer, glyphs: glyphs)
                y += 1
                continue
            }
            let maps = group.flatMap(\.maps)
            let first = Rect(x: area.x, y: y + 1, width: band.cellWidth, height: band.cellHeight)
            title += Self.drawnText(maps[0], in: first, capabilities: capabilities) + ", \(layer.rangeText)"
            TrainingViewDrawing.write(title, x: area.x, y: y, in: area, style: .dim, into: &buffer, glyphs: glyphs)
            for (mapIndex, map) in maps.enumerated() {
                let x = area.x + (mapIndex % band.perRow) * (band.cellWidth + 1)
                let top = y + 1 + (mapIndex / band.perRow) * (band.cellHeight + 1)
                map.render(in: Rect(x: x, y: top, width: band.cellWidth, height: band.cellHeight).intersection(area),
                           into: &buffer, capabilities: capabilities)
            }
            y += band.height
        }
    }
}
