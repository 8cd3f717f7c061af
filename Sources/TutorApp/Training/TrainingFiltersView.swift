import ConvKernels
import TerminalUI
import Training
import Networks
import Datasets

/// The training screen's filters: the network's first two convolutions ("conv1" and "conv2",
/// whatever their place in the network: LeNet-5's `[6, 1, 5, 5]` and `[16, 6, 5, 5]`, resnet-mini's
/// `[16, 1, 3, 3]` and `[16, 16, 3, 3]` in its first residual block, mobilenet-mini's depthwise
/// `[16, 1, 3, 3]`) as diverging heatmaps centred on 0, or with `showGradients` their gradients at
/// the last step. Each layer has one scale shared by all its filters, so filters can be compared.
/// Every label states the layer's real shape; a network with one convolution shows it alone.
///
/// Every filter is drawn at its true size (`Heatmap.size`: two cells a value without half blocks).
/// conv1's filters are drawn as they are when the input has one channel, else as the mean of their
/// channels (labelled so). conv2's filters × channels maps are drawn filters across and channels
/// down when that fits, or the other way round; failing both, each filter once as the mean of its
/// channels (labelled so), and failing that a line saying there is no room.
public struct TrainingFiltersView: Sendable {
    public var snapshot: TrainingSnapshot
    public var showGradients: Bool
    /// How to see what has no room here ("Enter zooms"); nil when there is no larger view.
    public var zoomHint: String?

    public init(snapshot: TrainingSnapshot, showGradients: Bool, zoomHint: String? = "Enter zooms") {
        self.snapshot = snapshot
        self.showGradients = showGradients
        self.zoomHint = zoomHint
    }

    /// The first convolution's weights or gradient (LeNet-5's conv1 `[6, 1, 5, 5]`), as shown;
    /// an empty `[0, 1, 1, 1]` in a network without one.
    public var conv1: Tensor {
        snapshot.convolutions.first.map { Self.shown($0, gradients: showGradients) } ?? Tensor(zeros: [0, 1, 1, 1])
    }
    /// The second convolution's (LeNet-5's conv2 `[16, 6, 5, 5]`), or the first's again when there is one.
    public var conv2: Tensor {
        snapshot.convolutions.count > 1 ? Self.shown(snapshot.convolutions[1], gradients: showGradients) : conv1
    }
    /// False for a network with a single convolution: there is no conv2 to draw.
    public var hasConv2: Bool { snapshot.convolutions.count > 1 }

    /// "conv1", "conv2 (layer 4.1)": the convolution's number and, when it sits inside a block,
    /// the summary's label of its place.
    func name(_ index: Int) -> String {
        let layers = snapshot.convolutions
        guard layers.indices.contains(index), layers[index].label.contains(".") else { return "conv\(index + 1)" }
        return "conv\(index + 1) (layer \(layers[index].label))"
    }

    /// "5×5", "3×3": a kernel's size from its `[O, I, kh, kw]` shape.
    static func kernelText(_ tensor: Tensor) -> String { "\(tensor.shape[2])×\(tensor.shape[3])" }

    /// True when conv2 has one input channel per filter after a conv1 with several outputs: a
    /// depthwise convolution (`groups` = channels), each filter seeing one channel.
    var conv2IsDepthwise: Bool { hasConv2 && conv2.shape[1] == 1 && conv1.shape[0] > 1 }

    static func shown(_ layer: TrainingSnapshot.LayerState, gradients: Bool) -> Tensor {
        gradients ? layer.gradient : layer.weights
    }

    /// The range every conv1 filter is drawn with: symmetric about 0, reaching the largest magnitude
    /// (of the channel means when conv1 has several input channels).
    public var conv1Range: ValueRange { TrainingViewDrawing.symmetricRange(conv1Values) }
    /// What conv1's pictures show: its values, or each filter's channel mean `[O, kh, kw]`.
    var conv1Values: [Float] {
        conv1.shape[1] == 1 ? conv1.data : (0..<conv1.shape[0]).flatMap { channelMean(conv1, output: $0) }
    }
    public var conv2Range: ValueRange { TrainingViewDrawing.symmetricRange(conv2.data) }

