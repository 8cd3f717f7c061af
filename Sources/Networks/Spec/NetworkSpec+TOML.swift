import CommonIO
import ConvKernels

/// Network specs as TOML, the format teachers and learners write:
///
/// ```toml
/// name = "tiny-resnet"
/// input = [1, 28, 28]        # channels, height, width
/// classes = 10
/// [[layer]]
/// kind = "conv"              # out, kernel, stride = 1, padding = 0, dilation = 1, groups = 1, bias = true
/// out = 8
/// kernel = 3
/// padding = 1
/// [[layer]]
/// kind = "residual"          # [[layer.body]] layers, then [[layer.shortcut]] layers (optional)
/// [[layer.body]]
/// kind = "conv"
/// ...
/// [[layer]]
/// kind = "branches"          # [[layer.branch]], each with [[layer.branch.body]] layers (none: the identity)
/// ```
///
/// Unknown kinds and keys, missing keys, values of the wrong type or out of range are refused with
/// the file, the layer and what is accepted; shapes are then checked by `summary()`.
extension NetworkSpec {
    /// Limits on what a spec may say: far beyond what trains here, small enough that no count
    /// overflows and that a typo (`out = 80000`) is caught.
    public enum Limits {
        public static let channels = 1...4096
        public static let imageSize = 1...1024
        public static let classes = 1...100_000
        public static let kernel = 1...64
        public static let stride = 1...64
        public static let padding = 0...64
        public static let dilation = 1...64
        public static let layers = 1...2000
        /// Blocks inside blocks, at most this deep.
        public static let nesting = 8
        /// The largest spec file read.
        public static let fileBytes = 1 << 20
    }

    /// The kinds and the keys each takes besides `kind`, with a word on each for the error messages.
    static let kindKeys: [(kind: String, keys: [String])] = [
        ("conv", ["out", "kernel", "stride", "padding", "dilation", "groups", "bias"]),
        ("batchnorm", ["eps", "momentum"]),
        ("relu", []), ("relu6", []), ("leaky_relu", ["slope"]), ("sigmoid", []), ("tanh", []), ("silu", []),
        ("maxpool", ["kernel", "stride", "padding", "ceil_mode"]),
        ("avgpool", ["kernel", "stride", "padding", "ceil_mode"]),
        ("gap", []), ("adaptive_avgpool", ["size"]), ("flatten", []),
        ("linear", ["out", "in", "bias"]),
        ("dropout", ["p"]),
        ("residual", ["body", "shortcut"]),
        ("branches", ["branch"]),
        ("squeeze_excite", ["squeezed", "activation"]),
    ]

    /// Reads a spec file: at most `Limits.fileBytes`, a regular file, UTF-8.
    public static func load(contentsOf path: String) throws(NetworkSpecError) -> NetworkSpec {
        let text: String?
        do {
            text = try RegularFile.readText(path, limit: Limits.fileBytes)
        } catch {
            throw NetworkSpecError(file: path, "cannot be read: \(error.reason)")
        }
        guard let text else { throw NetworkSpecError(file: path, "is not UTF-8 text, so it cannot be a network spec") }
        return try parse(text, file: path)
    }

    /// Parses a spec's text; `file` names it in errors. Shapes are not checked here: `summary()` does.
    public static func parse(_ text: String, file: String? = nil) throws(NetworkSpecError) -> NetworkSpec {
        let root: [String: TOMLValue]
        do {
            root = try TOMLDocument.parse(text)
        } catch {
            throw NetworkSpecError(file: file, "\(error)")
        }
        var reader = SpecReader(file: file)
        return try reader.spec(root)
    }
}

/// Reads one spec's TOML tables, remembering the file for its errors.
struct SpecReader {
    let file: String?
    /// Every layer read, blocks' layers included, to bound the whole.
    var layerCount = 0

    func error(_ layer: String?, _ message: String) -> NetworkSpecError {
        NetworkSpecError(file: file, layer: layer, message)
    }

