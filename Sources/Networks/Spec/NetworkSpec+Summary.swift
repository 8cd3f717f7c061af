import ConvKernels

/// A spec that cannot be a network: the file (when it came from one), the layer, and the rule it
/// breaks, e.g. `net.toml: layer 7 (linear): expects 400 inputs but layer 6 gives 16x4x4 = 256`.
public struct NetworkSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String?
    /// "layer 7 (linear)", "layer 5.2 (conv)"; nil for the spec as a whole.
    public var layer: String?
    public var message: String

    public init(file: String? = nil, layer: String? = nil, _ message: String) {
        self.file = file
        self.layer = layer
        self.message = message
    }

    public var description: String {
        [file, layer, message].compactMap { $0 }.joined(separator: ": ")
    }
}

/// One row of a network's table: a layer (or a block's own row), what it receives and gives for
/// one example, its parameters and its multiply-adds.
public struct LayerSummaryRow: Hashable, Sendable {
    /// Where the layer is, counting from 1: "7", "5.2" (the second layer of block 5's body),
    /// "5.shortcut.1", "9.b2.1" (branch 2 of block 9, its first layer), "7.flatten" (implied).
    public var label: String
    public var kind: String
    /// 0 for a top-level layer, 1 inside a block, and so on.
    public var depth: Int
    public var inputShape: FeatureShape
    public var outputShape: FeatureShape
    /// Learned numbers (weights, biases, batch norm's scale and shift; not its running statistics).
    /// A block's row counts everything inside it.
    public var parameters: Int
    /// Multiply-adds of convolutions and linear layers for one example, as torchvision counts them.
    public var multiplyAdds: Int
}

/// A network's table and totals.
public struct NetworkSummary: Hashable, Sendable {
    public var name: String
    public var input: FeatureShape
    public var output: FeatureShape
    public var rows: [LayerSummaryRow]
    public var parameters: Int
    public var multiplyAdds: Int
}

extension NetworkSpec {
    /// Checks every layer's shape, once, and counts parameters and multiply-adds. Throws the first
    /// layer that cannot take what the layer before it gives, naming both.
    public func summary(file: String? = nil) throws(NetworkSpecError) -> NetworkSummary {
        guard classes >= 1 else { throw NetworkSpecError(file: file, "classes is \(classes); it must be at least 1") }
        guard input.dimensions.allSatisfy({ $0 >= 1 }) else {
            throw NetworkSpecError(file: file, "input is \(input); every size must be at least 1")
        }
        guard !layers.isEmpty else { throw NetworkSpecError(file: file, "the network has no layers") }
        var walker = SpecWalker(file: file)
        let output = try walker.walk(layers, input: input, prefix: "", depth: 0, previous: "the input")
        guard output.count == classes else {
            let last = walker.rows.last { $0.depth == 0 }
            throw NetworkSpecError(file: file, layer: last.map { "layer \($0.label) (\($0.kind))" },
                                   "gives \(output.count) outputs (\(output)) but the network has \(classes) classes: "
                                       + "the last layer must give one score per class")
        }
        let top = walker.rows.filter { $0.depth == 0 }
        return NetworkSummary(name: name, input: input, output: output, rows: walker.rows,
                              parameters: top.reduce(0) { $0 + $1.parameters },
                              multiplyAdds: top.reduce(0) { $0 + $1.multiplyAdds })
    }
}

/// Walks layers in order, working out each shape and count and recording a row for each.
struct SpecWalker {
    let file: String?
    var rows: [LayerSummaryRow] = []

    init(file: String?) { self.file = file }

    func error(_ label: String, _ kind: String, _ message: String) -> NetworkSpecError {
        NetworkSpecError(file: file, layer: "layer \(label) (\(kind))", message)
    }

    /// `layers` from `input`; `previous` names what feeds the first ("layer 6", "the input").
    mutating func walk(_ layers: [LayerSpec], input: FeatureShape, prefix: String, depth: Int,
                       previous: String) throws(NetworkSpecError) -> FeatureShape {
        var shape = input
        var previous = previous
        for (index, layer) in layers.enumerated() {
            let label = prefix + String(index + 1)
            shape = try walk(layer, input: shape, label: label, depth: depth, previous: previous)
            previous = "layer \(label)"
        }
        return shape
    }

