/// One product of a convolution window: an input cell (or a padding cell) times a kernel weight.
public struct ConvTerm: Hashable, Sendable {
    /// The input channel, counted over all channels (not within the group).
    public var inputChannel: Int
    public var kernelRow: Int
    public var kernelColumn: Int
    /// Where the kernel cell lands on the input; outside `0..<H` or `0..<W` in the padding.
    public var inputRow: Int
    public var inputColumn: Int
    /// The input value (0 in the padding).
    public var input: Float
    public var weight: Float
    /// True when the cell lies in the zero padding.
    public var isPadding: Bool

    public init(inputChannel: Int, kernelRow: Int, kernelColumn: Int, inputRow: Int, inputColumn: Int,
                input: Float, weight: Float, isPadding: Bool) {
        self.inputChannel = inputChannel
        self.kernelRow = kernelRow
        self.kernelColumn = kernelColumn
        self.inputRow = inputRow
        self.inputColumn = inputColumn
        self.input = input
        self.weight = weight
        self.isPadding = isPadding
    }
}

/// One output cell of a convolution's forward pass, as the kernel computed it.
///
/// The value written is `terms` summed in order (`input * weight`, starting from 0) plus `bias`:
/// a lesson that replays the terms gets the same float, bit for bit.
public struct ConvWindow: Hashable, Sendable {
    public var batch: Int
    public var outputChannel: Int
    public var outputRow: Int
    public var outputColumn: Int
    /// The input rows the kernel rows land on, one per kernel row (dilation spreads them).
    public var inputRows: [Int]
    /// The input columns the kernel columns land on, one per kernel column.
    public var inputColumns: [Int]
    /// The products, channel by channel, then row by row, in the order they were summed.
    public var terms: [ConvTerm]
    public var bias: Float
    /// The value written to the output.
    public var value: Float
}

/// One output cell's share of a convolution's backward pass.
///
/// For each non-padding term, `gradOutput * weight` is added to the input gradient at
/// (`inputChannel`, `inputRow`, `inputColumn`) and `gradOutput * input` to the weight gradient at
/// (`outputChannel`, kernel row, kernel column); `gradOutput` is added to the bias gradient.
public struct ConvGradientWindow: Hashable, Sendable {
    public var batch: Int
    public var outputChannel: Int
    public var outputRow: Int
    public var outputColumn: Int
    public var inputRows: [Int]
    public var inputColumns: [Int]
    /// The gradient arriving at this output cell.
    public var gradOutput: Float
    /// The same products as the forward window: each names the input cell and the weight it pairs.
    public var terms: [ConvTerm]
}