    mutating func spec(_ root: [String: TOMLValue]) throws(NetworkSpecError) -> NetworkSpec {
        try checkKeys(root, known: ["name", "input", "classes", "layer"], place: nil, what: "a network spec")
        var name = "network"
        if let value = root["name"] {
            guard case .string(let text) = value, !text.isEmpty, text.count <= 100 else {
                throw error(nil, "'name' must be a text of 1 to 100 characters")
            }
            name = text
        }
        guard let inputValue = root["input"] else {
            throw error(nil, "missing required key 'input' (the example's [channels, height, width], e.g. [1, 28, 28])")
        }
        guard case .array(let items) = inputValue, items.count == 3,
              case .int(let channels) = items[0], case .int(let height) = items[1], case .int(let width) = items[2] else {
            throw error(nil, "'input' must be [channels, height, width] as three whole numbers, e.g. [1, 28, 28]")
        }
        guard NetworkSpec.Limits.channels.contains(channels), NetworkSpec.Limits.imageSize.contains(height),
              NetworkSpec.Limits.imageSize.contains(width) else {
            throw error(nil, "'input' is [\(channels), \(height), \(width)]: channels must be 1 to "
                            + "\(NetworkSpec.Limits.channels.upperBound), height and width 1 to \(NetworkSpec.Limits.imageSize.upperBound)")
        }
        guard let classValue = root["classes"] else {
            throw error(nil, "missing required key 'classes' (how many classes the network scores, e.g. 10)")
        }
        let classes = try integer(classValue, key: "classes", in: NetworkSpec.Limits.classes, place: nil)
        guard let layerValue = root["layer"] else {
            throw error(nil, "missing the layers: write each as a [[layer]] table with its kind")
        }
        let layers = try layerList(layerValue, key: "layer", prefix: "", depth: 0)
        return NetworkSpec(name: name, input: .maps(channels: channels, height: height, width: width), classes: classes,
                           layers: layers)
    }

    /// An array of layer tables (`[[layer]]`, `[[layer.body]]`, ...), labelled from `prefix`.
    mutating func layerList(_ value: TOMLValue, key: String, prefix: String, depth: Int) throws(NetworkSpecError) -> [LayerSpec] {
        let place = prefix.isEmpty ? nil : "layer \(prefix.dropLast())"
        guard case .array(let items) = value else {
            throw error(place, "'\(key)' must be a list of layer tables, written [[\(key)]] (or [[layer.\(key)]] in a block)")
        }
        guard depth <= NetworkSpec.Limits.nesting else {
            throw error(place, "blocks are nested more than \(NetworkSpec.Limits.nesting) deep")
        }
        var layers: [LayerSpec] = []
        for (index, item) in items.enumerated() {
            let label = prefix + String(index + 1)
            guard case .table(let table) = item else {
                throw error("layer \(label)", "each layer must be a table with a 'kind' key")
            }
            layerCount += 1
            guard layerCount <= NetworkSpec.Limits.layers.upperBound else {
                throw error("layer \(label)", "the spec has more than \(NetworkSpec.Limits.layers.upperBound) layers")
            }
            layers.append(try layer(table, label: label, depth: depth))
        }
        return layers
    }