    mutating func walk(_ layer: LayerSpec, input: FeatureShape, label: String, depth: Int,
                       previous: String) throws(NetworkSpecError) -> FeatureShape {
        let kind = layer.kind
        func row(_ output: FeatureShape, parameters: Int = 0, multiplyAdds: Int = 0) -> FeatureShape {
            rows.append(LayerSummaryRow(label: label, kind: kind, depth: depth, inputShape: input, outputShape: output,
                                        parameters: parameters, multiplyAdds: multiplyAdds))
            return output
        }
        func maps() throws(NetworkSpecError) -> (channels: Int, height: Int, width: Int) {
            guard case .maps(let channels, let height, let width) = input else {
                throw error(label, kind, "takes maps (channels x height x width) but \(previous) gives a flat vector of \(input.count)")
            }
            return (channels, height, width)
        }
        switch layer {
        case .conv(let conv):
            let (channels, height, width) = try maps()
            guard conv.out >= 1, conv.groups >= 1 else {
                throw error(label, kind, "out and groups must be at least 1 (out \(conv.out), groups \(conv.groups))")
            }
            guard channels % conv.groups == 0, conv.out % conv.groups == 0 else {
                throw error(label, kind, "groups = \(conv.groups) must divide both its \(channels) input channels "
                                + "(from \(previous)) and its \(conv.out) outputs")
            }
            let size = try outputSize(label, kind, height: height, width: width, kernel: conv.kernel, stride: conv.stride,
                                      padding: conv.padding, dilation: conv.dilation, ceilMode: false, previous: previous)
            let perOutput = try product(label, kind, [channels / conv.groups, conv.kernel.height, conv.kernel.width])
            let weights = try product(label, kind, [conv.out, perOutput])
            let outputCount = try product(label, kind, [conv.out, size.height, size.width])
            return row(.maps(channels: conv.out, height: size.height, width: size.width),
                       parameters: weights + (conv.bias ? conv.out : 0),
                       multiplyAdds: try product(label, kind, [outputCount, perOutput]))
        case .batchNorm:
            let channels = if case .maps(let channels, _, _) = input { channels } else { input.count }
            return row(input, parameters: 2 * channels)
        case .relu, .relu6, .leakyReLU, .sigmoid, .tanh, .silu, .dropout:
            if case .leakyReLU(let slope) = layer, !slope.isFinite {
                throw error(label, kind, "slope must be a finite number")
            }
            if case .dropout(let p) = layer, !(p >= 0 && p < 1) {
                throw error(label, kind, "p is \(p); it must be at least 0 and below 1")
            }
            return row(input)
        case .maxPool(let pool), .avgPool(let pool):
            let (channels, height, width) = try maps()
            guard pool.padding.height * 2 <= pool.kernel.height, pool.padding.width * 2 <= pool.kernel.width else {
                throw error(label, kind, "padding \(pool.padding) is more than half the kernel \(pool.kernel), as PyTorch refuses")
            }
            let size = try outputSize(label, kind, height: height, width: width, kernel: pool.kernel, stride: pool.stride,
                                      padding: pool.padding, dilation: 1, ceilMode: pool.ceilMode, previous: previous)
            return row(.maps(channels: channels, height: size.height, width: size.width))
        case .globalAvgPool:
            let (channels, _, _) = try maps()
            return row(.maps(channels: channels, height: 1, width: 1))
        case .adaptiveAvgPool(let height, let width):
            let (channels, _, _) = try maps()
            guard height >= 1, width >= 1 else { throw error(label, kind, "the output size must be at least 1x1") }
            return row(.maps(channels: channels, height: height, width: width))
        case .flatten:
            return row(.flat(input.count))
        case .linear(let linear):
            guard linear.out >= 1 else { throw error(label, kind, "out is \(linear.out); it must be at least 1") }
            var features = input
            if case .maps = input {
                // A linear layer after maps flattens them first, as the spec's format promises.
                features = .flat(input.count)
                rows.append(LayerSummaryRow(label: label + ".flatten", kind: "flatten", depth: depth, inputShape: input,
                                            outputShape: features, parameters: 0, multiplyAdds: 0))
            }
            if let inputs = linear.inputs, inputs != features.count {
                let detail = input == features ? "\(features.count)" : "\(input) = \(features.count)"
                throw error(label, kind, "expects \(inputs) inputs but \(previous) gives \(detail)")
            }
            let weights = try product(label, kind, [features.count, linear.out])
            return row(.flat(linear.out), parameters: weights + (linear.bias ? linear.out : 0), multiplyAdds: weights)
        case .residual(let residual):
            return try walkResidual(residual, input: input, label: label, depth: depth, previous: previous)
        case .branches(let branches):
            return try walkBranches(branches, input: input, label: label, depth: depth, previous: previous)
        case .squeezeExcite(let squeeze):
            let (channels, _, _) = try maps()
            guard squeeze.squeezed >= 1 else { throw error(label, kind, "squeezed is \(squeeze.squeezed); it must be at least 1") }
            // Two 1x1 convolutions with biases on the channels' means: C -> squeezed -> C.
            let weights = 2 * channels * squeeze.squeezed
            return row(input, parameters: weights + squeeze.squeezed + channels, multiplyAdds: weights)
        }
    }