    /// The heatmap of filter `output`, input channel `channel` of `tensor` `[O, I, kh, kw]` on `range`.
    static func filterMap(_ tensor: Tensor, output: Int, channel: Int, range: ValueRange) -> Heatmap {
        let (rows, columns) = (tensor.shape[2], tensor.shape[3])
        let start = (output * tensor.shape[1] + channel) * rows * columns
        return Heatmap(rows: rows, columns: columns, values: Array(tensor.data[start..<(start + rows * columns)]),
                       scale: .diverging, range: range, mode: .halfBlocks)
    }

    /// The maps drawn for conv1 (one a filter, its channels' mean when it has several) and conv2
    /// (filter by filter, channel by channel).
    public var conv1Maps: [Heatmap] {
        let range = conv1Range
        let (rows, columns) = (conv1.shape[2], conv1.shape[3])
        guard conv1.shape[1] > 1 else {
            return (0..<conv1.shape[0]).map { Self.filterMap(conv1, output: $0, channel: 0, range: range) }
        }
        return (0..<conv1.shape[0]).map {
            Heatmap(rows: rows, columns: columns, values: channelMean(conv1, output: $0), scale: .diverging, range: range,
                    mode: .halfBlocks)
        }
    }

    public var conv2Maps: [Heatmap] {
        let range = conv2Range
        return (0..<conv2.shape[0]).flatMap { output in
            (0..<conv2.shape[1]).map { Self.filterMap(conv2, output: output, channel: $0, range: range) }
        }
    }

    private var what: String { showGradients ? "gradient" : "weights" }