    mutating func layer(_ table: [String: TOMLValue], label: String, depth: Int) throws(NetworkSpecError) -> LayerSpec {
        let kinds = NetworkSpec.kindKeys.map(\.kind)
        guard let kindValue = table["kind"] else {
            throw error("layer \(label)", "missing required key 'kind' (one of \(kinds.joined(separator: ", ")))")
        }
        guard case .string(let kind) = kindValue else { throw error("layer \(label)", "'kind' must be a text such as \"conv\"") }
        guard let keys = NetworkSpec.kindKeys.first(where: { $0.kind == kind })?.keys else {
            var message = "unknown kind '\(kind)'"
            if let near = NearestName.to(kind, in: kinds) { message += " (did you mean '\(near)'?)" }
            throw error("layer \(label)", message + "; kinds: \(kinds.joined(separator: ", "))")
        }
        let place = "layer \(label) (\(kind))"
        try checkKeys(table, known: ["kind"] + keys, place: place, what: "a \(kind) layer")
        func int(_ key: String, _ range: ClosedRange<Int>, default value: Int? = nil) throws(NetworkSpecError) -> Int {
            guard let raw = table[key] else {
                if let value { return value }
                throw error(place, "missing required key '\(key)' (a whole number, \(range.lowerBound) to \(range.upperBound))")
            }
            return try integer(raw, key: key, in: range, place: place)
        }
        func pair(_ key: String, _ range: ClosedRange<Int>, default value: Pair? = nil) throws(NetworkSpecError) -> Pair {
            guard let raw = table[key] else {
                if let value { return value }
                throw error(place, "missing required key '\(key)' (a whole number or [height, width], "
                                + "\(range.lowerBound) to \(range.upperBound))")
            }
            return try self.pair(raw, key: key, in: range, place: place)
        }
        func bool(_ key: String, default value: Bool) throws(NetworkSpecError) -> Bool {
            guard let raw = table[key] else { return value }
            guard case .bool(let flag) = raw else { throw error(place, "'\(key)' must be true or false") }
            return flag
        }
        func number(_ key: String, default value: Float, valid: (Double) -> Bool, accepted: String) throws(NetworkSpecError) -> Float {
            guard let raw = table[key] else { return value }
            let double: Double
            switch raw {
            case .double(let number): double = number
            case .int(let number): double = Double(number)
            default: throw error(place, "'\(key)' must be a number, \(accepted)")
            }
            guard double.isFinite, valid(double) else { throw error(place, "'\(key)' is \(double); it must be \(accepted)") }
            return Float(double)
        }
        func pooling() throws(NetworkSpecError) -> LayerSpec.Pooling {
            let kernel = try pair("kernel", NetworkSpec.Limits.kernel)
            return LayerSpec.Pooling(kernel: kernel, stride: try pair("stride", NetworkSpec.Limits.stride, default: kernel),
                                     padding: try pair("padding", NetworkSpec.Limits.padding, default: 0),
                                     ceilMode: try bool("ceil_mode", default: false))
        }
        switch kind {
        case "conv":
            return .conv(LayerSpec.Convolution(
                out: try int("out", NetworkSpec.Limits.channels), kernel: try pair("kernel", NetworkSpec.Limits.kernel),
                stride: try pair("stride", NetworkSpec.Limits.stride, default: 1),
                padding: try pair("padding", NetworkSpec.Limits.padding, default: 0),
                dilation: try pair("dilation", NetworkSpec.Limits.dilation, default: 1),
                groups: try int("groups", NetworkSpec.Limits.channels, default: 1), bias: try bool("bias", default: true)))
        case "batchnorm":
            return .batchNorm(LayerSpec.BatchNorm(
                epsilon: try number("eps", default: 1e-5, valid: { $0 > 0 && $0 <= 1 }, accepted: "above 0 and at most 1"),
                momentum: try number("momentum", default: 0.1, valid: { $0 >= 0 && $0 <= 1 }, accepted: "0 to 1")))
        case "relu": return .relu
        case "relu6": return .relu6
        case "leaky_relu":
            return .leakyReLU(slope: try number("slope", default: 0.01, valid: { abs($0) <= 1e6 }, accepted: "a finite slope"))
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "silu": return .silu
        case "maxpool": return .maxPool(try pooling())
        case "avgpool": return .avgPool(try pooling())
        case "gap": return .globalAvgPool
        case "adaptive_avgpool":
            let size = try pair("size", NetworkSpec.Limits.imageSize)
            return .adaptiveAvgPool(height: size.height, width: size.width)
        case "flatten": return .flatten
        case "linear":
            let inputs: Int? = table["in"] == nil ? nil : try int("in", 1...(1 << 30))
            return .linear(LayerSpec.FullyConnected(out: try int("out", NetworkSpec.Limits.classes),
                                                    bias: try bool("bias", default: true), inputs: inputs))
        case "dropout":
            return .dropout(probability: try number("p", default: 0.5, valid: { $0 >= 0 && $0 < 1 }, accepted: "at least 0 and below 1"))
        case "residual":
            guard let body = table["body"] else {
                throw error(place, "missing its body: write the block's layers as [[layer.body]] tables after it")
            }
            let bodyLayers = try layerList(body, key: "body", prefix: label + ".", depth: depth + 1)
            var shortcut: [LayerSpec]? = nil
            if let value = table["shortcut"] {
                let layers = try layerList(value, key: "shortcut", prefix: label + ".shortcut.", depth: depth + 1)
                shortcut = layers.isEmpty ? nil : layers
            }
            return .residual(LayerSpec.Residual(body: bodyLayers, shortcut: shortcut))
        case "branches":
            guard let value = table["branch"], case .array(let items) = value, !items.isEmpty else {
                throw error(place, "missing its branches: write each as a [[layer.branch]] table, its layers as "
                                + "[[layer.branch.body]] (a branch with no body passes its input on)")
            }
            var branches: [LayerSpec.Branch] = []
            for (index, item) in items.enumerated() {
                let branchPlace = "layer \(label).b\(index + 1)"
                guard case .table(let branch) = item else { throw error(branchPlace, "each branch must be a table") }
                try checkKeys(branch, known: ["body"], place: branchPlace, what: "a branch")
                let body = try branch["body"].map { (value) throws(NetworkSpecError) in
                    try layerList(value, key: "body", prefix: "\(label).b\(index + 1).", depth: depth + 1)
                } ?? []
                branches.append(LayerSpec.Branch(body: body))
            }
            return .branches(branches)
        case "squeeze_excite":
            var activation = LayerSpec.relu
            if let value = table["activation"] {
                guard case .string(let name) = value, let chosen = ["relu": LayerSpec.relu, "silu": .silu][name] else {
                    throw error(place, "'activation' must be \"relu\" or \"silu\"")
                }
                activation = chosen
            }
            return .squeezeExcite(LayerSpec.SqueezeExcite(squeezed: try int("squeezed", NetworkSpec.Limits.channels),
                                                          activation: activation))
        default:
            throw error(place, "unknown kind")
        }
    }

