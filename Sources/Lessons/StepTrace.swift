import ConvKernels

// What a step's real kernel call did, recorded through the kernels' window observers: everything
// the lesson player draws and steps through. The builders (`ConvTrace(spec:)` and the others) live
// in `StepTracer.swift`; nothing here computes a convolution itself.

/// A convolution step, traced.
///
/// Coordinates: `paddedInput` is the input as the windows saw it, padding included (filled by the
/// step's padding mode); window rows and columns in `windows` index `paddedInput`.
public struct ConvTrace: Sendable {
    public var spec: ConvSpec
    /// `[C][H + top + bottom][W + left + right]`
    public var paddedInput: GridStack
    public var sides: Pad2d.Sides
    /// The kernel's output before the activation: `[O][OH][OW]`.
    public var sums: GridStack
    /// After the activation (equal to `sums` without one).
    public var output: GridStack
    /// Every window the kernel reported, in the order it computed them (filter, row, column).
    public var windows: [ConvWindow]
    /// How the output size was worked out, one line per axis, e.g.
    /// "height: floor((5 + 2x1 - 3) / 2) + 1 = 3".
    public var sizeFormula: [String]

    public init(spec: ConvSpec, paddedInput: GridStack, sides: Pad2d.Sides, sums: GridStack, output: GridStack,
                windows: [ConvWindow], sizeFormula: [String]) {
        self.spec = spec
        self.paddedInput = paddedInput
        self.sides = sides
        self.sums = sums
        self.output = output
        self.windows = windows
        self.sizeFormula = sizeFormula
    }

    /// True when (row, column) of `paddedInput` lies in the padding.
    public func isPadding(row: Int, column: Int) -> Bool {
        sides.contains(row: row, column: column, inPaddedHeight: paddedInput.height, width: paddedInput.width)
    }
}

/// A pooling step, traced. Window coordinates index `paddedInput` as for `ConvTrace`.
public struct PoolTrace: Sendable {
    public var spec: PoolSpec
    public var paddedInput: GridStack
    public var sides: Pad2d.Sides
    /// `[C][OH][OW]` (`[C][1][1]` for global average pooling).
    public var output: GridStack
    public var windows: [PoolWindow]
    public var sizeFormula: [String]

    public init(spec: PoolSpec, paddedInput: GridStack, sides: Pad2d.Sides, output: GridStack, windows: [PoolWindow],
                sizeFormula: [String]) {
        self.spec = spec
        self.paddedInput = paddedInput
        self.sides = sides
        self.output = output
        self.windows = windows
        self.sizeFormula = sizeFormula
    }

    /// True when (row, column) of `paddedInput` lies in the padding.
    public func isPadding(row: Int, column: Int) -> Bool {
        sides.contains(row: row, column: column, inPaddedHeight: paddedInput.height, width: paddedInput.width)
    }
}

/// An activation step, traced: the kernel's forward and backward on the grid and on the plot's x values.
public struct ActivationTrace: Sendable {
    public var spec: ActivationSpec
    /// The function's output on `spec.input`, and its derivative there (nil without an input).
    public var output: GridStack?
    public var derivative: GridStack?
    /// Samples for the plot: x, f(x), f'(x) (for softmax, the plot is of one logit against 0).
    public var plotX: [Float]
    public var plotValue: [Float]
    public var plotDerivative: [Float]

    public init(spec: ActivationSpec, output: GridStack?, derivative: GridStack?, plotX: [Float], plotValue: [Float],
                plotDerivative: [Float]) {
        self.spec = spec
        self.output = output
        self.derivative = derivative
        self.plotX = plotX
        self.plotValue = plotValue
        self.plotDerivative = plotDerivative
    }
}

/// One traced stage of a pipeline.
public enum StageTrace: Sendable {
    case conv(ConvTrace)
    /// The stage's input and output.
    case activation(ActivationChoice, input: GridStack, output: GridStack)
    case pool(PoolTrace)

    /// The stage's output grid.
    public var output: GridStack {
        switch self {
        case .conv(let trace): trace.output
        case .activation(_, _, let output): output
        case .pool(let trace): trace.output
        }
    }
}

/// A pipeline, traced stage by stage.
public struct PipelineTrace: Sendable {
    public var spec: PipelineSpec
    public var stages: [StageTrace]

    public init(spec: PipelineSpec, stages: [StageTrace]) {
        self.spec = spec
        self.stages = stages
    }
}

/// An image step, traced: the grayscale image (values 0...1) and each kernel's output.
public struct ImageTrace: Sendable {
    public var spec: ImageSpec
    /// `[1][H][W]`
    public var image: GridStack
    /// One per kernel, `[1][OH][OW]` (after the activation, if any).
    public var outputs: [GridStack]

    public init(spec: ImageSpec, image: GridStack, outputs: [GridStack]) {
        self.spec = spec
        self.image = image
        self.outputs = outputs
    }
}

extension Pad2d.Sides {
    /// True when (row, column) of a grid padded by these sides to `height` x `width` lies in the padding.
    func contains(row: Int, column: Int, inPaddedHeight height: Int, width: Int) -> Bool {
        row < top || row >= height - bottom || column < left || column >= width - right
    }
}