    /// Filters per row when `count` of `cellWidth` cells (a column apart) share `width` columns.
    static func perRow(_ count: Int, cellWidth: Int, width: Int) -> Int {
        max(0, min(count, (width + 1) / (cellWidth + 1)))
    }

    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        buffer.fill(area)
        let glyphs = capabilities.glyphs.glyphs
        var y = area.y
        guard !snapshot.convolutions.isEmpty else {
            TrainingViewDrawing.writeWrapped("\(snapshot.networkName) has no convolution: no filters to draw", x: area.x, y: y,
                                             in: area, lines: 2, style: .dim, into: &buffer, glyphs: glyphs)
            return
        }
        // conv1: a title, then the filters at their true size in rows, each row under its filter numbers.
        let cells = TrainingViewDrawing.pictureCells(rows: conv1.shape[2], columns: conv1.shape[3], capabilities: capabilities)
        let count1 = conv1.shape[0]
        let kernel1 = Self.kernelText(conv1)
        // The scale matters more than the words: a short title when the long one would lose it.
        let scale1 = TrainingViewDrawing.scaleText(conv1Values)
        let means = conv1.shape[1] > 1 ? ", each the mean of its \(conv1.shape[1]) channels" : ""
        let long1 = "\(name(0)) \(what): \(count1) filters \(kernel1)\(means), scale \(scale1)"
        let short1 = "conv1 \(what) \(count1)×\(kernel1)" + (means.isEmpty ? "" : " ch. mean") + ", \(scale1)"
        TrainingViewDrawing.write(long1.count <= area.width ? long1 : short1,
                                  x: area.x, y: y, in: area, style: .bold, into: &buffer, glyphs: glyphs)
        y += 1
        let across1 = Self.perRow(count1, cellWidth: cells.width, width: area.width)
        let bands1 = across1 > 0 ? (count1 + across1 - 1) / across1 : 0
        let conv1Width = across1 * (cells.width + 1) - 1
        // The filter numbers above each row, unless they would leave conv2 no line to say where it is.
        let numbered = y + bands1 * (1 + cells.height) < area.maxY || bands1 != 1 || conv1Width + 3 + 24 <= area.width
        // conv2 cannot go beside conv1's filters in several rows: it keeps a line under them.
        let conv2NeedsRow = hasConv2 && bands1 > 1
        // Every filter's number when it fits above the filter, else every second (third, ...) one's.
        let numberStep = max(1, (String(count1).count + cells.width) / (cells.width + 1))
        let bandHeight = cells.height + (numbered ? 1 : 0)
        let conv1Drawn = across1 > 0 && y + bands1 * bandHeight + (conv2NeedsRow ? 1 : 0) <= area.maxY
        if conv1Drawn {
            for (index, map) in conv1Maps.enumerated() {
                let x = area.x + (index % across1) * (cells.width + 1)
                let top = y + (index / across1) * bandHeight
                if numbered, (index % across1) % numberStep == 0 {
                    TrainingViewDrawing.write("\(index + 1)", x: x, y: top, in: area, style: .dim, into: &buffer, glyphs: glyphs)
                }
                map.render(in: Rect(x: x, y: top + bandHeight - cells.height, width: cells.width, height: cells.height)
                    .intersection(area), into: &buffer, capabilities: capabilities)
            }
            y += bands1 * bandHeight
            // A blank row before conv2 when conv2 keeps its layout without it.
            if hasConv2, y < area.maxY, rank(Rect(x: area.x, y: y + 1, width: area.width, height: area.maxY - y - 1), capabilities)
                == rank(Rect(x: area.x, y: y, width: area.width, height: area.maxY - y), capabilities) {
                y += 1
            }
        } else {
            y += TrainingViewDrawing.writeWrapped("\(count1) filters " + summary(conv1), x: area.x, y: y, in: area, lines: 2,
                                                  style: .dim, into: &buffer, glyphs: glyphs) + 1
        }
        guard hasConv2 else {
            if y < area.maxY { y += 1 }
            TrainingViewDrawing.writeWrapped("no conv2: \(snapshot.networkName) has one convolution", x: area.x, y: y,
                                             in: area, lines: 1, style: .dim, into: &buffer, glyphs: glyphs)
            return
        }
        // conv2 under conv1, or beside it when that gives it a larger layout (a wide, short area).
        let below = Rect(x: area.x, y: y, width: area.width, height: max(0, area.maxY - y))
        let besideX = area.x + conv1Width + 3
        let beside = Rect(x: besideX, y: area.y + 1, width: max(0, area.maxX - besideX), height: area.height - 1)
        let conv2Area = conv1Drawn && bands1 == 1 && rank(beside, capabilities) > rank(below, capabilities) ? beside : below
        if conv1Drawn && bands1 == 1 && conv2Area == below && beside.width >= 24 {
            // The colour keys beside conv1's maps: blue negative, white 0, red positive.
            let keys = [("conv1 ", conv1Values, conv1Range), ("conv2 ", conv2.data, conv2Range)]
            for (offset, (name, values, range)) in keys.enumerated() where values.contains(where: { $0 != 0 && $0.isFinite }) {
                let row = Rect(x: besideX, y: area.y + 2 + offset, width: min(beside.width, 40), height: 1).intersection(area)
                guard !row.isEmpty else { continue }
                let x = buffer.write(name, x: row.x, y: row.y, style: .dim, clip: row)
                Legend(scale: .diverging, range: range).render(in: Rect(x: x, y: row.y, width: max(0, row.maxX - x), height: 1),
                                                              into: &buffer, capabilities: capabilities)
            }
        }
        guard !conv2Area.isEmpty else { return }
        renderConv2(in: conv2Area, into: &buffer, capabilities: capabilities)
    }

    /// The rows conv1's filters take `width` columns wide, numbered, with its title and a line for
    /// conv2 (when there is one) under them: what a screen leaves the panel so that they show.
    public func conv1Rows(width: Int, capabilities: TerminalCapabilities) -> Int {
        guard !snapshot.convolutions.isEmpty else { return 2 }
        let cells = TrainingViewDrawing.pictureCells(rows: conv1.shape[2], columns: conv1.shape[3], capabilities: capabilities)
        let across = max(1, Self.perRow(conv1.shape[0], cellWidth: cells.width, width: width))
        let bands = (conv1.shape[0] + across - 1) / across
        return 1 + bands * (cells.height + 1) + (hasConv2 ? 1 : 0)
    }

    /// How much of conv2 a layout in `rect` shows: every kernel, each filter's channel mean, a line.
    private func rank(_ rect: Rect, _ capabilities: TerminalCapabilities) -> Int {
        switch Self.conv2Layout(width: rect.width, height: rect.height, capabilities: capabilities,
                                filters: conv2.shape[0], channels: conv2.shape[1], kernel: conv2.shape[2],
                                kernelColumns: conv2.shape[3]) {
        case .full: 2
        case .channelMeans: 1
        case .summary: rect.isEmpty ? -1 : 0
        }
    }

    /// "(no room: Enter zooms) ±0.23, mean |x| 0.11": where to see the filters first, so that a
    /// short line keeps it.
    func summary(_ tensor: Tensor) -> String {
        let meanMagnitude = tensor.data.isEmpty ? 0 : tensor.data.reduce(0) { $0 + abs($1) } / Float(tensor.count)
        return "(no room" + (zoomHint.map { ": \($0)" } ?? "") + ") "
            + "\(TrainingViewDrawing.scaleText(tensor.data)), mean |x| \(TrainingViewDrawing.format(meanMagnitude))"
    }

    /// How conv2 is laid out in the space it has.
    enum Conv2Layout: Equatable {
        /// The filters across, their channels down (or the other way round when `filtersAcross` is false).
        case full(filtersAcross: Bool)
        /// Each filter as one picture, the mean of its channels, `perRow` to a row.
        case channelMeans(perRow: Int)
        case summary
    }

    /// The rows conv2's title takes when the channel means are drawn (it says what they are).
    static let channelMeansTitleRows = 2

    static func conv2Layout(width: Int, height: Int, capabilities: TerminalCapabilities,
                            filters: Int, channels: Int, kernel: Int, kernelColumns: Int? = nil) -> Conv2Layout {
        let cells = TrainingViewDrawing.pictureCells(rows: kernel, columns: kernelColumns ?? kernel, capabilities: capabilities)
        // With one value per cell a gap row keeps two rows of filters apart.
        let rowPitch = TrainingViewDrawing.usesHalfBlocks(capabilities) ? cells.height : cells.height + 1
        // A title line and a line of column numbers; a 3-column gutter of row numbers.
        func fits(across: Int, down: Int) -> Bool {
            3 + across * (cells.width + 1) - 1 <= width && 2 + down * rowPitch <= height
        }
        if fits(across: filters, down: channels) { return .full(filtersAcross: true) }
        if fits(across: channels, down: filters) { return .full(filtersAcross: false) }
        let across = perRow(filters, cellWidth: cells.width, width: width)
        if across > 0 {
            let bands = (filters + across - 1) / across
            if channelMeansTitleRows + bands * cells.height + (bands - 1) <= height { return .channelMeans(perRow: across) }
        }
        return .summary
    }

    /// Filter `output`'s mean over its input channels `[kh, kw]`: what it responds to in all of them at once.
    func channelMean(_ tensor: Tensor, output: Int) -> [Float] {
        let (channels, size) = (tensor.shape[1], tensor.shape[2] * tensor.shape[3])
        var mean = [Float](repeating: 0, count: size)
        for channel in 0..<channels {
            let start = (output * channels + channel) * size
            for index in 0..<size { mean[index] += tensor.data[start + index] / Float(channels) }
        }
        return mean
    }

    private func renderConv2(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let glyphs = capabilities.glyphs.glyphs
        let tensor = conv2, range = conv2Range
        let (filters, channels, kernel, kernelColumns) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3])
        let layout = Self.conv2Layout(width: area.width, height: area.height, capabilities: capabilities,
                                      filters: filters, channels: channels, kernel: kernel, kernelColumns: kernelColumns)
        let cells = TrainingViewDrawing.pictureCells(rows: kernel, columns: kernelColumns, capabilities: capabilities)
        let size = Self.kernelText(tensor)
        let name = self.name(1)
        // "6 channels", "1 channel each (depthwise)".
        let channelText = conv2IsDepthwise ? "1 channel each (depthwise)" : "\(channels) channel\(channels == 1 ? "" : "s")"
        let scale = "scale \(TrainingViewDrawing.scaleText(tensor.data))"
        switch layout {
        case .full(let filtersAcross):
            let title = filtersAcross ? "\(name) \(what): \(filters) filters (across) × \(channelText) (down), \(size), \(scale)"
                : "\(name) \(what): \(filters) filters (down) × \(channelText) (across), \(size), \(scale)"
            TrainingViewDrawing.write(title, x: area.x, y: area.y, in: area, style: .bold, into: &buffer, glyphs: glyphs)
            let across = filtersAcross ? filters : channels, down = filtersAcross ? channels : filters
            let pitch = TrainingViewDrawing.usesHalfBlocks(capabilities) ? cells.height : cells.height + 1
            for column in 0..<across {
                TrainingViewDrawing.write("\(column + 1)", x: area.x + 3 + column * (cells.width + 1), y: area.y + 1, in: area,
                                          style: .dim, into: &buffer, glyphs: glyphs)
            }
            for row in 0..<down {
                let top = area.y + 2 + row * pitch
                TrainingViewDrawing.write("\(row + 1)", x: area.x, y: top, in: area, style: .dim, into: &buffer, glyphs: glyphs)
                for column in 0..<across {
                    let (output, channel) = filtersAcross ? (column, row) : (row, column)
                    let map = Self.filterMap(tensor, output: output, channel: channel, range: range)
                    map.render(in: Rect(x: area.x + 3 + column * (cells.width + 1), y: top, width: cells.width,
                                        height: cells.height).intersection(area), into: &buffer, capabilities: capabilities)
                }
            }
        case .channelMeans(let across):
            // Not every kernel fits: each filter drawn once, its channels averaged, at true size.
            let means = (0..<filters).map { channelMean(tensor, output: $0) }
            let meansRange = TrainingViewDrawing.symmetricRange(means.flatMap { $0 })
            let scale = TrainingViewDrawing.scaleText(means.flatMap { $0 })
            let hint = zoomHint.map { "; all \(filters * channels): \($0)" } ?? ""
            let long = "\(name) \(what): \(filters) filters \(size), each the mean of its \(channels) channels, scale \(scale)" + hint
            let short = "conv2 \(what) \(filters)×\(size), channels averaged \(scale)" + hint
            let title = OverfittingPanel.wrapWords(long, width: max(1, area.width)).count <= Self.channelMeansTitleRows
                ? long : short
            TrainingViewDrawing.writeWrapped(title, x: area.x, y: area.y, in: area, lines: Self.channelMeansTitleRows,
                                             style: .bold, into: &buffer, glyphs: glyphs)
            for (index, values) in means.enumerated() {
                let x = area.x + (index % across) * (cells.width + 1)
                let top = area.y + Self.channelMeansTitleRows + (index / across) * (cells.height + 1)
                Heatmap(rows: kernel, columns: kernelColumns, values: values, scale: .diverging, range: meansRange, mode: .halfBlocks)
                    .render(in: Rect(x: x, y: top, width: cells.width, height: cells.height).intersection(area),
                            into: &buffer, capabilities: capabilities)
            }
        case .summary:
            // On one line the values give way to where to see them.
            let text = area.height == 1 ? "conv2 \(what) (no room" + (zoomHint.map { ": \($0)" } ?? "") + ")"
                : "conv2 \(what) " + summary(tensor) + ", \(filters)×\(channels) \(size)"
            TrainingViewDrawing.writeWrapped(text, x: area.x, y: area.y, in: area,
                                             lines: 3, style: .dim, into: &buffer, glyphs: glyphs)
        }
    }
}

