/// Padding an NCHW tensor, as PyTorch's `torch.nn.functional.pad(input, (left, right, top, bottom),
/// mode)`, forward and backward side by side. Convolution and pooling pad with zeros themselves;
/// this op is for the other modes a learner meets, applied before a convolution with padding 0.
///
/// Shapes: input `[N, C, H, W]`; output `[N, C, H + top + bottom, W + left + right]`; dOutput as
/// the output; dInput as the input.
///
/// Each output cell reads one input cell (or none, for zero padding). Along one axis, position
/// `p` of the padded axis (from `-before` to `size + after - 1` in input coordinates) reads:
///
///     zero       p inside 0..<size, else nothing (the value 0)
///     reflect    the mirror image without repeating the edge: -1 -> 1, size -> size - 2
///     replicate  the nearest edge: -1 -> 0, size -> size - 1
///     circular   p modulo size: -1 -> size - 1, size -> 0
///
/// The backward pass adds each output gradient to the input cell it read, so padding cells that
/// copy an edge send their gradient back to it.
public enum Pad2d {
    public enum Mode: String, CaseIterable, Sendable {
        case zero, reflect, replicate, circular
    }

    /// Padding on each side, in cells.
    public struct Sides: Hashable, Sendable {
        public var top: Int, bottom: Int, left: Int, right: Int

        public init(top: Int, bottom: Int, left: Int, right: Int) {
            self.top = top
            self.bottom = bottom
            self.left = left
            self.right = right
        }

        /// The same padding on every side.
        public init(_ all: Int) { self.init(top: all, bottom: all, left: all, right: all) }
    }

    /// The input index position `p` reads along an axis of `size` cells, or nil for a zero.
    @inline(__always)
    static func source(_ p: Int, size: Int, mode: Mode) -> Int? {
        if p >= 0 && p < size { return p }
        switch mode {
        case .zero: return nil
        case .replicate: return p < 0 ? 0 : size - 1
        case .circular: return ((p % size) + size) % size
        case .reflect: return p < 0 ? -p : 2 * (size - 1) - p
        }
    }

    /// Checks the padding against the input, with PyTorch's rules: no negative padding, circular
    /// padding no wider than the input, reflect padding narrower than it.
    static func validate(_ shape: [Int], _ sides: Sides, _ mode: Mode) throws(KernelError) {
        guard shape.count == 4 else {
            throw KernelError("padding takes an input of shape [N, C, H, W]; this one has shape \(shape)")
        }
        for (name, amount) in [("top", sides.top), ("bottom", sides.bottom), ("left", sides.left), ("right", sides.right)] {
            guard amount >= 0 else { throw KernelError("padding \(amount) on the \(name) is invalid; padding must be 0 or more") }
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw KernelError("padding takes an input of shape [N, C, H, W] with no negative size; this one has shape \(shape)")
        }
        _ = try paddedShape(shape, sides)
        let (height, width) = (shape[2], shape[3])
        for (axis, size, before, after) in [("height", height, sides.top, sides.bottom), ("width", width, sides.left, sides.right)] {
            switch mode {
            case .zero:
                break
            case .reflect:
                guard before < size && after < size else {
                    throw KernelError("reflect padding of \(max(before, after)) along the \(axis) needs an input \(axis) above it; "
                        + "the input \(axis) is \(size) (a reflection never repeats the edge, so it can reach at most \(size - 1) cells)")
                }
            case .replicate:
                guard size >= 1 else { throw KernelError("replicate padding needs an input \(axis) of at least 1") }
            case .circular:
                guard before <= size && after <= size else {
                    throw KernelError("circular padding of \(max(before, after)) along the \(axis) is wider than the input \(axis) \(size); "
                        + "it can wrap at most \(size) cells")
                }
            }
        }
    }

    /// The padded shape `[N, C, H + top + bottom, W + left + right]`, with checked arithmetic: a
    /// padding near `Int.max` is a user's error, not a crash.
    static func paddedShape(_ shape: [Int], _ sides: Sides) throws(KernelError) -> [Int] {
        guard let height = ResourceBudget.sum(shape[2], sides.top, sides.bottom),
              let width = ResourceBudget.sum(shape[3], sides.left, sides.right) else {
            throw KernelError("padding of \(max(sides.top, sides.bottom)) rows and \(max(sides.left, sides.right)) columns "
                + "around a \(shape[2])x\(shape[3]) input is too large to compute with")
        }
        return [shape[0], shape[1], height, width]
    }

    /// What padding an input of `inputShape` by `sides` costs: the input and the padded output,
    /// one step per output value. Throws what `forward` would for invalid padding.
    public static func cost(inputShape: [Int], sides: Sides, mode: Mode) throws(KernelError) -> KernelCost {
        try validate(inputShape, sides, mode)
        let output = ResourceBudget.product(try paddedShape(inputShape, sides))
        return KernelCost(bytes: KernelCost.floatBytes(ResourceBudget.sum(ResourceBudget.product(inputShape), output)),
                          steps: output)
    }

    /// The padded tensor.
    public static func forward(input: Tensor, sides: Sides, mode: Mode) throws(KernelError) -> Tensor {
        try validate(input.shape, sides, mode)
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (outH, outW) = (h + sides.top + sides.bottom, w + sides.left + sides.right)
        var output = Tensor(zeros: [n, c, outH, outW])
        for plane in 0..<(n * c) {
            for row in 0..<outH {
                guard let sourceRow = source(row - sides.top, size: h, mode: mode) else { continue }
                for column in 0..<outW {
                    guard let sourceColumn = source(column - sides.left, size: w, mode: mode) else { continue }
                    output.data[(plane * outH + row) * outW + column] = input.data[(plane * h + sourceRow) * w + sourceColumn]
                }
            }
        }
        return output
    }

    /// The gradient with respect to the input: every output gradient added to the cell it copied.
    public static func backward(dOutput: Tensor, inputShape: [Int], sides: Sides, mode: Mode) throws(KernelError) -> Tensor {
        try validate(inputShape, sides, mode)
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (outH, outW) = (h + sides.top + sides.bottom, w + sides.left + sides.right)
        precondition(dOutput.shape == [n, c, outH, outW],
                     "Pad2d backward: dOutput \(dOutput.shape) is not the padded shape \([n, c, outH, outW])")
        var dInput = Tensor(zeros: inputShape)
        for plane in 0..<(n * c) {
            for row in 0..<outH {
                guard let sourceRow = source(row - sides.top, size: h, mode: mode) else { continue }
                for column in 0..<outW {
                    guard let sourceColumn = source(column - sides.left, size: w, mode: mode) else { continue }
                    dInput.data[(plane * h + sourceRow) * w + sourceColumn] += dOutput.data[(plane * outH + row) * outW + column]
                }
            }
        }
        return dInput
    }
}