    /// The body from the input; the shortcut (given, the input itself, or a 1x1 projection with the
    /// body's stride when the body changes the shape); both must give the same shape.
    mutating func walkResidual(_ residual: LayerSpec.Residual, input: FeatureShape, label: String, depth: Int,
                               previous: String) throws(NetworkSpecError) -> FeatureShape {
        let kind = "residual"
        let blockRow = rows.count
        rows.append(LayerSummaryRow(label: label, kind: kind, depth: depth, inputShape: input, outputShape: input,
                                    parameters: 0, multiplyAdds: 0))
        guard !residual.body.isEmpty else { throw error(label, kind, "the body has no layers") }
        let bodyOutput = try walk(residual.body, input: input, prefix: label + ".", depth: depth + 1, previous: previous)
        let shortcut: [LayerSpec]
        do {
            shortcut = try residual.shortcutLayers(input: input, bodyOutput: bodyOutput)
        } catch {
            throw self.error(label, kind, error.message)
        }
        let shortcutOutput = try walk(shortcut, input: input, prefix: label + ".shortcut.", depth: depth + 1, previous: previous)
        guard shortcutOutput == bodyOutput else {
            throw error(label, kind, "its body gives \(bodyOutput) but its shortcut gives \(shortcutOutput): "
                            + "the two must have the same shape to be added")
        }
        return closeBlock(at: blockRow, output: bodyOutput)
    }

    /// A block's own row, once its layers are walked: its output, and everything inside it counted.
    mutating func closeBlock(at blockRow: Int, output: FeatureShape) -> FeatureShape {
        let inside = rows[(blockRow + 1)...].filter { $0.depth == rows[blockRow].depth + 1 }
        rows[blockRow].outputShape = output
        rows[blockRow].parameters = inside.reduce(0) { $0 + $1.parameters }
        rows[blockRow].multiplyAdds = inside.reduce(0) { $0 + $1.multiplyAdds }
        return output
    }

    /// Each branch from the same input; their maps must share height and width, and are stacked.
    mutating func walkBranches(_ branches: [LayerSpec.Branch], input: FeatureShape, label: String, depth: Int,
                               previous: String) throws(NetworkSpecError) -> FeatureShape {
        let kind = "branches"
        guard !branches.isEmpty else { throw error(label, kind, "there are no branches") }
        let blockRow = rows.count
        rows.append(LayerSummaryRow(label: label, kind: kind, depth: depth, inputShape: input, outputShape: input,
                                    parameters: 0, multiplyAdds: 0))
        var outputs: [FeatureShape] = []
        for (index, branch) in branches.enumerated() {
            outputs.append(try walk(branch.body, input: input, prefix: "\(label).b\(index + 1).", depth: depth + 1,
                                    previous: previous))
        }
        var channels = 0
        var size: (height: Int, width: Int)?
        for (index, output) in outputs.enumerated() {
            guard case .maps(let c, let height, let width) = output else {
                throw error(label, kind, "branch \(index + 1) gives a flat vector of \(output.count); branches must give maps")
            }
            if let size, size != (height, width) {
                throw error(label, kind, "branch \(index + 1) gives \(height)x\(width) maps but branch 1 gives "
                                + "\(size.height)x\(size.width): concatenated maps must share their size")
            }
            size = (height, width)
            channels += c
        }
        let output = FeatureShape.maps(channels: channels, height: size?.height ?? 1, width: size?.width ?? 1)
        return closeBlock(at: blockRow, output: output)
    }