    /// Refuses a key `known` does not list, suggesting the nearest and listing them all.
    func checkKeys(_ table: [String: TOMLValue], known: [String], place: String?, what: String) throws(NetworkSpecError) {
        for key in table.keys.sorted() where !known.contains(key) {
            var message = "unknown key '\(key)' for \(what)"
            if let near = NearestName.to(key, in: known) { message += " (did you mean '\(near)'?)" }
            throw error(place, message + "; known keys: \(known.joined(separator: ", "))")
        }
    }

    func integer(_ value: TOMLValue, key: String, in range: ClosedRange<Int>, place: String?) throws(NetworkSpecError) -> Int {
        guard case .int(let number) = value else {
            throw error(place, "'\(key)' must be a whole number, \(range.lowerBound) to \(range.upperBound)")
        }
        guard range.contains(number) else {
            throw error(place, "'\(key)' is \(number); it must be \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A whole number for both axes, or [height, width].
    func pair(_ value: TOMLValue, key: String, in range: ClosedRange<Int>, place: String?) throws(NetworkSpecError) -> Pair {
        if case .array(let items) = value {
            guard items.count == 2 else {
                throw error(place, "'\(key)' must be a whole number or [height, width], not a list of \(items.count)")
            }
            return Pair(try integer(items[0], key: key, in: range, place: place),
                        try integer(items[1], key: key, in: range, place: place))
        }
        guard case .int = value else {
            throw error(place, "'\(key)' must be a whole number or [height, width], \(range.lowerBound) to \(range.upperBound)")
        }
        return Pair(try integer(value, key: key, in: range, place: place))
    }
}