/// Helpers the training screen's views share.
enum TrainingViewDrawing {
    /// Half blocks need colour and Unicode; otherwise heatmaps draw one value per cell.
    static func usesHalfBlocks(_ capabilities: TerminalCapabilities) -> Bool {
        capabilities.colors != .monochrome && capabilities.glyphs == .unicode
    }

    /// The cells a `size` x `size` picture takes as drawn (`Heatmap.size`): a 5x5 filter is 5x3
    /// with half blocks, 10x5 with one value per cell (two cells wide, so that it keeps its shape).
    static func pictureCells(size: Int, capabilities: TerminalCapabilities) -> (width: Int, height: Int) {
        pictureCells(rows: size, columns: size, capabilities: capabilities)
    }

    /// The cells a `rows` x `columns` picture takes as drawn.
    static func pictureCells(rows: Int, columns: Int, capabilities: TerminalCapabilities) -> (width: Int, height: Int) {
        Heatmap(rows: rows, columns: columns, values: Array(repeating: 0, count: rows * columns), mode: .halfBlocks)
            .size(capabilities: capabilities)
    }

    /// `-m...m` for the largest finite magnitude `m` of `values` (`-1...1` when all are 0).
    static func symmetricRange(_ values: [Float]) -> ValueRange {
        let magnitude = values.reduce(Float(0)) { $1.isFinite ? max($0, abs($1)) : $0 }
        return magnitude > 0 ? ValueRange(lower: -magnitude, upper: magnitude) : ValueRange(lower: -1, upper: 1)
    }