    /// The output size along both axes (PyTorch's floor rule, or its ceil mode: rounded up, but a
    /// window that would start in the right padding is dropped).
    func outputSize(_ label: String, _ kind: String, height: Int, width: Int, kernel: Pair, stride: Pair, padding: Pair,
                    dilation: Pair, ceilMode: Bool, previous: String) throws(NetworkSpecError) -> Pair {
        do {
            var size = try SlidingWindow.outputSize(input: Pair(height, width), kernel: kernel, stride: stride,
                                                    padding: padding, dilation: dilation)
            if ceilMode {
                func ceiled(_ input: Int, _ kernel: Int, _ stride: Int, _ padding: Int, _ floored: Int) -> Int {
                    let span = input + 2 * padding - kernel
                    var out = (span + stride - 1) / stride + 1
                    if (out - 1) * stride >= input + padding { out -= 1 }
                    return max(out, floored)
                }
                size = Pair(ceiled(height, kernel.height, stride.height, padding.height, size.height),
                            ceiled(width, kernel.width, stride.width, padding.width, size.width))
            }
            return size
        } catch {
            throw self.error(label, kind, "cannot take the \(height)x\(width) maps \(previous) gives: \(error.message)")
        }
    }

    /// The product of `factors`, or an error when it is too large to be a network here.
    func product(_ label: String, _ kind: String, _ factors: [Int]) throws(NetworkSpecError) -> Int {
        var result = 1
        for factor in factors {
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow, value < 1 << 50 else { throw error(label, kind, "its sizes multiply to more than 2^50") }
            result = value
        }
        return result
    }
}

extension NetworkSpec {
    /// How much `layers` shrink their input along each axis: the product of their strides
    /// (a residual block's and a branch's counted once, through their body or first branch).
    static func stride(of layers: [LayerSpec]) -> Pair {
        var stride = Pair(1)
        for layer in layers {
            var step = Pair(1)
            switch layer {
            case .conv(let conv): step = conv.stride
            case .maxPool(let pool), .avgPool(let pool): step = pool.stride
            case .residual(let residual): step = Self.stride(of: residual.body)
            case .branches(let branches): step = branches.first.map { Self.stride(of: $0.body) } ?? 1
            default: break
            }
            stride = Pair(stride.height * step.height, stride.width * step.width)
        }
        return stride
    }
}

extension LayerSpec.Residual {
    /// The layers the block's input goes through before it is added, resolved once for the
    /// summary, the engine and the export alike: the given shortcut; none (the input itself) when
    /// the body keeps the shape; else a 1x1 convolution with a bias and the body's stride (a
    /// projection), which must land on the body's size.
    public func shortcutLayers(input: FeatureShape, bodyOutput: FeatureShape) throws(NetworkSpecError) -> [LayerSpec] {
        if let shortcut, !shortcut.isEmpty { return shortcut }
        guard bodyOutput != input else { return [] }
        guard case .maps(_, let height, let width) = input,
              case .maps(let channels, let outHeight, let outWidth) = bodyOutput else {
            throw NetworkSpecError("its body gives \(bodyOutput) from \(input); a projection needs maps on both sides: "
                                       + "give a shortcut")
        }
        let stride = NetworkSpec.stride(of: body)
        let projected = (height: (height - 1) / stride.height + 1, width: (width - 1) / stride.width + 1)
        guard projected == (outHeight, outWidth) else {
            throw NetworkSpecError("its body takes \(height)x\(width) to \(outHeight)x\(outWidth), which a 1x1 projection "
                                       + "with stride \(stride) gives as \(projected.height)x\(projected.width): give the "
                                       + "block a shortcut")
        }
        return [.conv(LayerSpec.Convolution(out: channels, kernel: 1, stride: stride))]
    }
}

extension NetworkSummary {
    /// The top-level rows under the names `convtutor model` has always given LeNet-5's layers, which
    /// lessons quote: each kind with its ordinal among the layers of that kind ("conv2", "relu3",
    /// "maxpool1"), linear layers as "fc1", "fc2", ...; a kind that appears once and only reshapes
    /// (flatten, gap) without a number; first, the input itself as "input" (label "0").
    public var conventionalNames: [(name: String, row: LayerSummaryRow)] {
        let top = rows.filter { $0.depth == 0 }
        func stem(_ kind: String) -> String { kind == "linear" ? "fc" : kind }
        var totals: [String: Int] = [:]
        for row in top { totals[stem(row.kind), default: 0] += 1 }
        var counts: [String: Int] = [:]
        let inputRow = LayerSummaryRow(label: "0", kind: "input", depth: 0, inputShape: input, outputShape: input,
                                       parameters: 0, multiplyAdds: 0)
        return [("input", inputRow)] + top.map { row in
            let name = stem(row.kind)
            counts[name, default: 0] += 1
            let unnumbered = totals[name] == 1 && ["flatten", "gap"].contains(name)
            return (unnumbered ? name : "\(name)\(counts[name]!)", row)
        }
    }
}
