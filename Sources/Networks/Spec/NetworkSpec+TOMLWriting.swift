import CommonIO
import ConvKernels

extension NetworkSpec {
    /// The spec as the TOML `parse` reads back to the same spec: what a checkpoint records so that
    /// it needs nothing else, and what `convtutor model --toml` prints to copy and change. Keys at
    /// their defaults are left out.
    public var toml: String {
        var lines = ["name = \(Self.quoted(name))",
                     "input = [\(input.dimensions.map(String.init).joined(separator: ", "))]",
                     "classes = \(classes)"]
        Self.write(layers, table: "layer", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ text: String) -> String { JSONString.quoted(text) }

    /// `[[table]]` per layer, each followed by its blocks' tables (`table.body`, `table.branch`).
    static func write(_ layers: [LayerSpec], table: String, into lines: inout [String]) {
        for layer in layers {
            lines.append("")
            lines.append("[[\(table)]]")
            lines.append("kind = \(quoted(layer.kind))")
            func pair(_ key: String, _ value: Pair, default: Pair? = nil) {
                guard value != `default` else { return }
                lines.append(value.height == value.width ? "\(key) = \(value.height)" : "\(key) = [\(value.height), \(value.width)]")
            }
            func number(_ key: String, _ value: Float, default: Float) {
                guard value != `default` else { return }
                lines.append("\(key) = \(value)")
            }
            switch layer {
            case .conv(let conv):
                lines.append("out = \(conv.out)")
                pair("kernel", conv.kernel)
                pair("stride", conv.stride, default: 1)
                pair("padding", conv.padding, default: 0)
                pair("dilation", conv.dilation, default: 1)
                if conv.groups != 1 { lines.append("groups = \(conv.groups)") }
                if !conv.bias { lines.append("bias = false") }
            case .batchNorm(let norm):
                number("eps", norm.epsilon, default: 1e-5)
                number("momentum", norm.momentum, default: 0.1)
            case .leakyReLU(let slope):
                number("slope", slope, default: 0.01)
            case .maxPool(let pool), .avgPool(let pool):
                pair("kernel", pool.kernel)
                pair("stride", pool.stride, default: pool.kernel)
                pair("padding", pool.padding, default: 0)
                if pool.ceilMode { lines.append("ceil_mode = true") }
            case .adaptiveAvgPool(let height, let width):
                pair("size", Pair(height, width))
            case .linear(let linear):
                lines.append("out = \(linear.out)")
                if let inputs = linear.inputs { lines.append("in = \(inputs)") }
                if !linear.bias { lines.append("bias = false") }
            case .dropout(let probability):
                number("p", probability, default: 0.5)
            case .residual(let residual):
                write(residual.body, table: table + ".body", into: &lines)
                if let shortcut = residual.shortcut, !shortcut.isEmpty {
                    write(shortcut, table: table + ".shortcut", into: &lines)
                }
            case .branches(let branches):
                for branch in branches {
                    lines.append("")
                    lines.append("[[\(table).branch]]")
                    write(branch.body, table: table + ".branch.body", into: &lines)
                }
            case .squeezeExcite(let squeeze):
                lines.append("squeezed = \(squeeze.squeezed)")
                if squeeze.activation != .relu { lines.append("activation = \(quoted(squeeze.activation.kind))") }
            case .relu, .relu6, .sigmoid, .tanh, .silu, .globalAvgPool, .flatten:
                break
            }
        }
    }
}
