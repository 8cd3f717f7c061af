import ConvKernels
import Networks

/// The input cells an output cell of any network depends on, worked out from its spec alone: each
/// layer's kernel, stride, padding and dilation composed from the cell back to the input.
///
/// A convolution's output row `o` reads input rows `o * stride - padding` to
/// `o * stride - padding + (kernel - 1) * dilation`; a pooling reads the same with dilation 1; an
/// adaptive average pooling's row `o` of `out` averages rows `floor(o * in / out)` to
/// `ceil((o + 1) * in / out) - 1`; activations, batch norm and dropout read the cell itself. A
/// residual block or branches reads the union (the largest window) of its paths (a residual's
/// shortcut, resolved as the engine resolves it, being one path; an empty path is the input
/// itself). Global average pooling, squeeze-and-excitation (its gate averages every cell), flatten
/// and linear layers read the whole of their input, so everything before them does too.
///
/// A dilated kernel skips the cells between its taps; the field is the rectangle that holds them
/// all, as the screens light it.
public enum ReceptiveField {
    /// Rows and columns of one layer's input (or, from the cell, of its output); `whole` for all of it.
    enum Window: Equatable {
        case cells(rows: ClosedRange<Int>, columns: ClosedRange<Int>)
        case whole

        func union(_ other: Window) -> Window {
            guard case .cells(let rows, let columns) = self, case .cells(let otherRows, let otherColumns) = other else {
                return .whole
            }
            return .cells(rows: min(rows.lowerBound, otherRows.lowerBound)...max(rows.upperBound, otherRows.upperBound),
                          columns: min(columns.lowerBound, otherColumns.lowerBound)...max(columns.upperBound, otherColumns.upperBound))
        }
    }

    /// A layer's input and output shapes, by the summary's label ("4", "4.1", "4.shortcut.1", "6.b2.1").
    typealias Shapes = (input: FeatureShape, output: FeatureShape)

    /// The rows and columns of the network's input (clipped to it) that cell (`row`, `column`) of
    /// the output of the spec's first `layers` top-level layers depends on. `layers` 0 is the input
    /// itself: the cell. A spec that does not check out (which a built network never has) gives the
    /// whole input.
    public static func of(_ spec: NetworkSpec, layers: Int, row: Int, column: Int)
        -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
        let (height, width) = if case .maps(_, let height, let width) = spec.input { (height, width) } else { (1, 1) }
        let whole = (rows: 0...max(0, height - 1), columns: 0...max(0, width - 1))
        guard let summary = try? spec.summary() else { return whole }
        var shapes: [String: Shapes] = [:]
        for summaryRow in summary.rows { shapes[summaryRow.label] = (summaryRow.inputShape, summaryRow.outputShape) }
        let chain = Array(spec.layers.prefix(max(0, layers)))
        let window = walk(chain, labels: "", shapes: shapes, from: .cells(rows: row...row, columns: column...column))
        guard case .cells(let rows, let columns) = window else { return whole }
        return (clip(rows, height), clip(columns, width))
    }

    /// The window of the input of `layers` (labelled `labels` + 1, 2, ... as the summary labels
    /// them) that `window` of their output reads.
    static func walk(_ layers: [LayerSpec], labels: String, shapes: [String: Shapes], from window: Window) -> Window {
        var window = window
        for (index, layer) in layers.enumerated().reversed() {
            window = back(layer, label: labels + String(index + 1), shapes: shapes, from: window)
            if window == .whole { return .whole }
        }
        return window
    }

    /// The window of one layer's input that `window` of its output reads.
    static func back(_ layer: LayerSpec, label: String, shapes: [String: Shapes], from window: Window) -> Window {
        guard case .cells(let rows, let columns) = window else { return .whole }
        func sliding(kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> Window {
            .cells(rows: (rows.lowerBound * stride.height - padding.height)
                       ... (rows.upperBound * stride.height - padding.height + (kernel.height - 1) * dilation.height),
                   columns: (columns.lowerBound * stride.width - padding.width)
                       ... (columns.upperBound * stride.width - padding.width + (kernel.width - 1) * dilation.width))
        }
        switch layer {
        case .conv(let conv):
            return sliding(kernel: conv.kernel, stride: conv.stride, padding: conv.padding, dilation: conv.dilation)
        case .maxPool(let pool), .avgPool(let pool):
            return sliding(kernel: pool.kernel, stride: pool.stride, padding: pool.padding, dilation: 1)
        case .adaptiveAvgPool(let height, let width):
            guard case .maps(_, let inputHeight, let inputWidth) = shapes[label]?.input else { return .whole }
            func span(_ range: ClosedRange<Int>, input: Int, output: Int) -> ClosedRange<Int> {
                let start = range.lowerBound * input / output
                let end = ((range.upperBound + 1) * input + output - 1) / output - 1
                return start...max(start, end)
            }
            return .cells(rows: span(rows, input: inputHeight, output: height),
                          columns: span(columns, input: inputWidth, output: width))
        case .relu, .relu6, .leakyReLU, .sigmoid, .tanh, .silu, .batchNorm, .dropout:
            return window
        case .globalAvgPool, .squeezeExcite, .flatten, .linear:
            return .whole
        case .residual(let residual):
            let body = walk(residual.body, labels: label + ".", shapes: shapes, from: window)
            guard let block = shapes[label],
                  let shortcut = try? residual.shortcutLayers(input: block.input, bodyOutput: block.output) else { return body }
            return body.union(walk(shortcut, labels: label + ".shortcut.", shapes: shapes, from: window))
        case .branches(let branches):
            var union: Window?
            for (index, branch) in branches.enumerated() {
                let path = walk(branch.body, labels: "\(label).b\(index + 1).", shapes: shapes, from: window)
                union = union.map { $0.union(path) } ?? path
            }
            return union ?? window
        }
    }

    private static func clip(_ range: ClosedRange<Int>, _ size: Int) -> ClosedRange<Int> {
        max(0, min(range.lowerBound, size - 1))...max(0, min(range.upperBound, size - 1))
    }
}