    /// The finite values' range, widened to include 0 (`0...1` when empty or constant at 0).
    static func range(_ values: [Float]) -> ValueRange {
        var lower: Float = 0, upper: Float = 0
        for value in values where value.isFinite {
            lower = min(lower, value)
            upper = max(upper, value)
        }
        return upper > lower ? ValueRange(lower: lower, upper: upper) : ValueRange(lower: 0, upper: 1)
    }

    /// "±m" for the largest finite magnitude of `values`, "all 0" when there is none (the
    /// gradients of a snapshot taken at an epoch's end, before the next step).
    static func scaleText(_ values: [Float]) -> String {
        let magnitude = values.reduce(Float(0)) { $1.isFinite ? max($0, abs($1)) : $0 }
        return magnitude > 0 ? "±" + format(magnitude) : "all 0"
    }

    /// A magnitude in a few characters: `0.312`, `0.0042`, `3.1e-05`.
    static func format(_ value: Float) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        if magnitude >= 100 { return NumberGrid.format(Double(value), decimals: 0) }
        if magnitude >= 0.001 {
            return NumberGrid.format(Double(value), decimals: magnitude >= 1 ? 2 : (magnitude >= 0.01 ? 3 : 4))
        }
        var exponent = 0
        var mantissa = Double(magnitude)
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        let sign = value < 0 ? "-" : ""
        return "\(sign)\(NumberGrid.format(mantissa, decimals: 1))e\(exponent < 0 ? "-" : "+")"
            + (abs(exponent) < 10 ? "0" : "") + "\(abs(exponent))"
    }

    /// `→`, or `->` in ASCII (where `Glyphs.text` would make it `>`).
    static func arrow(_ glyphs: GlyphSet) -> String { glyphs == .ascii ? "->" : "→" }

    /// Writes `text` word-wrapped from (x, y) on at most `lines` lines, the last ending with an
    /// ellipsis when the text runs on; returns the lines written. The lines stop a column short
    /// of `area`'s edge, so that a wrapped word is never taken for one cut there.
    @discardableResult
    static func writeWrapped(_ text: String, x: Int, y: Int, in area: Rect, lines: Int, style: Style = .plain,
                             into buffer: inout CellBuffer, glyphs: Glyphs) -> Int {
        // Wrapped as shown: ASCII writes some characters as several ("±" as "+/-").
        let wrapped = OverfittingPanel.wrapWords(glyphs.text(text), width: max(1, area.maxX - x - 1))
        let count = min(lines, wrapped.count, max(0, area.maxY - y))
        for offset in 0..<count {
            let line = offset == count - 1 ? wrapped[offset...].joined(separator: " ") : wrapped[offset]
            write(line, x: x, y: y + offset, in: area, style: style, into: &buffer, glyphs: glyphs)
        }
        return count
    }

    /// Writes `text` at (x, y) cut to `area` (with an ellipsis when cut), in the glyph set.
    static func write(_ text: String, x: Int, y: Int, in area: Rect, style: Style = .plain,
                      into buffer: inout CellBuffer, glyphs: Glyphs) {
        guard area.contains(x: x, y: y) else { return }
        buffer.write(glyphs.truncated(text, toWidth: area.maxX - x), x: x, y: y, style: style, clip: area)
    }
}
