import ConvKernels
import Networks

/// One layer's output for the inspected image: the input, one of the network's top-level layers
/// (with the activation, batch norm or dropout that follows it, if any), or the output.
public struct InspectedLayer: Sendable {
    /// "input", or the spec's label and kind of its first layer: "1 conv", "3 maxpool", "4 residual".
    public let name: String
    /// "1 conv 6@5x5 + 2 relu: 6 maps of 28x28", "12 linear 10 (logits): 10 values".
    public let title: String
    /// The spec's kind of its first layer ("conv", "maxpool", "residual", ...); "input" for the input.
    public let kind: String
    /// The spec's layers it shows, label and kind: [("1", "conv"), ("2", "relu")]; none for the input.
    public let stages: [(label: String, kind: String)]
    /// How many of the spec's top-level layers the values come after (0 for the input).
    public let layersApplied: Int
    /// Always `[channels, height, width]`: a map layer's maps, or a vector's features (a fully
    /// connected layer's, or maps of 1x1 such as global average pooling's) as one row, `[1, 1, features]`.
    public let values: Tensor
    /// Whether the layer is a stack of 2-D maps rather than a vector.
    public let isMap: Bool
    /// Whether this is the network's last layer: its values are the logits, one per digit.
    public let isOutput: Bool

    public init(name: String, title: String, kind: String, stages: [(label: String, kind: String)] = [],
                layersApplied: Int, values: Tensor, isMap: Bool, isOutput: Bool = false) {
        precondition(values.rank == 3, "a layer's values are [channels, height, width]; got \(values.shape)")
        (self.name, self.title, self.kind, self.stages) = (name, title, kind, stages)
        (self.layersApplied, self.values, self.isMap, self.isOutput) = (layersApplied, values, isMap, isOutput)
    }

    public var channels: Int { values.shape[0] }
    public var height: Int { values.shape[1] }
    public var width: Int { values.shape[2] }

    /// Map `channel`, row by row.
    public func map(_ channel: Int) -> [[Float]] {
        precondition((0..<channels).contains(channel), "map \(channel) of \(channels)")
        let start = channel * height * width
        return (0..<height).map { row in Array(values.data[(start + row * width)..<(start + (row + 1) * width)]) }
    }

    /// The smallest and largest value of map `channel`.
    public func range(ofMap channel: Int) -> ClosedRange<Float> {
        let start = channel * height * width
        let slice = values.data[start..<(start + height * width)]
        return (slice.min() ?? 0)...(slice.max() ?? 0)
    }

    // MARK: From the network's stages

    /// The normalised input `[1, C, H, W]` as the first layer.
    static func input(_ tensor: Tensor) -> InspectedLayer {
        let shape = Array(tensor.shape.dropFirst())
        return InspectedLayer(name: "input", title: "input (normalised): " + describe(maps: shape), kind: "input",
                              layersApplied: 0, values: tensor.reshaped(shape), isMap: true)
    }

    /// The network's stages as layers to show. An activation, batch norm or dropout (which keep
    /// the shape and work cell by cell) is shown with the layer it follows, its values those after
    /// it, as LeNet-5's "conv1 + ReLU" always was; a flatten (the same values in one row) is left
    /// out. Maps are maps, flat features and maps of 1x1 are vectors; the last stage, the logits,
    /// is the output whatever its kind.
    static func layers(of stages: [Network.Stage], spec: NetworkSpec) -> [InspectedLayer] {
        var layers: [InspectedLayer] = []
        var applied = 0
        for group in Network.Stage.grouped(stages) {
            applied += group.count
            guard let first = group.first, let last = group.last else { continue }
            let isLast = applied == stages.count
            if first.kind == "flatten" && !isLast { continue }
            let heading = group.map { stage in
                "\(stage.label) \(describe(spec.layers[Int(stage.label)! - 1]))"
            }.joined(separator: " + ")
            layers.append(make(name: "\(first.label) \(first.kind)", heading: heading, kind: first.kind,
                               stages: group.map { ($0.label, $0.kind) }, applied: applied, output: last.output,
                               isOutput: isLast))
        }
        return layers
    }

    /// The title before its colon: "1 conv 6@5x5 + 2 relu".
    var heading: String {
        String(title.prefix { $0 != ":" }).replacingSuffix(" (logits)", with: "")
    }

    /// A layer from a stage's output `[1, ...]`.
    private static func make(name: String, heading: String, kind: String, stages: [(label: String, kind: String)],
                             applied: Int, output: Tensor, isOutput: Bool) -> InspectedLayer {
        let shape = Array(output.shape.dropFirst())
        let isMap = shape.count == 3 && !(shape[1] == 1 && shape[2] == 1) && !isOutput
        if isMap {
            return InspectedLayer(name: name, title: heading + ": " + describe(maps: shape), kind: kind, stages: stages,
                                  layersApplied: applied, values: output.reshaped(shape), isMap: true)
        }
        let count = shape.reduce(1, *)
        var described = "\(count) value\(count == 1 ? "" : "s")"
        if shape.count == 3 { described += " (" + describe(maps: shape) + ")" }
        return InspectedLayer(name: name, title: heading + (isOutput ? " (logits)" : "") + ": " + described, kind: kind,
                              stages: stages, layersApplied: applied, values: output.reshaped([1, 1, count]),
                              isMap: false, isOutput: isOutput)
    }

    /// "6 maps of 28x28".
    static func describe(maps shape: [Int]) -> String {
        "\(shape[0]) map\(shape[0] == 1 ? "" : "s") of \(shape[1])x\(shape[2])"
    }

    /// A layer as a title names it: its kind and what sets its size, as "conv 16@5x5", "conv
    /// 32@3x3 stride 2", "maxpool 2x2", "linear 120", "residual", "branches (4)".
    static func describe(_ layer: LayerSpec) -> String {
        func size(_ pair: Pair) -> String { "\(pair.height)x\(pair.width)" }
        func pair(_ pair: Pair) -> String { pair.height == pair.width ? "\(pair.height)" : size(pair) }
        switch layer {
        case .conv(let conv):
            var text = "conv \(conv.out)@\(size(conv.kernel))"
            if conv.stride != 1 { text += " stride \(pair(conv.stride))" }
            if conv.dilation != 1 { text += " dilation \(pair(conv.dilation))" }
            if conv.groups != 1 { text += " groups \(conv.groups)" }
            return text
        case .maxPool(let pool), .avgPool(let pool):
            var text = "\(layer.kind) \(size(pool.kernel))"
            if pool.stride != pool.kernel { text += " stride \(pair(pool.stride))" }
            return text
        case .adaptiveAvgPool(let height, let width):
            return "\(layer.kind) to \(height)x\(width)"
        case .linear(let linear):
            return "linear \(linear.out)"
        case .branches(let branches):
            return "branches (\(branches.count))"
        case .dropout(let probability):
            return "dropout \(probability)"
        default:
            return layer.kind
        }
    }
}

private extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
